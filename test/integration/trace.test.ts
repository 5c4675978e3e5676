// The NDJSON trace against its published schema (schemas/trace.schema.json): a failing run's
// trace validates line by line, opens with `run` and closes with `end`, stamps every event on
// one clock (the ISO time is the run's start plus the monotonic offset), names the identity and
// the SCIM resource each lifecycle exchange concerns, and holds every exchange a check cites.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { runSession } from '../../core/session/session.ts';
import { ROOT, cliInProcess, withServer } from './helpers.ts';
import type { RequestLogLine } from '../../reference/index.ts';

const cli = cliInProcess;

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'trace.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

type Event = Record<string, unknown> & { type: string; time: string; offsetMs: number };

describe('the trace', () => {
  it('validates event by event, on one clock, with the ids that tie each event to a person, a resource and a check', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-trace-'));
    try {
      const serverLog: RequestLogLine[] = [];
      await withServer(
        ['no-location'],
        async (server) => {
          const file = 'examples/quickstart.provspec.yaml';
          const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
          assert.ok(validated.spec, 'the example validates');
          const plan = buildPlan(file, validated.document, validated.spec);
          const traceFile = path.join(dir, 'trace.ndjson');
          const session = await runSession([plan], { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token }, trace: traceFile });
          assert.equal(session.traceError, undefined);
          const events = readFileSync(traceFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Event);
          for (const event of events)
            assert.ok(validate(event), `${JSON.stringify(event).slice(0, 200)}: ${JSON.stringify(validate.errors)}`);

          assert.equal(events[0]?.type, 'run');
          assert.equal(events[0]?.['version'], 1);
          assert.equal(events[0]?.['traceId'], session.traceId, 'the run names its W3C trace');
          assert.equal(events.at(-1)?.type, 'end');
          assert.equal(events.at(-1)?.['status'], 'fail', 'the misbehaving server failed the run');
          // One clock: each event's time is the run's start plus its offset (to the millisecond, rounding aside).
          const zero = Date.parse(events[0]!.time);
          for (const event of events)
            assert.ok(Math.abs(Date.parse(event.time) - (zero + event.offsetMs)) <= 2, JSON.stringify(event).slice(0, 200));

          const exchanges = events.filter((e) => e.type === 'exchange');
          const lifecycle = exchanges.filter((e) => e['identity'] !== undefined);
          assert.ok(lifecycle.length > 0, 'lifecycle exchanges name their identity');
          assert.ok(
            exchanges.some((e) => (e['resource'] as { type?: string } | undefined)?.type === 'User'),
            'exchanges name the user they concern',
          );
          assert.ok(
            exchanges.every((e) => e['traceparent'] !== undefined && e['requestId'] === e['id']),
            'each SCIM request has its traceparent and id',
          );
          assert.ok(
            exchanges.every((e) => String(e['traceparent']).split('-')[1] === session.traceId),
            'all in the run’s one trace',
          );
          // A create names the resource it made, and later requests the same one.
          const created = exchanges.find((e) => e['method'] === 'POST' && e['status'] === 201 && e['resource'] !== undefined);
          assert.ok(created, 'a create names what it made');
          const made = (created['resource'] as { id: string }).id;
          assert.ok(exchanges.some((e) => e !== created && (e['resource'] as { id?: string } | undefined)?.id === made));

          const requestIds = new Set(exchanges.map((e) => e['requestId']));
          const checks = events.filter((e) => e.type === 'check');
          assert.ok(checks.some((c) => c['status'] === 'fail'));
          for (const check of checks)
            for (const id of check['evidence'] as string[])
              assert.ok(requestIds.has(id), `${String(check['id'])} cites ${id}, which the trace holds`);
          assert.ok(events.some((e) => e.type === 'scenario') && events.some((e) => e.type === 'spec-end'));

          // provspec show: the failing scenarios' journeys, each failing check at its line with its
          // evidence's request id; one person's journey across scenarios; nothing matched is exit 1.
          const failed = await cli(['show', traceFile, '--failed', '--no-color']);
          assert.equal(failed.code, 0, failed.err);
          const failing = checks.find((c) => c['status'] === 'fail')!;
          assert.ok(failed.out.includes(`✖ ${String(failing['id'])}`), failed.out.slice(0, 500));
          assert.ok(failed.out.includes(`${file}:${String(failing['line'])}:`), 'the failing check is shown at its line');
          assert.ok(failed.out.includes(`request id ${(failing['evidence'] as string[])[0]}`), 'with the exchange that decided it');
          assert.doesNotMatch(failed.out, /^✔ /m, 'no passing scenario');
          const alice = await cli(['show', traceFile, '--user', 'alice', '--no-color']);
          assert.equal(alice.code, 0, alice.err);
          assert.match(alice.out, /^. alice /);
          assert.match(alice.out, /joiner POST \/scim\/v2\/Users → 201/);
          const none = await cli(['show', traceFile, '--user', 'nobody-at-all']);
          assert.equal(none.code, 1);
          assert.match(none.err, /nothing in .* matches person nobody-at-all/);

          // The server's log names the same trace, and the client's span as its parent: the two
          // records of each request correlate by request id and by trace context alike.
          const logged = new Map(serverLog.map((line) => [line.requestId, line]));
          for (const e of exchanges) {
            const [, traceId, spanId] = String(e['traceparent']).split('-');
            const line = logged.get(String(e['requestId']));
            assert.ok(line, `the server logged ${String(e['requestId'])}`);
            assert.equal(line.traceId, traceId);
            assert.equal(line.parentSpanId, spanId);
          }
        },
        { log: (line) => serverLog.push(line) },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the schema refuses an event without its time, or of a type it does not know', () => {
    const base = { type: 'spec', runId: 'r', file: 'a.yaml', time: '2026-12-04T19:00:00.000Z', offsetMs: 1 };
    assert.ok(validate(base));
    const { time: _time, ...untimed } = base;
    assert.equal(validate(untimed), false);
    assert.equal(validate({ ...base, type: 'gossip' }), false);
    assert.equal(validate({ ...base, time: 'yesterday' }), false);
  });
});
