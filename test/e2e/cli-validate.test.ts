// `provspec validate` as users run it: the bundled CLI in its own process, real files, real
// exit codes. In-process tests cannot catch a broken bundle, a stray stack trace or colour
// leaking into a pipe; these can.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'provspec.js');
const ANSI = /\u001b\[[0-9;]*m/;
const STACK_FRAME = /^ {4}at /m;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Colour variables of the test runner's own environment must not decide what the child does. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'NODE_DISABLE_COLORS', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) delete env[name];
  return env;
}

function run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...baseEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertNoStackTrace(result: Run): void {
  assert.doesNotMatch(result.stderr, STACK_FRAME, `stack trace on stderr:\n${result.stderr}`);
  assert.doesNotMatch(result.stdout, STACK_FRAME, `stack trace on stdout:\n${result.stdout}`);
}

const VALID = `provspec: 1
target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    bearer: \${{ env.SCIM_TOKEN }}
identities:
  alice:
    email: alice@example.test
mapping:
  userName: \${{ identity.email }}
lifecycle:
  joiner:
    identity: alice
    steps:
      - provision
`;

const VALID_JSON = `${JSON.stringify(
  {
    provspec: 1,
    target: { baseUrl: '${{ env.SCIM_BASE_URL }}', auth: { bearer: '${{ env.SCIM_TOKEN }}' } },
    identities: { alice: { email: 'alice@example.test' } },
    mapping: { userName: '${{ identity.email }}' },
    lifecycle: { joiner: { identity: 'alice', steps: ['provision'] } },
  },
  null,
  2,
)}\n`;

// Line 10, the mapping: a misspelt identity attribute, one error with a suggestion.
const TYPO = VALID.replace('identity.email }}', 'identity.emial }}');
// Line 5: a literal token is only a warning, so the spec still passes.
const LITERAL_SECRET = VALID.replace('bearer: ${{ env.SCIM_TOKEN }}', 'bearer: hunter2');

let work: string;
let counter = 0;

/** A fresh directory holding `files` (relative path -> content). */
function project(files: Record<string, string | Buffer>): string {
  const dir = path.join(work, `p${++counter}`);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

before(() => {
  // The bundle is what ships, and what this tests: `npm test` builds it once, before any test
  // (building here raced the other tests that run the bundle in parallel).
  work = mkdtempSync(path.join(tmpdir(), 'provspec-e2e-'));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('provspec validate: text output', () => {
  it('prints file:line:col: severity code: message, a code frame with carets under the range, and a summary', async () => {
    const cwd = project({ 'typo.provspec.yaml': TYPO });
    const result = await run(['validate', 'typo.provspec.yaml'], { cwd });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.stdout.split('\n'), [
      'typo.provspec.yaml:10:17: error unknown-identity-attribute: No identity has an attribute "emial". Did you mean "identity.email"?',
      '   |',
      '10 |   userName: ${{ identity.emial }}',
      '   |                 ^^^^^^^^^^^^^^',
      '',
      '✖ 1 error in 1 file (1 spec checked)',
      '',
    ]);
  });

  it('shows warnings but passes a spec that has only warnings', async () => {
    const cwd = project({ 'warn.provspec.yaml': LITERAL_SECRET });
    const result = await run(['validate', 'warn.provspec.yaml'], { cwd });
    assert.equal(result.code, 0);
    const lines = result.stdout.split('\n');
    assert.match(lines[0] ?? '', /^warn\.provspec\.yaml:5:13: warning literal-secret: \S/);
    assert.equal(lines[3], '  |             ^^^^^^^');
    assert.equal(lines.at(-2), '✔ 1 spec valid (1 warning)');
  });

  it('says a valid spec is valid and nothing else', async () => {
    const cwd = project({ 'ok.provspec.yaml': VALID, 'ok.provspec.json': VALID_JSON });
    const result = await run(['validate', 'ok.provspec.yaml', 'ok.provspec.json'], { cwd });
    assert.deepEqual(result, { code: 0, stdout: '✔ 2 specs valid\n', stderr: '' });
  });

  it('validates the shipped examples', async () => {
    const result = await run(['validate', 'examples/']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, '✔ 6 specs valid\n');
  });
});

describe('provspec validate --format sarif', () => {
  it('prints SARIF 2.1.0 with each finding at its 1-based region, for code scanning', async () => {
    const cwd = project({ 'specs/typo.provspec.yaml': TYPO });
    const result = await run(['validate', '--format', 'sarif', 'specs/typo.provspec.yaml'], { cwd });
    assert.equal(result.code, 1);
    const sarif = JSON.parse(result.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{ ruleId: string; level: string; locations: unknown[] }>;
      }>;
    };
    assert.equal(sarif.version, '2.1.0');
    const [only] = sarif.runs[0]!.results;
    assert.equal(sarif.runs[0]!.results.length, 1);
    assert.equal(only!.ruleId, 'unknown-identity-attribute');
    assert.equal(only!.level, 'error');
    assert.deepEqual(only!.locations, [
      {
        physicalLocation: {
          artifactLocation: { uri: 'specs/typo.provspec.yaml' },
          region: { startLine: 10, endLine: 10, startColumn: 17, endColumn: 31 },
        },
      },
    ]);
    assert.deepEqual(
      sarif.runs[0]!.tool.driver.rules.map((r) => r.id),
      ['unknown-identity-attribute'],
    );
  });
});

describe('provspec validate --format json', () => {
  it('prints an array of 1-based located diagnostics', async () => {
    const cwd = project({ 'specs/typo.provspec.yaml': TYPO });
    const result = await run(['validate', '--format', 'json', 'specs/typo.provspec.yaml'], { cwd });
    assert.equal(result.code, 1);
    const diagnostics = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(diagnostics));
    assert.equal(diagnostics.length, 1);
    const { suggestions, ...located } = diagnostics[0] ?? {};
    assert.deepEqual(located, {
      file: 'specs/typo.provspec.yaml',
      line: 10,
      column: 17,
      endLine: 10,
      endColumn: 31,
      severity: 'error',
      code: 'unknown-identity-attribute',
      message: 'No identity has an attribute "emial". Did you mean "identity.email"?',
    });
    assert.deepEqual(suggestions, ['identity.email']);
    // The columns must select exactly the misspelt expression in the file.
    const line = TYPO.split('\n')[9] ?? '';
    assert.equal(line.slice(16, 30), 'identity.emial');
  });

  it('prints [] for valid specs and keeps warnings with exit code 0', async () => {
    const cwd = project({ 'ok.provspec.yaml': VALID, 'warn.provspec.yaml': LITERAL_SECRET });
    const valid = await run(['validate', '--format=json', 'ok.provspec.yaml'], { cwd });
    assert.equal(valid.code, 0);
    assert.deepEqual(JSON.parse(valid.stdout), []);
    const warned = await run(['validate', '--format=json', 'warn.provspec.yaml'], { cwd });
    assert.equal(warned.code, 0);
    const diagnostics = JSON.parse(warned.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      diagnostics.map((d) => [d['file'], d['line'], d['column'], d['severity'], d['code']]),
      [['warn.provspec.yaml', 5, 13, 'warning', 'literal-secret']],
    );
  });

  it('reports every file of a run in one array, with no colour even when forced', async () => {
    const cwd = project({ 'a.provspec.yaml': TYPO, 'b.provspec.json': VALID_JSON, 'c.provspec.yaml': LITERAL_SECRET });
    const result = await run(['validate', '--format', 'json', '.'], { cwd, env: { FORCE_COLOR: '1' } });
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stdout, ANSI);
    const diagnostics = JSON.parse(result.stdout) as Array<{ file: string; code: string }>;
    assert.deepEqual(
      diagnostics.map((d) => `${d.file} ${d.code}`),
      ['a.provspec.yaml unknown-identity-attribute', 'c.provspec.yaml literal-secret'],
    );
  });
});

describe('provspec exit codes and usage errors', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['validate', '--bogus', 'ok.provspec.yaml'], /provspec validate: .*--bogus/],
    ['a missing file', ['validate', 'missing.provspec.yaml'], /missing\.provspec\.yaml: no such file or directory/],
    ['validate without arguments', ['validate'], /name at least one spec file/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['a bad --format', ['validate', '--format', 'xml', 'ok.provspec.yaml'], /--format must be text, json or sarif/],
    ['a directory with no spec files', ['validate', 'empty'], /empty: no \*\.provspec\.yaml/],
    ['a glob that matches nothing', ['validate', '*.nothing.provspec.yaml'], /no file matches this pattern/],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 for ${what}, with a one-line reason on stderr`, async () => {
      const cwd = project({ 'ok.provspec.yaml': VALID, 'empty/notes.yaml': 'a: 1\n' });
      const result = await run(args, { cwd });
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
      assertNoStackTrace(result);
    });
  }

  it('exits 2 and prints the help when given no arguments at all', async () => {
    const result = await run([]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^Usage: provspec <command>/m);
  });

  it('exits 1 when any one of several files has an error', async () => {
    const cwd = project({ 'ok.provspec.yaml': VALID, 'typo.provspec.yaml': TYPO });
    const result = await run(['validate', 'ok.provspec.yaml', 'typo.provspec.yaml'], { cwd });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✖ 1 error in 1 file \(2 specs checked\)\n$/);
  });
});

describe('provspec validate: finding spec files', () => {
  // Everything that must be ignored has an error in it, so picking any of it up fails the run.
  const tree = {
    'specs/a.provspec.yaml': VALID,
    'specs/team/b.provspec.yml': VALID,
    'specs/team/deep/c.provspec.json': VALID_JSON,
    'specs/ci.yaml': 'this: [is not a spec\n',
    'specs/team/notes.yml': TYPO,
    'specs/fixtures.json': '{ "not": "a spec" }',
    'specs/node_modules/some-pkg/d.provspec.yaml': TYPO,
    'specs/team/node_modules/e.provspec.json': '{',
  };

  it('searches a directory recursively for *.provspec.yaml|yml|json, skipping other files and node_modules', async () => {
    const cwd = project(tree);
    const result = await run(['validate', '--format', 'json', 'specs'], { cwd });
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(JSON.parse(result.stdout), []);
    const text = await run(['validate', 'specs/'], { cwd });
    assert.equal(text.stdout, '✔ 3 specs valid\n');
  });

  it('names the files it found relative to the working directory', async () => {
    const cwd = project({ ...tree, 'specs/team/deep/c.provspec.json': VALID_JSON.replace('identity.email', 'identity.emial') });
    const result = await run(['validate', '--format', 'json', '.'], { cwd });
    assert.equal(result.code, 1);
    const files = (JSON.parse(result.stdout) as Array<{ file: string }>).map((d) => d.file);
    assert.deepEqual(files, ['specs/team/deep/c.provspec.json']);
  });

  it('expands glob arguments itself (as when the shell passes them quoted), ignoring node_modules', async () => {
    const cwd = project(tree);
    const yaml = await run(['validate', 'specs/**/*.provspec.yaml'], { cwd });
    assert.equal(yaml.code, 0, yaml.stdout + yaml.stderr);
    assert.equal(yaml.stdout, '✔ 1 spec valid\n');
    const all = await run(['validate', '--format', 'json', '**/*.provspec.{yaml,yml,json}'], { cwd });
    assert.equal(all.code, 0, all.stdout + all.stderr);
    const some = await run(['validate', 'specs/team/**/*.provspec.*'], { cwd });
    assert.equal(some.stdout, '✔ 2 specs valid\n');
  });

  it('validates a file named twice (by path and by glob) once', async () => {
    const cwd = project(tree);
    const result = await run(['validate', 'specs/a.provspec.yaml', 'specs/*.provspec.yaml', './specs/a.provspec.yaml'], { cwd });
    assert.equal(result.stdout, '✔ 1 spec valid\n');
  });
});

describe('provspec validate: colour', () => {
  const withTypo = () => project({ 'typo.provspec.yaml': TYPO });

  it('writes no ANSI escapes to a pipe', async () => {
    const result = await run(['validate', 'typo.provspec.yaml'], { cwd: withTypo() });
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stdout, ANSI);
  });

  it('writes no ANSI escapes with NO_COLOR', async () => {
    const result = await run(['validate', 'typo.provspec.yaml'], { cwd: withTypo(), env: { NO_COLOR: '1' } });
    assert.doesNotMatch(result.stdout, ANSI);
  });

  it('colours with FORCE_COLOR=1 even into a pipe', async () => {
    const cwd = withTypo();
    const result = await run(['validate', 'typo.provspec.yaml'], { cwd, env: { FORCE_COLOR: '1' } });
    assert.equal(result.code, 1);
    assert.match(result.stdout, ANSI);
    // Colour must not change the text itself.
    const plain = await run(['validate', 'typo.provspec.yaml'], { cwd });
    assert.equal(result.stdout.replace(new RegExp(ANSI.source, 'g'), ''), plain.stdout);
  });

  it('colours with --color, and --no-color wins over FORCE_COLOR', async () => {
    const cwd = withTypo();
    const forced = await run(['validate', '--color', 'typo.provspec.yaml'], { cwd });
    assert.match(forced.stdout, ANSI);
    const disabled = await run(['validate', '--no-color', 'typo.provspec.yaml'], { cwd, env: { FORCE_COLOR: '1' } });
    assert.doesNotMatch(disabled.stdout, ANSI);
  });
});

describe('provspec --help and --version', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual(await run(['--version']), { code: 0, stdout: `${version}\n`, stderr: '' });
    assert.equal((await run(['-v'])).stdout, `${version}\n`);
  });

  it('--help lists the commands and exits 0', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: provspec <command> \[options\]$/m);
    assert.match(result.stdout, /^ {2}validate /m);
  });

  it('validate --help describes the options and exits 0', async () => {
    const result = await run(['validate', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: provspec validate/);
    assert.match(result.stdout, /--format text\|json/);
  });
});

describe('provspec validate: broken files', () => {
  // Fixed bytes rather than random ones, so a failure reproduces. No ESC (0x1b) among them:
  // the code frame echoes source lines as they are.
  const garbage = Buffer.from(
    Array.from({ length: 1500 }, (_, i) => {
      const byte = (i * 167 + 13) % 256;
      return byte === 0x1b ? 0 : byte;
    }),
  );

  const broken: Array<[string, string | Buffer]> = [
    ['empty.provspec.yaml', ''],
    ['empty.provspec.json', ''],
    ['blank.provspec.yaml', '\n\n   \n'],
    ['garbage.provspec.yaml', garbage],
    ['garbage.provspec.json', garbage],
    ['nul.provspec.yaml', Buffer.from([0, 0, 0xff, 0xfe, 0x7b, 0x5b, 0])],
    ['truncated.provspec.json', VALID_JSON.slice(0, 120)],
    ['tabs.provspec.yaml', 'provspec: 1\n\ttarget: {\n'],
    ['bom-only.provspec.yaml', '\uFEFF'],
  ];

  for (const [name, content] of broken) {
    it(`${name}: located errors, exit 1, no stack trace`, async () => {
      const cwd = project({ [name]: content });
      const text = await run(['validate', name], { cwd });
      assert.equal(text.code, 1, text.stdout + text.stderr);
      assertNoStackTrace(text);
      assert.equal(text.stderr, '');
      assert.match(text.stdout, new RegExp(`^${name.replace(/\./g, '\\.')}:\\d+:\\d+: error [a-z-]+: \\S`, 'm'));

      const json = await run(['validate', '--format', 'json', name], { cwd });
      assert.equal(json.code, 1);
      assertNoStackTrace(json);
      const diagnostics = JSON.parse(json.stdout) as Array<{
        file: string;
        line: number;
        column: number;
        endLine: number;
        endColumn: number;
        severity: string;
      }>;
      assert.ok(diagnostics.some((d) => d.severity === 'error'));
      const lines = Buffer.from(content)
        .toString('utf8')
        .split(/\r\n|\r|\n/);
      for (const d of diagnostics) {
        assert.equal(d.file, name);
        assert.ok(d.line >= 1 && d.line <= lines.length, `line ${d.line} outside 1..${lines.length}`);
        assert.ok(d.endLine >= d.line && d.endLine <= lines.length, `endLine ${d.endLine}`);
        assert.ok(d.column >= 1 && d.column <= (lines[d.line - 1] ?? '').length + 1, `column ${d.column}`);
      }
    });
  }

  it('the empty spec error points at 1:1', async () => {
    const cwd = project({ 'empty.provspec.yaml': '' });
    const result = await run(['validate', '--format', 'json', 'empty.provspec.yaml'], { cwd });
    const [d] = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual([d?.['line'], d?.['column'], d?.['code']], [1, 1, 'empty-spec']);
  });
});
