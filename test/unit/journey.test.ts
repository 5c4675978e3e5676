// Journeys through a trace (core/report/journey.ts): per scenario, per person, failed only; and
// a file that is not a version 1 trace is refused with the line that says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { journeys, parseTrace, renderJourneys, TraceFormatError, type TraceEvent } from '../../core/report/journey.ts';

const base = { runId: 'r1', file: 'a.yaml' };
let clock = 0;
const at = () => ({ time: new Date(Date.UTC(2026, 11, 4) + clock).toISOString(), offsetMs: clock++ });
const exchange = (scenario: string | null, identity: string | undefined, resource: string | undefined, method = 'GET'): TraceEvent => ({
  type: 'exchange',
  ...base,
  ...at(),
  scenario,
  step: '1-provision',
  ...(identity ? { identity } : {}),
  ...(resource ? { resource: { type: 'User', id: resource } } : {}),
  requestId: `r1-${clock}`,
  id: `r1-${clock}`,
  method,
  url: `http://127.0.0.1:1/scim/v2/Users/${resource ?? ''}`,
  status: 200,
  ms: 1,
});
const check = (scenario: string, identity: string | undefined, id: string, status: string): TraceEvent => ({
  type: 'check',
  ...base,
  ...at(),
  section: 'lifecycle',
  scenario,
  ...(identity ? { identity } : {}),
  id,
  rule: 'user.create',
  level: 'MUST',
  basis: 'RFC 7644 §3.3',
  status,
  title: id,
  message: status === 'fail' ? 'it did not' : '',
  line: 7,
  column: 3,
  evidence: [],
});
const scenario = (name: string, identity: string, status: string, offsetMs: number): TraceEvent => ({
  type: 'scenario',
  ...base,
  section: 'lifecycle',
  scenario: name,
  identity,
  status,
  time: new Date(Date.UTC(2026, 11, 4) + offsetMs).toISOString(),
  offsetMs,
  ms: 5,
});

function trace(): TraceEvent[] {
  clock = 0;
  const run = { type: 'run', version: 1, runId: 'r1', ...at() };
  const events = [
    exchange('joiner', 'alice', 'u1', 'POST'),
    check('joiner', 'alice', '1-provision.created', 'pass'),
    exchange('leaver', 'bob', 'u2', 'POST'),
    check('leaver', 'bob', '1-provision.created', 'fail'),
    // Cleanup: no scenario, no identity; only the resource ties it to alice.
    exchange(null, undefined, 'u1', 'DELETE'),
  ];
  return [run as TraceEvent, ...events, scenario('joiner', 'alice', 'pass', 1), scenario('leaver', 'bob', 'fail', 3)];
}

describe('journeys', () => {
  it('gives each scenario its own exchanges and checks, in time order', () => {
    const list = journeys(trace());
    assert.deepEqual(
      list.map((j) => [j.title, j.identity, j.status, j.events.map((e) => `${e.type}:${e.method ?? e.id}`)]),
      [
        ['lifecycle.joiner', 'alice', 'pass', ['exchange:POST', 'check:1-provision.created']],
        ['lifecycle.leaver', 'bob', 'fail', ['exchange:POST', 'check:1-provision.created']],
      ],
    );
  });

  it('follows a person across scenarios and into cleanup, by name or by resource id', () => {
    for (const user of ['alice', 'u1']) {
      const [journey] = journeys(trace(), { user });
      assert.ok(journey);
      assert.deepEqual(
        journey.events.map((e) => e.method ?? e.id),
        user === 'alice' ? ['POST', '1-provision.created', 'DELETE'] : ['POST', 'DELETE'],
      );
    }
    assert.deepEqual(journeys(trace(), { user: 'nobody' }), []);
  });

  it('keeps only failing journeys with --failed, and a named scenario with --scenario', () => {
    assert.deepEqual(
      journeys(trace(), { failed: true }).map((j) => j.title),
      ['lifecycle.leaver'],
    );
    assert.deepEqual(
      journeys(trace(), { scenario: 'lifecycle.joiner' }).map((j) => j.title),
      ['lifecycle.joiner'],
    );
    assert.deepEqual(journeys(trace(), { scenario: 'joiner', failed: true }), []);
  });

  it('renders a failing check with its message, basis and line', () => {
    const text = renderJourneys(journeys(trace(), { failed: true }), (_style, t) => t);
    assert.match(text, /^✖ lifecycle\.leaver bob · a\.yaml · fail · 5 ms/);
    assert.match(text, /✖ 1-provision\.created {2}1-provision\.created: it did not {2}MUST · RFC 7644 §3\.3 {2}a\.yaml:7:3/);
    assert.match(text, /POST \/scim\/v2\/Users\/u2 → 200/);
  });

  it('refuses what is not a version 1 trace, naming the line', () => {
    const lines = trace().map((e) => JSON.stringify(e));
    assert.equal(parseTrace(lines.join('\n'), 't').length, lines.length);
    assert.throws(() => parseTrace(lines.slice(1).join('\n'), 't'), /t:1: not a version 1 provspec trace/);
    assert.throws(
      () => parseTrace(`${lines[0]}\n{oops`, 't'),
      (e: unknown) => e instanceof TraceFormatError && /t:2: not a JSON/.test(e.message),
    );
    assert.throws(() => parseTrace(`${lines[0]}\n{"type":"check"}`, 't'), /t:2: not a trace event/);
    assert.throws(() => parseTrace('\n\n', 't'), /empty/);
  });
});
