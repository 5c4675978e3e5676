// Every shipped example passes against the reference server in every dialect, and leaves
// nothing behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DIALECTS } from '../../core/spec/types.ts';
import { ROOT, failing, leftOnServer, runSpecFile, withServer } from './helpers.ts';
import { startDownstreamApp } from './fixtures/downstream-app.ts';

// Federation examples sign in through the reference server's demo app: federation.test.ts runs them.
const EXAMPLES = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => /\.provspec\.(ya?ml|json)$/.test(f) && !f.startsWith('federation-'))
  .map((f) => `examples/${f}`);

describe('examples against the reference server', () => {
  for (const example of EXAMPLES) {
    for (const dialect of DIALECTS) {
      it(`${example} as ${dialect}`, async () => {
        await withServer([], async (server) => {
          const app = await startDownstreamApp(server.baseUrl, server.token);
          try {
            const result = await runSpecFile(
              example,
              server,
              { dialect },
              { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token, APP_URL: app.url } },
            );
            assert.deepEqual(failing(result), []);
            assert.ok(
              result.scenarios.some((s) => s.checks.length > 10),
              'checks actually ran',
            );
            assert.deepEqual(result.orphans, []);
            assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
          } finally {
            await app.close();
          }
        });
      });
    }
  }
});
