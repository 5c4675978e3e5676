// OpenTelemetry export (core/report/otel.ts) against an OTLP/HTTP receiver on 127.0.0.1 that
// decodes what the official exporter sends: one trace for the run, spans nested run → spec →
// scenario → step → HTTP exchange, checks as events, a failing scenario in error, and the trace
// and span ids the reference server logged for each request: client and server records join.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { runSession } from '../../core/session/session.ts';
import { otlpTarget, tracesUrl } from '../../core/report/otlp-target.ts';
import type { RequestLogLine } from '../../reference/index.ts';
import { ROOT, cliInProcess, withServer } from './helpers.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  events?: Array<{ name: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }>;
  status?: { code?: number; message?: string };
}

/** A receiver of OTLP/HTTP JSON: every span of every request it was sent. */
async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: string[]; close: () => Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : (Object.values(value)[0] as unknown);
};

describe('OpenTelemetry export', () => {
  it("sends the run as one trace of nested spans that the server's log joins", async () => {
    const receiver = await startReceiver();
    const serverLog: RequestLogLine[] = [];
    try {
      const file = 'examples/quickstart.provspec.yaml';
      const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
      const plan = buildPlan(file, validated.document, validated.spec!);
      const session = await withServer(
        ['no-location'],
        (server) =>
          runSession([plan], {
            env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token },
            otlp: { url: tracesUrl(receiver.url) },
          }),
        { log: (line) => serverLog.push(line) },
      );
      assert.equal(session.otlpError, undefined);
      const { spans } = receiver;
      assert.ok(receiver.contentTypes.every((t) => t.startsWith('application/json')));
      assert.ok(spans.length > 50, `${spans.length} spans`);
      assert.ok(
        spans.every((s) => s.traceId === session.traceId),
        'one trace, the run’s',
      );
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const root = spans.filter((s) => !s.parentSpanId);
      assert.deepEqual(
        root.map((s) => s.name),
        [`provspec run ${session.runId}`],
      );
      const parentOf = (s: OtlpSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
      const spec = spans.find((s) => s.name === `spec ${file}`)!;
      assert.equal(parentOf(spec), root[0]);
      const leaver = spans.find((s) => s.name === 'scenario lifecycle.leaver')!;
      assert.equal(parentOf(leaver), spec);
      assert.equal(leaver.status?.code, 2, 'a failing scenario is in error');
      assert.match(leaver.status?.message ?? '', /1-provision\.created\.location/);
      assert.equal(root[0]!.status?.code, 2, 'and so is the run');
      // A step of the scenario, with its checks as events, and its exchanges under it.
      const step = spans.find((s) => s.name === 'step 1-provision' && parentOf(s) === leaver)!;
      assert.ok(step, 'the step is a span of its scenario');
      assert.ok(step.events?.some((e) => e.name === 'check 1-provision.created.location'));
      const exchanges = spans.filter((s) => s.kind === 3);
      assert.ok(exchanges.some((s) => parentOf(s) === step && s.name === 'POST /scim/v2/Users'));
      for (const s of [spec, leaver, step, ...exchanges]) {
        assert.ok(BigInt(s.startTimeUnixNano) >= BigInt(root[0]!.startTimeUnixNano), `${s.name} starts within the run`);
        assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano));
      }
      // The server's record of each request names the same trace, and the client's span as its parent.
      const logged = new Map(serverLog.map((l) => [l.requestId, l]));
      for (const s of exchanges) {
        const line = logged.get(String(attribute(s, 'provspec.request_id')));
        assert.ok(line, `the server logged ${s.name}`);
        assert.equal(line.traceId, s.traceId);
        assert.equal(line.parentSpanId, s.spanId);
      }
      assert.ok(!JSON.stringify(spans).includes('Bearer ') || JSON.stringify(spans).includes('[REDACTED]'), 'no credential in spans');
    } finally {
      await receiver.close();
    }
  });

  it('is turned on by --otlp or the standard variables, with their headers', () => {
    assert.equal(otlpTarget(undefined, {}), undefined);
    assert.deepEqual(otlpTarget('http://c:4318', {}), { url: 'http://c:4318/v1/traces', headers: {} });
    assert.deepEqual(otlpTarget(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }), {
      url: 'http://c:4318/v1/traces',
      headers: {},
    });
    assert.deepEqual(
      otlpTarget(undefined, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k%3D1, x-tenant=t',
      }),
      { url: 'http://c:4318/custom', headers: { 'api-key': 'k=1', 'x-tenant': 't' } },
    );
    assert.equal(otlpTarget(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
  });

  it('refuses an --otlp that is not a URL, as given, before anything is sent', async () => {
    const junk = await cliInProcess(['run', 'examples/quickstart.provspec.yaml', '--embedded', '--otlp', 'not a url']);
    assert.equal(junk.code, 2);
    assert.match(junk.err, /--otlp is not a URL: not a url\n/);
  });

  it('says when the collector cannot be reached, and the run goes on', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const file = 'examples/quickstart.provspec.yaml';
    const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
    const plan = buildPlan(file, validated.document, validated.spec!, { scenarios: ['joiner'] });
    const session = await withServer([], (server) =>
      runSession([plan], {
        env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token },
        otlp: { url: tracesUrl(receiver.url), timeoutMs: 500 },
      }),
    );
    assert.equal(session.results[0]!.status, 'pass');
    assert.ok(session.otlpError, 'the export failure is told');
  });
});
