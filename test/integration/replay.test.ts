// provspec replay: a failing run's trace, replayed against the same misbehaving server, reproduces
// the failure at the field the check compared; against a correct server it now passes. Neither
// leaves anything behind, and the credential comes from the environment, not from the trace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { runSession } from '../../core/session/session.ts';
import { ROOT, cliInProcess, leftOnServer, withServer } from './helpers.ts';

const cli = cliInProcess;

describe('provspec replay', () => {
  it('reproduces a failure from the trace, and says "now passes" against a correct server', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-replay-'));
    try {
      const file = 'examples/quickstart.provspec.yaml';
      const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
      const plan = buildPlan(file, validated.document, validated.spec!, { scenarios: ['joiner'] });
      const trace = path.join(dir, 'trace.ndjson');
      await withServer(['no-location'], async (broken) => {
        const env = { SCIM_BASE_URL: broken.baseUrl, SCIM_TOKEN: broken.token };
        const session = await runSession([plan], { env, trace });
        assert.equal(session.results[0]!.status, 'fail');
        assert.ok(!readFileSync(trace, 'utf8').includes(broken.token), 'the trace holds no credential');

        const again = await cli(['replay', trace, '--scenario', 'joiner', '--no-color'], env);
        assert.equal(again.code, 1, again.err);
        assert.match(again.out, /^replay lifecycle\.joiner /m);
        assert.match(again.out, /POST \/scim\/v2\/Users 201 → 201/);
        assert.match(again.out, /✖ still fails {2}1-provision\.created\.location {2}Location header: absent, as recorded/);
        assert.match(again.out, /examples\/quickstart\.provspec\.yaml:54:9/);
        assert.match(again.out, /nothing left behind/);
        assert.deepEqual(await leftOnServer(broken), { users: 0, groups: 0 });

        await withServer([], async (fixed) => {
          // Its own token, from the environment: the recorded one was never in the trace.
          const now = await cli(['replay', trace, '--against', fixed.baseUrl, '--no-color'], { ...env, SCIM_TOKEN: fixed.token });
          assert.equal(now.code, 0, now.out + now.err);
          assert.match(
            now.out,
            /✔ now passes {2}1-provision\.created\.location {2}Location header: absent then, ".*\/Users\/[0-9a-f-]+" now/,
          );
          assert.deepEqual(await leftOnServer(fixed), { users: 0, groups: 0 });
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it cannot replay, saying why', async () => {
    const missing = await cli(['replay', 'no-such-trace.ndjson'], {});
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no-such-trace\.ndjson cannot be read/);
    const bad = await cli(['replay', 'x.ndjson', '--against', 'not a url'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--against is not a URL/);
  });
});
