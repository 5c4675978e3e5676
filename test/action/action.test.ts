// End to end: the committed action/dist bundle, run as a process the way GitHub's runner runs
// it, against the real reference SCIM server with a misbehaviour flag.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import { canary, fakeGitHubApi, HEAD_SHA, ROOT, runAction, workspace } from './harness.ts';

const QUICKSTART = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');
const SPEC = 'specs/quickstart.provspec.yaml';

/** 1-based lines of the `- provision` steps in the quickstart's lifecycle scenarios. */
function provisionLines(text: string): number[] {
  const lines = text.split('\n');
  const start = lines.indexOf('lifecycle:');
  return lines.flatMap((line, i) => (i > start && line === '      - provision' ? [i + 1] : []));
}

function manyJoiners(count: number): string {
  const scenarios = Array.from(
    { length: count },
    (_, i) => `  joiner-${String(i + 1).padStart(2, '0')}:\n    identity: alice\n    steps:\n      - provision\n`,
  ).join('');
  return `provspec: 1
name: Many joiners
target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    bearer: \${{ env.SCIM_TOKEN }}
identities:
  alice:
    email: alice@example.test
mapping:
  userName: \${{ identity.email }}
  active: true
lifecycle:
${scenarios}`;
}

/** Every line of server text (a JSON body) printed to the log sits inside a stop-commands block. */
function assertServerTextFenced(stdout: string): void {
  let open: string | undefined;
  let fencedBodies = 0;
  for (const line of stdout.split('\n')) {
    const start = /^::stop-commands::(.+)$/.exec(line);
    if (start) {
      assert.equal(open, undefined, 'stop-commands blocks do not nest');
      open = start[1];
      continue;
    }
    if (open && line === `::${open}::`) {
      open = undefined;
      continue;
    }
    if (line.includes('{"schemas"')) {
      assert.ok(open, `server text outside a stop-commands block: ${line.slice(0, 120)}`);
      fencedBodies++;
    }
  }
  assert.equal(open, undefined, 'every stop-commands block is closed');
  assert.ok(fencedBodies > 0, 'server bodies were printed (inside the blocks)');
}

describe('the GitHub Action (action/dist as a process)', () => {
  let server: ReferenceServer;
  before(async () => {
    server = await startReferenceServer({ misbehave: ['no-location'], token: 'scim-secret-7f3a9c' });
  });
  after(async () => server.close());

  it('annotates each failing check at its exact spec range, writes the summary and outputs, and fails the step', async () => {
    const dir = workspace({ [SPEC]: QUICKSTART });
    const run = await runAction(dir, {
      specs: 'specs/',
      'base-url': server.baseUrl,
      token: server.token,
      annotations: 'workflow-commands',
      junit: 'out/junit.xml',
      sarif: 'out/provspec.sarif',
      trace: 'out/trace.ndjson',
    });
    assert.equal(run.code, 1, run.stderr);

    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    const lines = provisionLines(QUICKSTART);
    assert.equal(lines.length, 3);
    const scenarios = ['joiner', 'mover', 'leaver'];
    assert.equal(errors.length, 3, errors.join('\n'));
    errors.forEach((line, i) => {
      const prefix =
        `::error title=provspec failed%3A lifecycle.${scenarios[i]} › the create answers a Location header ` +
        `naming the new user,file=${SPEC},line=${lines[i]},endLine=${lines[i]},col=9,endColumn=18::the ` +
        `201 response has no Location header (RFC 7644 §3.3)%0AMUST · RFC 7644 §3.3%0Aexpected: "…/Users/`;
      assert.ok(line.startsWith(prefix), `annotation ${i}:\n${line}\nexpected to start with\n${prefix}`);
      assert.match(line, /%0APOST http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users → 201 \(request id [\w-]+\)$/);
    });

    assert.deepEqual(
      { passed: run.outputs['passed'], failed: run.outputs['failed'], errored: run.outputs['errored'] },
      { passed: '95', failed: '3', errored: '0' },
    );
    assert.equal(run.outputs['report'], path.join(dir, 'provspec-report.json'));
    const report = JSON.parse(readFileSync(run.outputs['report']!, 'utf8'));
    assert.equal(report.totals.fail, 3);

    assert.match(run.summary, /^## provspec ❌ 3 of 6 scenarios passed$/m);
    assert.match(run.summary, /^\| lifecycle\.joiner \| 19 \| ❌ 1 of 19 failed \| \d+ ms \|$/m);
    assert.match(run.summary, /^\| negative\.bad-token \| 4 \| ✅ pass \| \d+ ms \|$/m);
    assert.ok(
      run.summary.includes(
        `<code>${SPEC}:${lines[0]}:9</code> lifecycle.joiner › the create answers a Location header naming the new user`,
      ),
    );
    assert.match(run.summary, /```diff\n- expected: "…\/Users\/[0-9a-f-]+"\n\+ actual: {3}null\n```/);
    assert.match(run.summary, /> authorization: Bearer \[REDACTED\]/);
    assert.match(run.summary, /Audit trail/);
    assert.match(run.summary, /^\| \d\d:\d\d:\d\d\.\d{3} \| removed \| User \| [0-9a-f-]+ \| alice\+ps-/m);

    assertServerTextFenced(run.stdout);
    // The only place the token may appear is the ::add-mask:: command that tells the runner to hide it.
    const everything = [
      run.stdout.replace(`::add-mask::${server.token}`, ''),
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      ...['provspec-report.json', 'out/junit.xml', 'out/provspec.sarif', 'out/trace.ndjson'].map((f) =>
        readFileSync(path.join(dir, f), 'utf8'),
      ),
    ];
    for (const text of everything) assert.ok(!text.includes(server.token), 'the SCIM token never appears');
    assert.match(run.stdout, /^::add-mask::scim-secret-7f3a9c$/m, 'the token is masked before anything else');
    assert.ok(run.stdout.indexOf('::add-mask::') < run.stdout.indexOf('provspec:'));

    const sarif = JSON.parse(readFileSync(path.join(dir, 'out/provspec.sarif'), 'utf8'));
    assert.equal(sarif.runs[0].results.length, 3);
    assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation, {
      artifactLocation: { uri: SPEC },
      region: { startLine: lines[0], endLine: lines[0], startColumn: 9, endColumn: 18 },
    });
  });

  it('with more than 50 failures, sends every annotation to the Checks API in batches of 50 on the head SHA', async () => {
    const api = await fakeGitHubApi();
    try {
      const dir = workspace({ 'many.provspec.yaml': manyJoiners(60) });
      const run = await runAction(
        dir,
        {
          specs: 'many.provspec.yaml',
          'base-url': server.baseUrl,
          token: server.token,
          annotations: 'both',
          'github-token': 'ghs_checks_token',
        },
        { GITHUB_API_URL: api.url },
      );
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.outputs['failed'], '60');
      assert.deepEqual(
        api.requests.map((r) => `${r.method} ${r.url}`),
        ['POST /repos/acme/idp/check-runs', 'PATCH /repos/acme/idp/check-runs/4242'],
      );
      const [create, update] = api.requests as unknown as [
        { headers: Record<string, unknown>; body: any },
        { headers: Record<string, unknown>; body: any },
      ];
      assert.equal(create.body.head_sha, HEAD_SHA, 'the pull request head, not the merge commit');
      assert.equal(create.body.status, 'in_progress');
      assert.equal(create.body.output.annotations.length, 50);
      assert.equal(update.body.output.annotations.length, 10);
      assert.equal(update.body.status, 'completed');
      assert.equal(update.body.conclusion, 'failure');
      const all = [...create.body.output.annotations, ...update.body.output.annotations];
      assert.equal(new Set(all.map((a: { start_line: number }) => a.start_line)).size, 60, 'one annotation per failing provision step');
      assert.deepEqual(Object.keys(all[0]).sort(), [
        'annotation_level',
        'end_column',
        'end_line',
        'message',
        'path',
        'start_column',
        'start_line',
        'title',
      ]);
      assert.equal(all[0].path, 'many.provspec.yaml');
      assert.equal(all[0].annotation_level, 'failure');
      for (const r of api.requests) {
        assert.equal(r.headers['authorization'], 'token ghs_checks_token');
        assert.ok(!JSON.stringify(r.body).includes(server.token));
      }
      assert.equal(run.stdout.split('\n').filter((l) => l.startsWith('::error')).length, 0, 'no duplicate workflow-command annotations');
      assert.ok(
        run.summary.includes(
          '60 annotations were published on check run "provspec" (https://github.example/acme/idp/runs/4242) in 2 requests; ' +
            'as workflow commands GitHub would have hidden 50 of them',
        ),
        run.summary,
      );
    } finally {
      await api.close();
    }
  });

  it('falls back to 10 workflow commands and says how many were not shown when the Checks API refuses', async () => {
    const api = await fakeGitHubApi({ refuse: 403 });
    try {
      const dir = workspace({ 'many.provspec.yaml': manyJoiners(12) });
      const run = await runAction(
        dir,
        { specs: 'many.provspec.yaml', 'base-url': server.baseUrl, token: server.token, 'github-token': 'ghs_x' },
        { GITHUB_API_URL: api.url },
      );
      assert.equal(run.code, 1);
      assert.equal(run.stdout.split('\n').filter((l) => l.startsWith('::error')).length, 10);
      assert.match(run.summary, /The Checks API refused the check run \(403: the workflow needs "permissions: checks: write"/);
      assert.match(run.summary, /2 more annotations were not shown: GitHub shows 10 per type per step/);
    } finally {
      await api.close();
    }
  });

  it('never sends the token to an origin only the spec names: a located error, and the endpoint is never contacted', async () => {
    const bird = await canary();
    try {
      const hijacked = QUICKSTART.replace('baseUrl: ${{ env.SCIM_BASE_URL }}', `baseUrl: ${bird.url}`);
      const dir = workspace({ [SPEC]: hijacked });
      // The workflow trusts only the reference server; the pull request points the spec elsewhere.
      const run = await runAction(dir, {
        specs: SPEC,
        token: server.token,
        'allowed-origins': new URL(server.baseUrl).origin,
        annotations: 'workflow-commands',
      });
      assert.equal(run.code, 1);
      assert.equal(bird.hits.length, 0, 'nothing reached the origin the spec named');
      const line = hijacked.split('\n').findIndex((l) => l.startsWith('  baseUrl:')) + 1;
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.ok(
        errors[0]!.startsWith(
          `::error title=provspec%3A Quickstart — joiner%2C mover%2C leaver ` +
            `could not run,file=${SPEC},line=${line},endLine=${line},col=12,`,
        ),
        errors[0],
      );
      assert.match(errors[0]!, /is not an allowed origin/);
      // Without base-url or allowed-origins, nothing is trusted at all.
      const bare = await runAction(workspace({ [SPEC]: hijacked }), { specs: SPEC, token: server.token });
      assert.equal(bare.code, 1);
      assert.equal(bird.hits.length, 0);
      assert.match(bare.summary, /Neither `base-url` nor `allowed-origins` was given/);
    } finally {
      await bird.close();
    }
  });

  it('an environment variable the specs need but the job lacks is an error at its line, and nothing is sent', async () => {
    const bird = await canary();
    try {
      const spec = QUICKSTART.replace('baseUrl: ${{ env.SCIM_BASE_URL }}', 'baseUrl: ${{ env.ACME_SCIM_URL }}');
      const run = await runAction(workspace({ [SPEC]: spec }), {
        specs: SPEC,
        token: server.token,
        'allowed-origins': bird.url,
        annotations: 'workflow-commands',
      });
      assert.equal(run.code, 1);
      assert.equal(bird.hits.length, 0, 'nothing was sent');
      const line = spec.split('\n').findIndex((l) => l.startsWith('  baseUrl:')) + 1;
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.ok(errors[0]!.startsWith(`::error title=provspec unset-env,file=${SPEC},line=${line},`), errors[0]);
      assert.match(errors[0]!, /ACME_SCIM_URL is not set/);
      assert.match(run.summary, /unset \(annotated on their lines\); nothing was sent/);
    } finally {
      await bird.close();
    }
  });

  it("keeps the runner's own credentials (ACTIONS_* runtime tokens, GITHUB_TOKEN, inputs) out of the specs' reach", async () => {
    const bird = await canary();
    try {
      const probe = (query: string) => `      - probe:\n          get: ${bird.url}/?${query}\n          expect: { status: 500 }\n`;
      const spec = (queries: string[]) =>
        manyJoiners(1).replace('      - provision\n', `      - provision\n${queries.map(probe).join('')}`);
      const env = {
        APP_TAG: 'visible-tag',
        ACTIONS_RUNTIME_TOKEN: 'runtime-secret-1a2b',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret-3c4d',
        GITHUB_TOKEN: 'ghs_exported_5e6f',
      };
      const inputs = { specs: 'probe.provspec.yaml', 'base-url': server.baseUrl, token: server.token, annotations: 'workflow-commands' };
      // The workflow's own variables are there: the probe runs with them.
      await runAction(workspace({ 'probe.provspec.yaml': spec(['tag=${{ env.APP_TAG }}']) }), inputs, env);
      assert.match(bird.hits.map((h) => h.url).join('\n'), /tag=visible-tag/, "the probe ran with the workflow's variable");
      // The runner's own are not: to the spec they are unset, so the run stops before sending anything.
      const before = bird.hits.length;
      const run = await runAction(
        workspace({
          'probe.provspec.yaml': spec(['rt=${{ env.ACTIONS_RUNTIME_TOKEN }}', 'gh=${{ env.GITHUB_TOKEN }}', 'in=${{ env.INPUT_TOKEN }}']),
        }),
        inputs,
        env,
      );
      assert.equal(run.code, 1);
      assert.equal(bird.hits.length, before, 'nothing was sent');
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
      assert.deepEqual(
        errors.map((e) => /variable (\w+) is not set/.exec(e)?.[1]),
        ['ACTIONS_RUNTIME_TOKEN', 'GITHUB_TOKEN', 'INPUT_TOKEN'],
        errors.join('\n'),
      );
      for (const secret of ['runtime-secret-1a2b', 'oidc-secret-3c4d', 'ghs_exported_5e6f'])
        assert.ok(!run.stdout.includes(secret) && !run.summary.includes(secret), `${secret} never shown`);
    } finally {
      await bird.close();
    }
  });

  it('without a token (a fork pull request), validates, annotates validation errors, and explains the skip', async () => {
    const ok = await runAction(workspace({ [SPEC]: QUICKSTART }), { specs: SPEC, 'base-url': server.baseUrl });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.summary, /^## provspec ⏭️ no scenarios ran$/m);
    assert.match(ok.summary, /The run was skipped: the `token` input is empty/);
    assert.deepEqual([ok.outputs['passed'], ok.outputs['failed'], ok.outputs['errored']], ['0', '0', '0']);

    const broken = QUICKSTART.replace('dialect: rfc7644', 'dialect: rfc7644x');
    const line = broken.split('\n').findIndex((l) => l.includes('rfc7644x')) + 1;
    const bad = await runAction(workspace({ [SPEC]: broken }), { specs: SPEC, 'base-url': server.baseUrl, token: server.token });
    assert.equal(bad.code, 1);
    const errors = bad.stdout.split('\n').filter((l) => l.startsWith('::error'));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.ok(
      errors[0]!.startsWith(`::error title=provspec invalid-value,file=${SPEC},line=${line},endLine=${line},col=12,endColumn=20::`),
      errors[0],
    );
    assert.match(bad.summary, /The specs have errors \(annotated on their lines\); nothing was sent\./);
    assert.match(bad.summary, new RegExp(`\\| ${line}:12 \\| error \\| \`invalid-value\` \\|`));
  });

  it('shards split the scenarios; merge mode combines the reports and annotates once', async () => {
    const dir = workspace({ [SPEC]: QUICKSTART });
    const shards = [];
    for (const index of [1, 2, 3]) {
      shards.push(
        await runAction(dir, {
          specs: SPEC,
          'base-url': server.baseUrl,
          token: server.token,
          shard: `${index}/3`,
          annotations: 'none',
          summary: 'false',
          report: `results/shard-${index}.json`,
        }),
      );
    }
    const counts = shards.map((s) => Number(s.outputs['passed']) + Number(s.outputs['failed']));
    assert.ok(
      counts.every((n) => n > 0),
      `every shard ran something: ${counts}`,
    );
    assert.ok(
      shards.every((s) => !s.stdout.includes('::error')),
      'shards do not annotate',
    );
    assert.ok(
      shards.every((s) => s.summary === ''),
      'shards write no summary',
    );
    const merged = await runAction(dir, {
      mode: 'merge',
      results: 'results/*.json',
      annotations: 'workflow-commands',
      report: 'merged.json',
    });
    assert.equal(merged.code, 1);
    assert.equal(merged.outputs['failed'], '3');
    // As many as one run of the whole spec: each shard prepares the groups, the merge counts that once.
    const whole = await runAction(dir, {
      specs: SPEC,
      'base-url': server.baseUrl,
      token: server.token,
      annotations: 'none',
      summary: 'false',
      report: 'whole.json',
    });
    assert.equal(merged.outputs['passed'], whole.outputs['passed']);
    assert.ok(Number(merged.outputs['passed']) < shards.reduce((n, s) => n + Number(s.outputs['passed']), 0));
    assert.equal(merged.stdout.split('\n').filter((l) => l.startsWith('::error')).length, 3);
    assert.match(merged.summary, /^## provspec ❌ 3 of 6 scenarios passed$/m);
    const report = JSON.parse(readFileSync(path.join(dir, 'merged.json'), 'utf8'));
    assert.deepEqual(
      report.specs[0].scenarios.filter((s: { section: string }) => s.section !== 'setup').map((s: { name: string }) => s.name),
      ['joiner', 'mover', 'leaver', 'missing-userName', 'bad-token', 'duplicate-create'],
    );
  });

  it('with embedded: true, runs the specs against the built-in reference server, no secrets needed', async () => {
    const run = await runAction(
      workspace({
        [SPEC]: QUICKSTART,
        'specs/entra.provspec.yaml': readFileSync(path.join(ROOT, 'examples', 'entra.provspec.yaml'), 'utf8'),
      }),
      { specs: 'specs/', embedded: 'true' },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.ok(Number(run.outputs['passed']) > 300, run.outputs['passed']);
    assert.equal(run.outputs['failed'], '0');
    assert.match(run.summary, /^## provspec ✅ \d+ of \d+ scenarios passed$/m);
    assert.match(run.summary, /Ran against the built-in reference SCIM server \(input `embedded`\)/);
    assert.match(run.stdout, /^::add-mask::\S+$/m, "the embedded server's token is masked too");
    const refused = await runAction(workspace({ [SPEC]: QUICKSTART }), { specs: SPEC, embedded: 'true', token: 'x' });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      /Input "embedded" runs against the built-in reference server: leave base-url, token and allowed-origins empty\./,
    );
  });

  it('when the workflow is cancelled (SIGINT) mid-run, removes what it created before exiting', async () => {
    const slow = await startReferenceServer({ misbehave: ['slow'], slowMs: 150 });
    try {
      // Cancelled once a joiner has passed: its user exists on the server and is in the run's
      // ledger (a run removes what it created at its end), with most of the 40 still to come.
      const run = await runAction(
        workspace({ 'many.provspec.yaml': manyJoiners(40) }),
        { specs: 'many.provspec.yaml', 'base-url': slow.baseUrl, token: slow.token },
        {},
        /^✔ lifecycle\.joiner-\d+ /m,
      );
      const stopping = Date.now() - run.interruptedAt!;
      assert.ok(stopping < 30_000, `it stopped promptly, not after the other scenarios: ${stopping} ms after the SIGINT`);
      assert.match(run.stdout, /provspec: SIGINT; stopping and removing what this run created/);
      const count = async (what: string) =>
        (
          (await (await fetch(`${slow.baseUrl}/${what}?count=0`, { headers: { authorization: `Bearer ${slow.token}` } })).json()) as {
            totalResults: number;
          }
        ).totalResults;
      assert.equal(await count('Users'), 0, 'no user left behind');
      assert.equal(await count('Groups'), 0, 'no group left behind');
      const report = JSON.parse(readFileSync(run.outputs['report']!, 'utf8'));
      const audit = report.specs[0].audit as Array<{ action: string; id: string }>;
      const created = audit
        .filter((a) => a.action === 'created')
        .map((a) => a.id)
        .sort();
      assert.ok(created.length > 0, 'it had created resources before the interrupt');
      assert.deepEqual(
        audit
          .filter((a) => a.action === 'removed')
          .map((a) => a.id)
          .sort(),
        created,
        'each one removed, by id',
      );
      const scenarios = report.specs[0].scenarios as Array<{ status: string; skipped?: string; checks: Array<{ message: string }> }>;
      const cut = scenarios.filter((x) => x.skipped === 'the run was interrupted' || x.checks.some((c) => /interrupted/.test(c.message)));
      assert.ok(cut.length > 0, 'the run was cut short: some scenarios say they were interrupted');
      assert.deepEqual(report.specs[0].orphans, []);
    } finally {
      await slow.close();
    }
  });

  it('refuses bad inputs with one clear error', async () => {
    const run = await runAction(workspace({ [SPEC]: QUICKSTART }), { specs: SPEC, shard: '5/4' });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^::error::provspec: Input "shard": shard must be i\/n with 1 <= i <= n/m);
    const strict = await runAction(workspace({ [SPEC]: QUICKSTART }), { specs: SPEC, strict: 'maybe' });
    assert.match(strict.stdout, /^::error::provspec: Input "strict" must be one of true, false, not "maybe"\.$/m);
    const profile = await runAction(workspace({ [SPEC]: QUICKSTART }), { specs: SPEC, profile: 'azure' });
    assert.match(profile.stdout, /^::error::provspec: Input "profile" must be one of rfc7644, entra, okta, not "azure"\.$/m);
    const missing = await runAction(workspace({}), { specs: 'nope/*.provspec.yaml' });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^::error::provspec: nope\/\*\.provspec\.yaml: no file matches this pattern$/m);
  });
});
