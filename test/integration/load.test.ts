// Load runs (`load:` in a spec) against the reference server: a correct server passes every run;
// a server that answers one request at a time holds the rate back, a slow one breaks the latency
// bound, and one that sheds load with 503s fails the error budget, each at its spec line. The
// failing servers are slow on purpose (slowMs), so that what is measured is the server's limit,
// never how fast this machine is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceServer, VARIANTS, type Misbehaviour } from '../../reference/index.ts';
import { failing, leftOnServer, runSpecFile, withServer } from './helpers.ts';
import { LOAD_CASES } from './load-cases.ts';

const FIXTURE = 'test/integration/fixtures/load.provspec.yaml';

describe('load runs', () => {
  it('pass against a correct server, report their figures, and leave nothing behind', async () => {
    await withServer([], async (server) => {
      const result = await runSpecFile(FIXTURE, server);
      assert.deepEqual(failing(result), []);
      assert.deepEqual(
        result.scenarios.map((s) => `${s.section}.${s.name}`),
        ['load.steady', 'load.quick', 'load.clean'],
      );
      for (const scenario of result.scenarios) {
        const rate = scenario.checks.find((c) => c.id === 'load.rate');
        assert.ok(rate, `${scenario.name} measured its rate`);
        const figures = rate.actual as { sent: number; answered: number; rate: number; p95: number; errors: number };
        assert.equal(figures.answered, figures.sent, 'every request was answered');
        assert.ok(figures.rate > 0 && figures.p95 > 0, JSON.stringify(figures));
        assert.equal(figures.errors, 0);
      }
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    });
  });

  it('pass against a server with every legal variant', async () => {
    const server = await startReferenceServer({ variants: [...VARIANTS] });
    try {
      const result = await runSpecFile(FIXTURE, server);
      assert.deepEqual(failing(result), []);
      assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
    } finally {
      await server.close();
    }
  });

  for (const { flags, slowMs, scenario, check, verdict, line } of LOAD_CASES) {
    it(`${flags.join('+')}: ${scenario} ${check} ${verdict} at line ${line}`, async () => {
      await withServer(
        flags as Misbehaviour[],
        async (server) => {
          const result = await runSpecFile(FIXTURE, server, { scenarios: [scenario] });
          const [only] = result.scenarios;
          assert.ok(only);
          const hit = only.checks.find((c) => c.id === check);
          assert.ok(hit, `no ${check}: ${JSON.stringify(only.checks.map((c) => `${c.id} ${c.status}`))}`);
          assert.equal(hit.status, verdict, hit.message);
          assert.equal(hit.range.start.line + 1, line);
          // One defect, one failure: the rest of the run passed, or is blocked by it.
          const others = only.checks.filter((c) => c !== hit && c.id !== hit.blockedBy && c.status !== 'pass' && c.status !== 'blocked');
          assert.deepEqual(
            others.map((c) => `${c.id} ${c.status}: ${c.message}`),
            [],
          );
          if (verdict === 'fail') assert.match(hit.message, /requests at \d+\/s: [\d.]+\/s achieved, p50 /);
          assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
        },
        { slowMs },
      );
    });
  }
});
