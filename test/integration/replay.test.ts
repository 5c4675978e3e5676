// provspec replay: a failing run's trace, replayed against the same misbehaving server, reproduces
// the failure at the field the check compared; against a correct server it now passes. Neither
// leaves anything behind, and the credential comes from the environment, not from the trace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it("sends the target's own headers from the environment, never a value the trace holds redacted", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-replay-headers-'));
    try {
      await withServer([], async (server) => {
        // A proxy in front of the server that keeps each request's x-api-key.
        const keys: Array<string | undefined> = [];
        const proxy = createServer((req, res) => {
          keys.push(req.headers['x-api-key'] as string | undefined);
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', async () => {
            const headers = Object.fromEntries(
              Object.entries(req.headers).filter(([k]) => !['host', 'content-length'].includes(k)),
            ) as Record<string, string>;
            const body = chunks.length ? Buffer.concat(chunks) : undefined;
            const answer = await fetch(new URL(req.url ?? '/', server.baseUrl).href, {
              method: req.method ?? 'GET',
              headers,
              ...(body ? { body } : {}),
            });
            res.writeHead(
              answer.status,
              Object.fromEntries([...answer.headers].filter(([k]) => k !== 'content-encoding' && k !== 'transfer-encoding')),
            );
            res.end(Buffer.from(await answer.arrayBuffer()));
          });
        });
        await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
        const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/scim/v2`;
        try {
          const spec = path.join(dir, 'keyed.provspec.yaml');
          const text = readFileSync(path.join(ROOT, 'examples/quickstart.provspec.yaml'), 'utf8').replace(
            '  dialect: rfc7644\n',
            '  dialect: rfc7644\n  headers:\n    x-api-key: ${{ env.API_KEY }}\n',
          );
          writeFileSync(spec, text);
          const validated = validateText(text, spec);
          assert.ok(validated.spec, JSON.stringify(validated.diagnostics));
          const trace = path.join(dir, 'trace.ndjson');
          const env = { SCIM_BASE_URL: base, SCIM_TOKEN: server.token, API_KEY: 'key-recorded-123' };
          await runSession([buildPlan(spec, validated.document, validated.spec, { scenarios: ['joiner'] })], { env, trace });
          assert.match(readFileSync(trace, 'utf8'), /"x-api-key":"\[REDACTED\]"/);
          keys.length = 0;
          const replayed = await cli(['replay', trace, '--scenario', 'joiner', '--no-color'], { ...env, API_KEY: 'key-now-456' });
          assert.match(replayed.out, /^replay lifecycle\.joiner /m, replayed.err);
          assert.ok(keys.length > 5 && keys.every((k) => k === 'key-now-456'), JSON.stringify(keys));
        } finally {
          await new Promise<void>((resolve) => proxy.close(() => resolve()));
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says there is nothing to replay in a run that failed nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-replay-none-'));
    try {
      await withServer([], async (server) => {
        const file = 'examples/quickstart.provspec.yaml';
        const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
        const trace = path.join(dir, 'trace.ndjson');
        const env = { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token };
        await runSession([buildPlan(file, validated.document, validated.spec!, { scenarios: ['joiner'] })], { env, trace });
        const none = await cli(['replay', trace], env);
        assert.equal(none.code, 0);
        assert.match(none.out, /nothing to replay: .* has no failing scenario/);
        const unknown = await cli(['replay', trace, '--scenario', 'nobody'], env);
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /holds no scenario nobody/);
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
