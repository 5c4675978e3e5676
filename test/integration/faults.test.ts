// Network and gateway faults between the runner and a correct SCIM server, injected by a real
// proxy on loopback (fixtures/fault-proxy.ts). Whatever breaks, the run must finish within its
// time limits without throwing, the check of the step whose request broke must fail or error at
// that step's spec line with the broken exchange as evidence, no credential may follow a
// redirect to another origin, and cleanup must still remove everything the run created, or
// name by id what it could not remove.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ReferenceServer } from '../../reference/index.ts';
import type { CheckResult, SpecResult } from '../../core/run/result.ts';
import type { Exchange } from '../../core/scim/exchange.ts';
import type { RequestContext } from '../../core/scim/client.ts';
import { ROOT, leftOnServer, runSpecFile, withServer } from './helpers.ts';
import { startFaultProxy, type Fault, type FaultOptions, type FaultProxy } from './fixtures/fault-proxy.ts';

const FIXTURE = 'test/integration/fixtures/faults.provspec.yaml';
/** The fixture's target.timeouts. */
const REQUEST_MS = 1000;
const SCENARIO_MS = 5000;
// How long a faulted run may take is bounded by the limit a broken timeout would fall through to
// (the scenario's deadline, cleanup's 60 s budget), not by how long a healthy run takes: on a
// loaded machine a run that takes 40 ms idle can take a second, and that is no finding.
/** A run that ends within this was not ended by the scenario's deadline (the `deadline` check says so too). */
const PROMPT_MS = SCENARIO_MS;
/** Cleanup requests ended by their request timeout, well inside cleanup's own 60 s budget. */
const CLEANUP_BOUND_MS = 15_000;

/** 1-based line of the step marked `# step: NAME` in the fixture. */
function stepLine(name: string): number {
  const lines = readFileSync(path.join(ROOT, FIXTURE), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.trimEnd().endsWith(`# step: ${name}`));
  assert.ok(index >= 0, `the fixture marks no step ${name}`);
  return index + 1;
}

type Match = NonNullable<FaultOptions['match']>;
const USER_PATH = /^\/scim\/v2\/Users\/[^/?]+$/;

/** Which requests a case breaks: only the matched step's, so the rest (cleanup above all) gets through. */
const TARGETS: Record<string, { step: 'provision' | 'deactivate'; match: () => Match }> = {
  // The create of step 1.
  'POST /Users': { step: 'provision', match: () => (method, p) => method === 'POST' && p === '/scim/v2/Users' },
  // The deactivation request of step 2.
  'PATCH /Users/{id}': { step: 'deactivate', match: () => (method, p) => method === 'PATCH' && USER_PATH.test(p) },
  // The read-back of step 2 (the first GET by id after the deactivation; step 1's read-back passes).
  'GET /Users/{id} after PATCH': {
    step: 'deactivate',
    match: () => {
      let patched = false;
      return (method, p) => {
        if (method === 'PATCH' && USER_PATH.test(p)) patched = true;
        return patched && method === 'GET' && USER_PATH.test(p);
      };
    },
  },
};

interface Run {
  result: SpecResult;
  ms: number;
  exchanges: Array<{ exchange: Exchange; context: RequestContext }>;
}

async function runThrough(proxy: FaultProxy, server: ReferenceServer): Promise<Run> {
  const exchanges: Run['exchanges'] = [];
  const started = performance.now();
  // Awaited directly: an exception escaping the runner fails the test here.
  const result = await runSpecFile(
    FIXTURE,
    server,
    {},
    {
      baseUrl: `${proxy.origin}/scim/v2`,
      allowedOrigins: [proxy.origin],
      onExchange: (exchange, context) => exchanges.push({ exchange, context }),
    },
  );
  return { result, ms: performance.now() - started, exchanges };
}

function checks(result: SpecResult): CheckResult[] {
  return result.scenarios.flatMap((s) => s.checks);
}

function pathOf(exchange: Exchange): string {
  const url = new URL(exchange.url);
  return `${url.pathname}${url.search}`;
}

/** What every faulted run must show, whatever the fault. */
function assertSurvived(run: Run, proxy: FaultProxy, boundMs: number): void {
  assert.ok(run.ms < boundMs, `the run took ${Math.round(run.ms)} ms, more than ${boundMs} ms`);
  assert.ok(run.result.ms <= run.ms + 1);
  const all = checks(run.result);
  assert.deepEqual(
    all.filter((c) => c.id === 'runner' || c.id === 'deadline').map((c) => `${c.id}: ${c.message}`),
    [],
    'no crash, no blown deadline',
  );
  assert.equal(run.result.error, undefined);
  assert.ok(
    proxy.hits.some((h) => h.fault),
    'the fault was injected',
  );
  assert.deepEqual(
    proxy.trap.hits.filter((h) => h.authorization !== undefined),
    [],
    'no Authorization header reached the other origin',
  );
}

/** Deletes whatever a run left on the server (after a test that shows it leaves something). */
async function purge(server: ReferenceServer): Promise<void> {
  const headers = { authorization: `Bearer ${server.token}` };
  for (const what of ['Users', 'Groups']) {
    const list = (await (await fetch(`${server.baseUrl}/${what}?count=1000`, { headers })).json()) as { Resources?: Array<{ id: string }> };
    for (const { id } of list.Resources ?? []) await fetch(`${server.baseUrl}/${what}/${id}`, { method: 'DELETE', headers });
  }
}

interface Case {
  fault: Fault;
  target: keyof typeof TARGETS;
  /** The check the fault must break (its id within the scenario). */
  check: string;
  status: 'fail' | 'error' | 'warn';
  message: RegExp;
  options?: Partial<FaultOptions>;
}

const STALLS = new Set<Fault>(['timeout', 'slow-body']);

const CASES: Case[] = [
  // The deactivation request itself.
  { fault: 'reset', target: 'PATCH /Users/{id}', check: '2-deactivate.deactivated', status: 'error', message: /connection was reset/ },
  {
    fault: '503',
    target: 'PATCH /Users/{id}',
    check: '2-deactivate.deactivated',
    status: 'fail',
    message: /answered 503.*expected 200 or 204/,
  },
  {
    fault: '500',
    target: 'PATCH /Users/{id}',
    check: '2-deactivate.deactivated',
    status: 'fail',
    message: /answered 500.*expected 200 or 204/,
  },
  {
    fault: 'timeout',
    target: 'PATCH /Users/{id}',
    check: '2-deactivate.deactivated',
    status: 'error',
    message: /no complete response within 1000 ms/,
  },
  {
    fault: 'redirect-other-origin',
    target: 'PATCH /Users/{id}',
    check: '2-deactivate.deactivated',
    status: 'fail',
    message: new RegExp(
      String.raw`→ 307, but redirected to http://127\.0\.0\.1:\d+, which is not an allowed origin; ` +
        'the request was not followed and no credential was sent there',
    ),
  },
  // The read-back after it: responses that arrive broken.
  {
    fault: 'reset-mid-response',
    target: 'GET /Users/{id} after PATCH',
    check: '2-deactivate.read-back',
    status: 'fail',
    message: /→ 200, but the connection was reset/,
  },
  {
    fault: 'slow-body',
    target: 'GET /Users/{id} after PATCH',
    check: '2-deactivate.read-back',
    status: 'fail',
    message: /→ 200, but no complete response within 1000 ms/,
    options: { gapMs: 1500 },
  },
  {
    fault: 'malformed-json',
    target: 'GET /Users/{id} after PATCH',
    check: '2-deactivate.read-back.json',
    status: 'fail',
    message: /answered 200 with a body that is not JSON/,
  },
  {
    fault: 'wrong-content-type',
    target: 'GET /Users/{id} after PATCH',
    check: '2-deactivate.read-back.media-type',
    status: 'warn',
    message: /Content-Type "text\/html; charset=utf-8"/,
  },
  // The client's response cap (ClientOptions.maxResponseBytes) is not settable through RunOptions, so
  // the body is larger than its 10 MiB default: 11 MiB, streamed.
  {
    fault: 'oversized',
    target: 'GET /Users/{id} after PATCH',
    check: '2-deactivate.read-back',
    status: 'fail',
    message: /→ 200, but the response body is larger than 10485760 bytes/,
  },
  // The create: nothing reaches the server, so nothing is created; the group still goes.
  { fault: 'reset', target: 'POST /Users', check: '1-provision.created', status: 'error', message: /connection was reset/ },
  { fault: '503', target: 'POST /Users', check: '1-provision.created', status: 'fail', message: /answered 503.*expected 201/ },
  { fault: '500', target: 'POST /Users', check: '1-provision.created', status: 'fail', message: /answered 500.*expected 201/ },
  {
    fault: 'timeout',
    target: 'POST /Users',
    check: '1-provision.created',
    status: 'error',
    message: /no complete response within 1000 ms/,
  },
  {
    fault: 'redirect-other-origin',
    target: 'POST /Users',
    check: '1-provision.created',
    status: 'fail',
    message: /which is not an allowed origin; the request was not followed and no credential was sent there/,
  },
];

describe("a fault on one step fails that step's check, and cleanup still removes everything", () => {
  for (const c of CASES) {
    it(`${c.fault} on ${c.target}`, async () => {
      const target = TARGETS[c.target]!;
      await withServer([], async (server) => {
        const proxy = await startFaultProxy(new URL(server.baseUrl).origin, { fault: c.fault, match: target.match(), ...c.options });
        try {
          const run = await runThrough(proxy, server);
          // A stalled request ends after the request timeout (plus undici's timer granularity), not at the scenario's deadline.
          assertSurvived(run, proxy, PROMPT_MS);

          const faulted = proxy.hits.filter((h) => h.fault);
          assert.equal(faulted.length, 1, `exactly one request was faulted: ${JSON.stringify(proxy.hits)}`);
          const check = checks(run.result).find((k) => k.id === c.check);
          assert.ok(
            check,
            `no check ${c.check}; checks: ${checks(run.result)
              .map((k) => `${k.id}=${k.status}`)
              .join(', ')}`,
          );
          assert.equal(check.status, c.status, check.message);
          assert.match(check.message, c.message);
          assert.equal(check.range.start.line + 1, stepLine(target.step), 'the check points at the step whose request broke');
          const evidence = check.evidence.find((e) => pathOf(e) === faulted[0]!.path && e.method === faulted[0]!.method);
          assert.ok(evidence, 'the faulted exchange is the evidence');
          assert.ok(evidence.error !== undefined || evidence.status !== undefined);
          if (STALLS.has(c.fault))
            assert.ok(
              evidence.ms >= REQUEST_MS && evidence.ms < REQUEST_MS * 3,
              `the stalled request was given up after ${evidence.ms} ms`,
            );

          if (c.fault === '503') {
            assert.equal(
              proxy.hits.filter((h) => h.method === faulted[0]!.method && h.path === faulted[0]!.path).length,
              1,
              'a 503 without Retry-After is not retried',
            );
          }
          if (c.fault === 'redirect-other-origin') {
            assert.deepEqual(proxy.trap.hits, [], 'the redirect to another origin was not followed at all');
            assert.ok(evidence.responseHeaders?.['location']?.startsWith(proxy.trap.origin));
            assert.equal(evidence.redirects, undefined);
          }
          if (c.target === 'POST /Users') {
            // One defect, one failure: the steps after the failed create are blocked by it.
            assert.ok(
              checks(run.result).some((k) => k.id === '2-deactivate.user' && k.status === 'blocked' && k.blockedBy === c.check),
              'the next step is blocked by the failed create',
            );
          }

          const cleanup = run.exchanges.filter((e) => e.context.scenario === 'cleanup');
          // A create that got no definite answer is looked up by its name first (and found not made).
          assert.ok(
            cleanup.every((e) => e.exchange.status === (e.exchange.method === 'GET' ? 200 : 204)),
            'cleanup lookups answered 200 and DELETEs 204',
          );
          if (c.target === 'POST /Users' && c.fault !== 'redirect-other-origin') {
            assert.ok(
              cleanup.some((e) => e.exchange.method === 'GET' && /filter=userName/.test(e.exchange.url)),
              'the unanswered create was looked up',
            );
          }
          assert.deepEqual(run.result.orphans, []);
          assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
        } finally {
          await proxy.close();
        }
      });
    });
  }
});

describe('cleanup against a failing DELETE', () => {
  const deleteUser: Match = (method, p) => method === 'DELETE' && USER_PATH.test(p);

  for (const fault of ['500', 'reset'] as const) {
    it(`a DELETE that fails once (${fault}) is retried, and the user is removed`, async () => {
      await withServer([], async (server) => {
        const proxy = await startFaultProxy(new URL(server.baseUrl).origin, { fault, match: deleteUser, times: 1 });
        try {
          const run = await runThrough(proxy, server);
          assertSurvived(run, proxy, PROMPT_MS);
          assert.equal(run.result.status, 'pass', 'the scenario passed, and the retry left no orphan');
          const deletes = proxy.hits.filter((h) => deleteUser(h.method, h.path));
          assert.deepEqual(
            deletes.map((h) => h.fault ?? 'ok'),
            [fault, 'ok'],
            'one failed DELETE, then one retry',
          );
          assert.equal(deletes[0]!.path, deletes[1]!.path);
          const cleanup = run.exchanges.filter(
            (e) => e.context.scenario === 'cleanup' && deleteUser(e.exchange.method, pathOf(e.exchange)),
          );
          assert.ok(fault === '500' ? cleanup[0]!.exchange.status === 500 : /reset/.test(cleanup[0]!.exchange.error ?? ''));
          assert.equal(cleanup[1]!.exchange.status, 204);
          assert.deepEqual(run.result.orphans, []);
          assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
        } finally {
          await proxy.close();
        }
      });
    });
  }

  for (const [fault, reason] of [
    ['500', /DELETE answered 500/],
    ['reset', /connection was reset/],
    ['timeout', /no complete response within 1000 ms/],
  ] as const) {
    it(`a DELETE that always fails (${fault}) leaves an orphan that is reported by id`, async () => {
      await withServer([], async (server) => {
        const proxy = await startFaultProxy(new URL(server.baseUrl).origin, { fault, match: deleteUser });
        try {
          const run = await runThrough(proxy, server);
          // Two attempts, each at most a request timeout.
          assertSurvived(run, proxy, fault === 'timeout' ? CLEANUP_BOUND_MS : PROMPT_MS);
          const created = run.result.audit.find((a) => a.action === 'created' && a.resourceType === 'User');
          assert.ok(created, 'the run recorded the user it created');
          assert.equal(run.result.orphans.length, 1, JSON.stringify(run.result.orphans));
          const orphan = run.result.orphans[0]!;
          assert.equal(orphan.action, 'left');
          assert.equal(orphan.resourceType, 'User');
          assert.equal(orphan.id, created.id);
          assert.equal(orphan.scenario, 'leaver');
          assert.match(orphan.reason ?? '', reason);
          assert.ok(run.result.audit.includes(orphan), 'the orphan is in the audit trail too');
          assert.equal(run.result.status, 'fail', 'an orphan fails the run though every check passed');
          assert.deepEqual(
            checks(run.result).filter((k) => k.status !== 'pass'),
            [],
          );
          const deletes = proxy.hits.filter((h) => deleteUser(h.method, h.path));
          assert.deepEqual(
            deletes.map((h) => [h.path, h.fault]),
            [
              [`/scim/v2/Users/${created.id}`, fault],
              [`/scim/v2/Users/${created.id}`, fault],
            ],
            'tried twice',
          );
          // The report is the truth: exactly that user is left, the group went.
          assert.deepEqual(await leftOnServer(server), { users: 1, groups: 0 });
          const left = await fetch(`${server.baseUrl}/Users/${orphan.id}`, { headers: { authorization: `Bearer ${server.token}` } });
          assert.equal(left.status, 200);
        } finally {
          await proxy.close();
          await purge(server);
        }
      });
    });
  }
});

describe('bugs the fault proxy found, fixed', () => {
  it('a create whose 201 and Location arrive but whose body is cut: the user is still found and cleaned up', async () => {
    await withServer([], async (server) => {
      const proxy = await startFaultProxy(new URL(server.baseUrl).origin, {
        fault: 'reset-mid-response',
        match: TARGETS['POST /Users']!.match(),
      });
      try {
        const run = await runThrough(proxy, server);
        const post = run.exchanges.find((e) => e.exchange.method === 'POST' && pathOf(e.exchange) === '/scim/v2/Users')!.exchange;
        assert.equal(post.status, 201);
        assert.match(post.responseHeaders?.['location'] ?? '', /\/Users\/[^/]+$/, 'the id was known from the Location header');
        const left = await leftOnServer(server);
        assert.deepEqual(left, { users: 0, groups: 0 }, `left on the server; result.orphans is ${JSON.stringify(run.result.orphans)}`);
        assert.deepEqual(run.result.orphans, []);
      } finally {
        await proxy.close();
        await purge(server);
      }
    });
  });

  it("a cleanup DELETE whose body dribbles in is bounded by the request timeout (1s), not cleanup's 60 s", async () => {
    await withServer([], async (server) => {
      const proxy = await startFaultProxy(new URL(server.baseUrl).origin, {
        fault: 'slow-body',
        gapMs: 200,
        match: (m, p) => m === 'DELETE' && USER_PATH.test(p),
      });
      const running = runThrough(proxy, server);
      try {
        // Two resources, two attempts each, each at most a request timeout: seconds, not 60 s.
        const bound = CLEANUP_BOUND_MS;
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([
          running.then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(resolve, bound, false))),
        ]);
        clearTimeout(timer);
        assert.ok(
          finished,
          `the run had not finished after ${bound} ms: one dribbling DELETE holds cleanup until its 60 s budget runs out`,
        );
      } finally {
        await proxy.close(); // cuts the dribble, so the run ends now
        await running;
        await purge(server);
      }
    });
  });
});
