// `provspec drift` against a real reference server whose data has drifted from a spec: exactly the
// planted differences, missing people and orphans are reported, each at its spec line; the
// people that match are not; and the server's database is the same byte for byte, row for row,
// afterwards (only GET requests were sent).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startReferenceServer, type ReferenceServer } from '../../reference/index.ts';
import type { DriftReport } from '../../core/drift/drift.ts';
import { main } from '../../cli/main.ts';
import type { CommandIO } from '../../cli/io.ts';

/**
 * The CLI in-process, its output captured (as helpers.ts's cliInProcess, without loading the
 * runner: drift never needs it).
 */
async function cliInProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = {
    stdout: { write: (t: string) => out.push(t), isTTY: false } as unknown as NodeJS.WriteStream,
    stderr: { write: (t: string) => err.push(t), isTTY: false } as unknown as NodeJS.WriteStream,
    cwd: path.dirname(argv[1] ?? '.'),
    env,
    stop: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The spec, each line that a finding must point at marked with a `# @name` comment. */
function specText(extra = ''): string {
  const person = (name: string, id: string, given: string, family: string, department: string) =>
    [
      `  ${name}: # @${name}`,
      `    employeeId: ${id}`,
      `    email: ${name}@example.test # @${name}.email`,
      `    givenName: ${given}`,
      `    familyName: ${family}`,
      `    department: ${department} # @${name}.department`,
    ].join('\n');
  return `provspec: 1
name: drift
target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    bearer: \${{ env.SCIM_TOKEN }}
${extra}
identities: # @identities
${person('alice', 'E001', 'Alice', 'Liddell', 'Engineering')}
${person('bob', 'E002', 'Bob', 'Builder', 'Sales')}
${person('carol', 'E003', 'Carol', 'Danvers', 'Engineering')}
${person('dave', 'E004', 'Dave', 'Lister', 'Sales')}
${person('erin', 'E005', 'Erin', 'Brockovich', 'Engineering')}
${person('frank', 'E006', 'Frank', 'Poole', 'Sales')}
${person('gina', 'E007', 'Gina', 'Linetti', 'Sales')}
${person('henry', 'E008', 'Henry', 'Jekyll', 'Engineering')}
${person('ivy', 'E009', 'Ivy', 'Walker', 'Engineering')}
mapping:
  userName: \${{ identity.email }}
  externalId: \${{ identity.employeeId }}
  name.givenName: \${{ identity.givenName }}
  name.familyName: \${{ identity.familyName }}
  displayName: \${{ identity.givenName }} \${{ identity.familyName }} # @mapping.displayName
  emails[type eq "work"].value: \${{ identity.email }}
  active: true
  ${ENTERPRISE}:department: \${{ identity.department }}
groups:
  Engineering: {}
  Sales: { displayName: Sales Team }
  Admins: {} # @groups.Admins
roles:
  - name: engineers
    when: { department: Engineering }
    memberOf: [Engineering] # @engineers.memberOf
    notMemberOf: [Sales] # @engineers.notMemberOf
  - name: sales
    when: { department: Sales }
    memberOf: [Sales]
    notMemberOf: [Engineering]
`;
}

function lineOf(text: string, marker: string): number {
  const index = text.split('\n').findIndex((l) => l.endsWith(`# @${marker}`));
  assert.ok(index >= 0, `marker ${marker}`);
  return index + 1;
}

interface Seed {
  userName: string;
  externalId?: string;
  given: string;
  family: string;
  displayName?: string;
  email?: string;
  department: string;
}

/** The user as an IdP would have provisioned it from the identity (then changed by `seed`'s caller). */
function user(seed: Seed): Record<string, unknown> {
  return {
    schemas: [CORE_USER, ENTERPRISE],
    userName: seed.userName,
    ...(seed.externalId ? { externalId: seed.externalId } : {}),
    name: { givenName: seed.given, familyName: seed.family },
    displayName: seed.displayName ?? `${seed.given} ${seed.family}`,
    emails: [{ type: 'work', value: seed.email ?? seed.userName, primary: true }],
    active: true,
    [ENTERPRISE]: { department: seed.department },
  };
}

async function post(server: ReferenceServer, endpoint: string, body: unknown): Promise<string> {
  const response = await fetch(`${server.baseUrl}/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id?: string };
  assert.equal(response.status, 201, JSON.stringify(json));
  return json.id!;
}

/** The accounts, as provisioned once and changed since (the planted drift). */
const SEEDS: Record<string, Seed> = {
  // Planted: the department differs.
  alice: { userName: 'alice@example.test', externalId: 'E001', given: 'Alice', family: 'Liddell', department: 'Sales' },
  // Planted: the displayName (a mapping template) differs.
  bob: {
    userName: 'bob@example.test',
    externalId: 'E002',
    given: 'Bob',
    family: 'Builder',
    displayName: 'Robert Builder',
    department: 'Sales',
  },
  // In sync, stored in other cases: userName and emails are caseExact false (RFC 7643 §4.1.1, §4.1.2).
  carol: {
    userName: 'Carol@Example.test',
    externalId: 'E003',
    given: 'Carol',
    family: 'Danvers',
    email: 'CAROL@example.test',
    department: 'Engineering',
  },
  // Planted: the work email differs.
  dave: {
    userName: 'dave@example.test',
    externalId: 'E004',
    given: 'Dave',
    family: 'Lister',
    email: 'dave.old@example.test',
    department: 'Sales',
  },
  erin: { userName: 'erin@example.test', externalId: 'E005', given: 'Erin', family: 'Brockovich', department: 'Engineering' },
  frank: { userName: 'frank@example.test', externalId: 'E006', given: 'Frank', family: 'Poole', department: 'Sales' },
  // gina: no account (missing).
  henry: { userName: 'henry@example.test', externalId: 'E008', given: 'Henry', family: 'Jekyll', department: 'Engineering' },
  ivy: { userName: 'ivy@example.test', externalId: 'E009', given: 'Ivy', family: 'Walker', department: 'Engineering' },
  // Orphans: no identity has their externalId (or they have none).
  zed: { userName: 'zed@example.test', externalId: 'E999', given: 'Zed', family: 'Leaver', department: 'Sales' },
  backup: { userName: 'svc-backup', given: 'Backup', family: 'Service', department: 'IT' },
};

async function seed(
  server: ReferenceServer,
  names: string[],
  ids: Record<string, string>,
  groups: Record<string, string[]>,
): Promise<void> {
  for (const name of names) ids[name] = await post(server, 'Users', user(SEEDS[name]!));
  for (const [displayName, members] of Object.entries(groups))
    await post(server, 'Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName,
      members: members.map((n) => ({ value: ids[n]! })),
    });
}

/** Every row of every table, and the schema version: what a write of any kind would change. */
function dump(file: string): unknown {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    return {
      version: db.prepare('PRAGMA user_version').get(),
      tables: Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()])),
    };
  } finally {
    db.close();
  }
}

describe('provspec drift', () => {
  let dir: string;
  let server: ReferenceServer;
  let dbFile: string;
  const requests: Array<{ method: string; path: string }> = [];
  const ids: Record<string, string> = {};
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'provspec-drift-'));
    dbFile = path.join(dir, 'scim.db');
    // small-pages: the server answers at most 2 users a page, so the users are read over many pages.
    server = await startReferenceServer({ db: dbFile, variants: ['small-pages'], log: (l) => requests.push(l) });
    env = { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token };
    await seed(server, Object.keys(SEEDS), ids, {
      // Planted: erin is not in Engineering (her rule grants it).
      Engineering: ['alice', 'carol', 'henry', 'ivy'],
      // Planted: ivy (an engineer) is in Sales Team, which her rule excludes.
      'Sales Team': ['bob', 'dave', 'frank', 'ivy'],
      // Planted: frank is in Admins, which no rule grants anyone.
      Admins: ['frank'],
    });
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports exactly the planted drift, each at its spec line, and changes nothing', async () => {
    const text = specText();
    const specFile = path.join(dir, 'drift.provspec.yaml');
    await writeFile(specFile, text);
    const jsonFile = path.join(dir, 'drift.json');
    const markdownFile = path.join(dir, 'drift.md');
    const beforeRows = dump(dbFile);
    const beforeBytes = await readFile(dbFile);
    const from = requests.length;

    const { code, out, err } = await cliInProcess(['drift', specFile, '--report', jsonFile, '--markdown', markdownFile, '--no-color'], env);
    assert.equal(code, 1, err);

    const sent = requests.slice(from);
    assert.ok(sent.length > 5, 'the target was read');
    assert.deepEqual([...new Set(sent.map((r) => r.method))], ['GET'], 'only GET requests');
    assert.equal(sent.filter((r) => r.path.endsWith('/Users')).length, 5, 'the 10 users were read in 5 pages (2 a page)');
    assert.deepEqual(dump(dbFile), beforeRows, 'every table holds the same rows');
    assert.deepEqual(await readFile(dbFile), beforeBytes, 'the database file is unchanged');

    const report = JSON.parse(await readFile(jsonFile, 'utf8')) as DriftReport;
    assert.equal(report.match, 'externalId');
    assert.equal(report.truncated, false);
    assert.equal(report.usersRead, 10);
    assert.equal(report.drift, true);
    assert.deepEqual(report.problems, []);
    const differences = report.differences.map((d) => ({
      identity: d.identity,
      kind: d.kind,
      what: d.attribute ?? d.group,
      expected: d.expected,
      actual: d.actual,
      line: d.line,
    }));
    assert.deepEqual(differences, [
      {
        identity: 'alice',
        kind: 'attribute',
        what: `${ENTERPRISE}:department`,
        expected: 'Engineering',
        actual: 'Sales',
        line: lineOf(text, 'alice.department'),
      },
      {
        identity: 'bob',
        kind: 'attribute',
        what: 'displayName',
        expected: 'Bob Builder',
        actual: 'Robert Builder',
        line: lineOf(text, 'mapping.displayName'),
      },
      {
        identity: 'dave',
        kind: 'attribute',
        what: 'emails[type eq "work"].value',
        expected: 'dave@example.test',
        actual: 'dave.old@example.test',
        line: lineOf(text, 'dave.email'),
      },
      {
        identity: 'erin',
        kind: 'membership',
        what: 'Engineering',
        expected: 'member',
        actual: 'not a member',
        line: lineOf(text, 'engineers.memberOf'),
      },
      {
        identity: 'frank',
        kind: 'membership',
        what: 'Admins',
        expected: 'not a member',
        actual: 'member',
        line: lineOf(text, 'groups.Admins'),
      },
      {
        identity: 'ivy',
        kind: 'membership',
        what: 'Sales',
        expected: 'not a member',
        actual: 'member',
        line: lineOf(text, 'engineers.notMemberOf'),
      },
    ]);
    assert.equal(report.differences.find((d) => d.identity === 'erin')!.userId, ids['erin']);
    assert.deepEqual(
      report.missing.map((m) => [m.identity, m.key, m.line]),
      [['gina', 'E007', lineOf(text, 'gina')]],
    );
    assert.deepEqual(
      report.orphans.map((o) => [o.id, o.userName, o.externalId ?? null, o.line]),
      [
        [ids['backup'], 'svc-backup', null, lineOf(text, 'identities')],
        [ids['zed'], 'zed@example.test', 'E999', lineOf(text, 'identities')],
      ],
    );
    assert.deepEqual(
      report.people.map((p) => [p.identity, p.status]),
      [
        ['alice', 'drift'],
        ['bob', 'drift'],
        ['carol', 'in-sync'],
        ['dave', 'drift'],
        ['erin', 'drift'],
        ['frank', 'drift'],
        ['gina', 'missing'],
        ['henry', 'in-sync'],
        ['ivy', 'drift'],
      ],
    );
    assert.deepEqual(report.counts, { identities: 9, matched: 8, inSync: 2, differences: 6, missing: 1, orphans: 2, problems: 0 });

    // The terminal and the Markdown say the same, and no output carries the credential.
    assert.match(out, /✖ drift: 6 differences for 6 people, 1 missing, 2 orphans; 2 of 9 in sync; 10 users read/);
    assert.match(out, new RegExp(`drift\\.provspec\\.yaml:${lineOf(text, 'alice.department')}:\\d+`));
    const markdown = await readFile(markdownFile, 'utf8');
    assert.match(markdown, /❌ \*\*Drift\*\*/);
    assert.match(markdown, /\| gina \| E007 \|/);
    for (const output of [out, err, markdown, JSON.stringify(report)]) assert.ok(!output.includes(server.token), 'no secret in the output');
  });

  it('stops at maxUsers, says so, and looks the rest of the people up', async () => {
    const text = specText('drift:\n  maxUsers: 2');
    const specFile = path.join(dir, 'bounded.provspec.yaml');
    await writeFile(specFile, text);
    const from = requests.length;
    const { code, out, err } = await cliInProcess(['drift', specFile, '--report', '-'], env);
    assert.equal(code, 1, err);
    assert.deepEqual([...new Set(requests.slice(from).map((r) => r.method))], ['GET']);
    const report = JSON.parse(out) as DriftReport;
    assert.equal(report.truncated, true);
    assert.equal(report.usersRead, 2);
    assert.equal(report.maxUsers, 2);
    // The people past the bound were found by filter: the same differences, gina still missing.
    assert.deepEqual(
      report.differences.map((d) => `${d.identity} ${d.attribute ?? d.group}`),
      [
        `alice ${ENTERPRISE}:department`,
        'bob displayName',
        'dave emails[type eq "work"].value',
        'erin Engineering',
        'frank Admins',
        'ivy Sales',
      ],
    );
    assert.deepEqual(
      report.missing.map((m) => m.identity),
      ['gina'],
    );
    assert.ok(report.orphans.length <= 2);
    const pretty = await cliInProcess(['drift', specFile, '--no-color'], env);
    assert.match(pretty.out, /stopped after 2 users \(maxUsers 2\)/);
  });

  it('answers 0 when the target matches, and matches by userName when told to', async () => {
    // Only the people that match, on a server of their own (any other account would be an orphan).
    const text = specText('drift:\n  match: userName')
      .replace(/^ {2}(alice|bob|dave|erin|frank|gina|ivy): # @\w+\n(?: {4}.*\n){5}/gm, '')
      .replace(/^ {2}Admins: .*\n/m, '');
    const specFile = path.join(dir, 'in-sync.provspec.yaml');
    await writeFile(specFile, text);
    const own = await startReferenceServer({});
    try {
      await seed(own, ['carol', 'henry'], {}, { Engineering: ['carol', 'henry'] });
      const { code, out, err } = await cliInProcess(['drift', specFile, '--report', '-'], {
        SCIM_BASE_URL: own.baseUrl,
        SCIM_TOKEN: own.token,
      });
      assert.equal(code, 0, err);
      const report = JSON.parse(out) as DriftReport;
      assert.equal(report.match, 'userName');
      assert.equal(report.drift, false);
      assert.deepEqual(
        report.people.map((p) => [p.identity, p.status]),
        [
          ['carol', 'in-sync'],
          ['henry', 'in-sync'],
        ],
      );
      assert.deepEqual([report.differences, report.missing, report.orphans, report.problems], [[], [], [], []]);
    } finally {
      await own.close();
    }
  });

  it('a target that cannot be reached is a located error, exit 2, no stack trace', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const specFile = path.join(dir, 'gone.provspec.yaml');
    await writeFile(specFile, specText());
    const { code, out, err } = await cliInProcess(['drift', specFile], {
      SCIM_BASE_URL: `http://127.0.0.1:${port}/scim/v2`,
      SCIM_TOKEN: 'x',
    });
    assert.equal(code, 2);
    assert.match(err, /gone\.provspec\.yaml:4:\d+: error: GET \/Users \(startIndex 1\) failed.*got no answer/);
    assert.match(out, /could not read the target/);
    assert.doesNotMatch(err + out, /\n\s+at /);
  });

  it('a target that answers 500 or something not JSON is a located error, exit 2', async () => {
    const specFile = path.join(dir, 'broken.provspec.yaml');
    await writeFile(specFile, specText());
    for (const [answer, expected] of [
      [{ status: 500, type: 'application/scim+json', body: '{"detail":"database on fire"}' }, /answered 500 \(database on fire\)/],
      [{ status: 200, type: 'text/html', body: '<html>sign in</html>' }, /answered 200 with a body that is not JSON/],
    ] as const) {
      const seen: string[] = [];
      const broken = createHttpServer((request, response) => {
        seen.push(`${request.method} ${request.url}`);
        response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
      });
      await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = broken.address() as { port: number };
        const { code, out, err } = await cliInProcess(['drift', specFile], {
          SCIM_BASE_URL: `http://127.0.0.1:${port}/scim/v2`,
          SCIM_TOKEN: 'not-a-real-token',
        });
        assert.equal(code, 2, err);
        assert.match(err, /broken\.provspec\.yaml:4:\d+: error: GET \/Users \(startIndex 1\) failed/);
        assert.match(err, expected);
        assert.doesNotMatch(err + out, /\n\s+at |not-a-real-token/);
        assert.ok(seen.every((r) => r.startsWith('GET ')));
      } finally {
        await new Promise<void>((resolve) => broken.close(() => resolve()));
      }
    }
  });

  it('an unset environment variable or a bad option is exit 2 before any request', async () => {
    const specFile = path.join(dir, 'unset.provspec.yaml');
    await writeFile(specFile, specText());
    const from = requests.length;
    const unset = await cliInProcess(['drift', specFile], { SCIM_BASE_URL: server.baseUrl });
    assert.equal(unset.code, 2);
    assert.match(unset.err, /unset-env: The environment variable SCIM_TOKEN is not set/);
    const usage = await cliInProcess(['drift', specFile, '--max-users', '0'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--max-users must be a whole number/);
    assert.equal(requests.length, from, 'nothing was sent');
  });
});
