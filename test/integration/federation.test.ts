// Just-in-time provisioning, end to end: provspec plays the IdP (oidc-provider on 127.0.0.1),
// the reference server's demo app is the relying party (openid-client) that provisions into the
// store its SCIM API serves. The example passes against the correct app and leaves nothing
// behind; each of the app's federation misbehaviours fails exactly the checks at the lines the
// fixture marks for it, and no scenario fails twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FEDERATION_MISBEHAVIOURS, SAML_MISBEHAVIOURS } from '../../reference/index.ts';
import { ROOT, failing, leftOnServer, runSpecFile, withFederatedServer } from './helpers.ts';

const EXAMPLE = 'examples/federation-oidc.provspec.yaml';
const SAML_EXAMPLE = 'examples/federation-saml.provspec.yaml';
const FIXTURE = 'test/integration/fixtures/federation.provspec.yaml';
const SAML_FIXTURE = 'test/integration/fixtures/federation-saml.provspec.yaml';
/** Each fixture with the flags it proves: the relying party's (OIDC and JIT) and the service provider's (SAML). */
const PROOFS = [
  { fixture: FIXTURE, flags: FEDERATION_MISBEHAVIOURS },
  { fixture: SAML_FIXTURE, flags: SAML_MISBEHAVIOURS },
];

/** Lines of `fixture` marked `# fails: FLAG[, FLAG…]` (or `# warns: …`). */
function markedLines(fixture: string, flag: string, mark: 'fails' | 'warns' = 'fails'): number[] {
  return readFileSync(path.join(ROOT, fixture), 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      const match = new RegExp(`# ${mark}: ([^#]+)`).exec(line);
      return match?.[1]?.split(',').some((s) => s.trim() === flag) ? [i + 1] : [];
    });
}

describe('federation against a correct relying party', () => {
  // Each file, and checks that must have run in it (a suite that silently did nothing passes too).
  const SIGN_IN = ['federation.login', 'federation.account', 'federation.same-account', 'federation.refused'];
  const RAN: Record<string, string[]> = {
    [EXAMPLE]: [...SIGN_IN, 'federation.session', 'federation.backchannel', 'oidc-rp.wrong-aud', 'oidc-rp.alg-none', 'oidc-rp.pkce'],
    [SAML_EXAMPLE]: [...SIGN_IN, 'saml-sp.unsigned', 'saml-sp.wrong-recipient', 'saml-sp.modified'],
    [FIXTURE]: [...SIGN_IN, 'federation.session', 'oidc-rp.wrong-nonce'],
    [SAML_FIXTURE]: [...SIGN_IN, 'saml-sp.other-key', 'saml-sp.expired'],
  };
  for (const [file, ran] of Object.entries(RAN)) {
    it(`${file} passes and leaves nothing behind`, async () => {
      await withFederatedServer([], async (server, run) => {
        const result = await runSpecFile(file, server, {}, run);
        assert.deepEqual(failing(result), []);
        // A correct app earns no warning either: one would be a false finding.
        assert.deepEqual(
          result.scenarios.flatMap((s) => s.checks.filter((c) => c.status === 'warn').map((c) => `${s.name} ${c.id}`)),
          [],
        );
        assert.equal(result.status, 'pass');
        const checks = new Set<string>(result.scenarios.flatMap((s) => s.checks.filter((c) => c.status === 'pass').map((c) => c.rule)));
        for (const rule of ran) assert.ok(checks.has(rule), `no ${rule} check passed`);
        assert.deepEqual(result.orphans, []);
        assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
      });
    });
  }
});

describe('each federation misbehaviour fails the check at its marked line', () => {
  for (const { fixture, flags } of PROOFS)
    for (const flag of flags) {
      it(flag, async () => {
        const lines = markedLines(fixture, flag);
        const warns = markedLines(fixture, flag, 'warns');
        assert.ok(lines.length + warns.length > 0, `the fixture marks no line for ${flag}`);
        await withFederatedServer([flag], async (server, run) => {
          const result = await runSpecFile(fixture, server, {}, run);
          const failures = failing(result);
          const warnings = result.scenarios.flatMap((s) =>
            s.checks.filter((c) => c.status === 'warn').map((c) => ({ scenario: s.name, id: c.id, line: c.range.start.line + 1 })),
          );
          for (const line of warns)
            assert.ok(
              warnings.some((w) => w.line === line),
              `no warning at line ${line} for ${flag}; warnings: ${JSON.stringify(warnings, null, 1)}`,
            );
          for (const w of warnings)
            assert.ok(warns.includes(w.line), `${flag} also warned ${w.scenario} › ${w.id} at unmarked line ${w.line}`);
          for (const line of lines)
            assert.ok(
              failures.some((f) => f.line === line),
              `no failing check at line ${line} for ${flag}; failures: ${JSON.stringify(failures, null, 1)}`,
            );
          for (const f of failures)
            assert.ok(lines.includes(f.line), `${flag} also failed ${f.scenario} › ${f.id} at unmarked line ${f.line}: ${f.message}`);
          for (const scenario of result.scenarios) {
            const failed = scenario.checks.filter((c) => c.status === 'fail' || c.status === 'error');
            assert.ok(
              failed.length <= 1,
              `${flag}: ${scenario.name} has ${failed.length} failing checks: ${failed.map((c) => c.id).join(', ')}`,
            );
          }
          assert.deepEqual(result.orphans, []);
          assert.deepEqual(await leftOnServer(server), { users: 0, groups: 0 });
        });
      });
    }
});

describe('what an SP may take, as the spec declares it', () => {
  // The example declares unsolicited and SHA-1 Responses refused; an SP that takes them, declared
  // so, passes: taking them is legal (Profiles §4.1.5, XML Signature 1.1), not a finding.
  const declaredAccepting = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provspec-saml-declared-'));
    const file = path.join(dir, 'accepting.provspec.yaml');
    const text = readFileSync(path.join(ROOT, SAML_EXAMPLE), 'utf8')
      .replace(/unsolicited: refused[^\n]*/, 'unsolicited: accepted')
      .replace(/sha1: refused[^\n]*/, 'sha1: accepted');
    writeFileSync(file, text);
    return file;
  };
  const verdicts = (result: Awaited<ReturnType<typeof runSpecFile>>) =>
    result.scenarios.flatMap((s) =>
      s.checks.filter((c) => c.rule === 'saml-sp.unsolicited' || c.rule === 'saml-sp.sha1').map((c) => `${c.rule} ${c.status}`),
    );

  it('an SP that takes them, declared accepting, passes; the same declaration fails an SP that refuses them', async () => {
    const file = declaredAccepting();
    try {
      await withFederatedServer(['saml-accepts-unsolicited', 'saml-accepts-sha1'], async (server, run) => {
        const result = await runSpecFile(file, server, { scenarios: ['saml-sp'] }, run);
        assert.deepEqual(verdicts(result).sort(), ['saml-sp.sha1 pass', 'saml-sp.unsolicited pass']);
      });
      await withFederatedServer([], async (server, run) => {
        const result = await runSpecFile(file, server, { scenarios: ['saml-sp'] }, run);
        assert.deepEqual(verdicts(result).sort(), ['saml-sp.sha1 fail', 'saml-sp.unsolicited fail']);
      });
    } finally {
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
