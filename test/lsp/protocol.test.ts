// The language server driven over stdio by a real LSP client: diagnostics with their exact ranges,
// a fix that makes them go away, completion at a dozen positions, hover, quick fixes that yield
// valid documents, rename, symbols, definition, references, folding, formatting, code lenses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateText } from '../../core/validate/index.ts';
import { ROOT, applyEdits, cursor, startClient, type LspClient } from './client.ts';

const QUICKSTART = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');
let client: LspClient;
let n = 0;
const uri = () => `file:///work/spec-${++n}.provspec.yaml`;

before(async () => {
  client = await startClient();
});
after(async () => {
  await client.close();
});

describe('diagnostics', () => {
  it('publishes validation diagnostics with exact ranges and codes on open', async () => {
    const u = uri();
    const text = QUICKSTART.replace(
      '    identity: alice\n    steps:\n      - provision\n      - expect: { active: true, findable',
      '    identity: alcie\n    steps:\n      - provision\n      - expect: { active: true, findable',
    );
    client.open(u, text);
    const diagnostics = await client.diagnostics(u, 1);
    const unknown = diagnostics.find((d) => d.code === 'unknown-identity');
    assert.ok(unknown, JSON.stringify(diagnostics));
    const line = text.split('\n').findIndex((l) => l.includes('identity: alcie'));
    assert.deepEqual(unknown.range, { start: { line, character: 14 }, end: { line, character: 19 } });
    assert.equal(unknown.source, 'provspec');
    assert.match(String(unknown.message), /Did you mean "alice"/);
    // The CLI's validation says exactly the same.
    const core = validateText(text, 'x.provspec.yaml').diagnostics.filter((d) => d.code === 'unknown-identity');
    assert.deepEqual(
      core.map((d) => d.range),
      [unknown.range],
    );
  });

  it('an incremental edit that fixes the error clears it; stale versions are not published', async () => {
    const u = uri();
    const text = QUICKSTART.replace('  dialect: rfc7644', '  dialect: rfc7645');
    client.open(u, text);
    const first = await client.diagnostics(u, 1);
    const bad = first.find((d) => d.code === 'invalid-value');
    assert.ok(bad, JSON.stringify(first));
    client.change(u, 2, [{ range: { start: bad.range.start, end: bad.range.end }, text: 'rfc7644' }]);
    const second = await client.diagnostics(u, 2);
    assert.deepEqual(
      second.filter((d) => d.severity === 1),
      [],
    );
  });

  it('a burst of edits is validated once, for the newest version', async () => {
    const u = uri();
    client.open(u, QUICKSTART);
    await client.diagnostics(u, 1);
    const line = QUICKSTART.split('\n').findIndex((l) => l.startsWith('name:'));
    for (let v = 2; v <= 6; v++)
      client.change(u, v, [{ range: { start: { line, character: 6 }, end: { line, character: 6 } }, text: 'x' }]);
    const last = await client.diagnostics(u, 6);
    assert.deepEqual(
      last.filter((d) => d.severity === 1),
      [],
    );
  });

  it('ignores YAML that is not a spec, and serves one whose modeline names the schema', async () => {
    const plain = 'file:///work/other.yaml';
    client.open(plain, 'foo: [', 'yaml');
    const named = 'file:///work/named.yaml';
    client.open(named, '# yaml-language-server: $schema=../schemas/provspec.schema.json\nprovspec: 2\n', 'yaml');
    const diagnostics = await client.diagnostics(named, 1);
    assert.ok(diagnostics.some((d) => d.code === 'invalid-value'));
  });
});

describe('completion', () => {
  const cases: Array<[string, string, string, string[]]> = [
    ['a dialect value', '  dialect: rfc7644\n', '  dialect: |\n', ['rfc7644', 'entra', 'entra-2020', 'okta', 'okta-wizard']],
    ['a target key', '  dialect: rfc7644\n', '  dialect: rfc7644\n  ti|\n', ['timeouts', 'allowedOrigins', 'headers', 'concurrency']],
    [
      'a top-level key',
      'name: Quickstart — joiner, mover, leaver\n',
      'name: Quickstart — joiner, mover, leaver\n|\n',
      ['conformance', 'variables', 'description'],
    ],
    ['an identity reference', '    identity: alice\n', '    identity: |\n', ['alice', 'bob']],
    [
      'a step',
      '      - provision\n      - expect: { active: true, findable: true, memberOf: [Engineering] }',
      '      - provision\n      - |',
      ['provision', 'deactivate', 'update', 'expect', 'eventually'],
    ],
    [
      'a SCIM attribute path in the mapping',
      '  active: true\n',
      '  active: true\n  ti|\n',
      ['title', 'timezone', 'name.middleName', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value'],
    ],
    ['a value-path mapping', '  active: true\n', '  active: true\n  ph|\n', ['phoneNumbers[type eq "mobile"].value']],
    [
      'an expression namespace',
      '  externalId: ${{ identity.email }}\n',
      '  externalId: ${{ |\n',
      ['identity', 'env', 'vars', 'run', 'user'],
    ],
    [
      'an identity attribute in an expression',
      '  externalId: ${{ identity.email }}\n',
      '  externalId: ${{ identity.|\n',
      ['identity.email', 'identity.department'],
    ],
    [
      'a group in memberOf',
      '    memberOf: [Engineering]\n    notMemberOf: [Sales]\n  - name: sales',
      '    memberOf:\n      - |\n    notMemberOf: [Sales]\n  - name: sales',
      ['Engineering', 'Sales'],
    ],
    [
      'an identity attribute in update',
      '      - update: { department: Sales }\n',
      '      - update:\n          |\n',
      ['department', 'givenName', 'email'],
    ],
    [
      'an expectation key',
      '      - expect: { memberOf: [Sales], notMemberOf: [Engineering] }\n',
      '      - expect:\n          |\n',
      ['active', 'exists', 'findable', 'memberOf', 'attributes'],
    ],
    ['a negative case key', '    create: alice\n', '    create: alice\n    se|\n', ['set', 'auth']],
  ];
  for (const [what, find, replace, expected] of cases) {
    it(what, async () => {
      assert.ok(QUICKSTART.includes(find), `fixture text for ${what}`);
      const { text, position } = cursor(QUICKSTART.replace(find, replace));
      const u = uri();
      client.open(u, text);
      const result = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: u }, position })) as Array<{
        label: string;
      }> | null;
      const labels = (result ?? []).map((i) => i.label);
      for (const label of expected) assert.ok(labels.includes(label), `${label} missing from ${JSON.stringify(labels.slice(0, 30))}`);
    });
  }
});

describe('hover, quick fixes, navigation', () => {
  it('hover explains a key from the schema, a SCIM attribute, and an identity', async () => {
    const u = uri();
    client.open(u, QUICKSTART);
    const lines = QUICKSTART.split('\n');
    const at = async (needle: string, delta = 1) => {
      const line = lines.findIndex((l) => l.includes(needle));
      const character = lines[line]!.indexOf(needle) + delta;
      const result = (await client.connection.sendRequest('textDocument/hover', {
        textDocument: { uri: u },
        position: { line, character },
      })) as { contents: { value: string } } | null;
      return result?.contents.value ?? '';
    };
    assert.match(await at('dialect:'), /request shapes|dialect/i);
    assert.match(await at('name.givenName:'), /string · readWrite/);
    assert.match(await at('identity: alice', 11), /identity alice[\s\S]*alice@example\.test/);
    // Identity attributes say whether runs tag them: an email is, a department is not.
    assert.match(await at('email: alice@example.test'), /\*\*email\*\* is run-scoped[\s\S]*`alice\+ps-<run>-<n>@example\.test`/);
    assert.match(await at('department: Engineering'), /\*\*department\*\* is sent exactly as written/);
  });

  it('each quick fix applied yields a valid document', async () => {
    const broken: Array<[string, string, string]> = [
      ['did-you-mean identity', '    identity: alice\n', '    identity: alcie\n'],
      ['did-you-mean key', '  dialect: rfc7644\n', '  dialekt: rfc7644\n'],
      [
        'did-you-mean group',
        '    memberOf: [Engineering]\n    notMemberOf: [Sales]\n',
        '    memberOf: [Enginering]\n    notMemberOf: [Sales]\n',
      ],
      [
        'declare an undeclared group',
        '    memberOf: [Engineering]\n    notMemberOf: [Sales]\n',
        '    memberOf: [Engineering, Legal]\n    notMemberOf: [Sales]\n',
      ],
      ['add a missing required property', '    identity: bob\n    steps:\n', '    steps:\n'],
    ];
    for (const [what, find, replace] of broken) {
      const text = QUICKSTART.replace(find, replace);
      const u = uri();
      client.open(u, text);
      const diagnostics = (await client.diagnostics(u, 1)).filter((d) => d.severity === 1);
      assert.ok(diagnostics.length > 0, `${what}: no error`);
      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: u },
        range: diagnostics[0]!.range,
        context: { diagnostics },
      })) as Array<{ title: string; isPreferred?: boolean; edit: { changes: Record<string, Array<{ range: never; newText: string }>> } }>;
      assert.ok(actions.length > 0, `${what}: no quick fix for ${diagnostics[0]!.code}`);
      const chosen = what.startsWith('declare')
        ? actions.find((a) => a.title.startsWith('Declare'))!
        : what.startsWith('add')
          ? actions.find((a) => a.title.startsWith('Add'))!
          : (actions.find((a) => a.isPreferred) ?? actions[0]!);
      assert.ok(chosen, `${what}: ${JSON.stringify(actions.map((a) => a.title))}`);
      let fixed = applyEdits(text, chosen.edit.changes[u]!);
      if (what.startsWith('add')) fixed = fixed.replace(/identity: ?\n/, 'identity: bob\n');
      const remaining = validateText(fixed, 'fixed.provspec.yaml').diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(
        remaining.map((d) => `${d.code}: ${d.message}`),
        [],
        `${what} (${chosen.title}):\n${fixed}`,
      );
    }
  });

  it('rename of an identity and of a group changes every reference and keeps the document valid', async () => {
    const u = uri();
    client.open(u, QUICKSTART);
    const lines = QUICKSTART.split('\n');
    const rename = async (needle: string, delta: number, newName: string, text: string) => {
      const line = text.split('\n').findIndex((l) => l.includes(needle));
      const character = text.split('\n')[line]!.indexOf(needle) + delta;
      const edit = (await client.connection.sendRequest('textDocument/rename', {
        textDocument: { uri: u },
        position: { line, character },
        newName,
      })) as { changes: Record<string, never[]> };
      return applyEdits(text, edit.changes[u]!);
    };
    void lines;
    const renamed = await rename('  alice:', 3, 'alicia', QUICKSTART);
    // The declaration, joiner, mover, the negative case's create and the race's identity.
    assert.equal((renamed.match(/\balicia\b/g) ?? []).length, 5, renamed);
    assert.doesNotMatch(renamed, /identity: alice\b|create: alice\b/);
    assert.deepEqual(
      validateText(renamed, 'r.provspec.yaml').diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const group = await rename('memberOf: [Engineering]', 12, 'Eng', QUICKSTART);
    assert.match(group, /^ {2}Eng: \{\}$/m);
    assert.doesNotMatch(group, /\bEngineering\b(?!\s*$)(?=\]|,)/);
    assert.deepEqual(
      validateText(group, 'g.provspec.yaml').diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  });

  it('definition and references of a group', async () => {
    const u = uri();
    client.open(u, QUICKSTART);
    const lines = QUICKSTART.split('\n');
    const line = lines.findIndex((l) => l.includes('memberOf: [Sales]'));
    const position = { line, character: lines[line]!.indexOf('Sales') + 1 };
    const definition = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: u }, position })) as {
      range: { start: { line: number } };
    };
    assert.equal(lines[definition.range.start.line], '  Sales: {}');
    const refs = (await client.connection.sendRequest('textDocument/references', {
      textDocument: { uri: u },
      position,
      context: { includeDeclaration: true },
    })) as unknown[];
    assert.equal(refs.length, 1 + (QUICKSTART.match(/\bSales\b(?=[\],])/g) ?? []).length);
  });

  it('symbols outline identities, groups, roles and scenarios with their steps', async () => {
    const u = uri();
    client.open(u, QUICKSTART);
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: u } })) as Array<{
      name: string;
      children?: Array<{ name: string; children?: Array<{ name: string }> }>;
    }>;
    const names = symbols.map((s) => s.name);
    for (const n of ['target', 'identities', 'mapping', 'groups', 'roles', 'lifecycle', 'negative', 'concurrency'])
      assert.ok(names.includes(n), n);
    const leaver = symbols.find((s) => s.name === 'lifecycle')!.children!.find((c) => c.name === 'leaver')!;
    assert.deepEqual(
      leaver.children!.map((c) => c.name),
      ['provision', 'deactivate', 'expect', 'reactivate', 'deprovision', 'expect'],
    );
  });

  it('folding, formatting that keeps comments, and run code lenses', async () => {
    const u = uri();
    const messy = QUICKSTART.replace('  auth:\n    bearer:', '  auth:\n        bearer:');
    client.open(u, messy);
    const folds = (await client.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri: u } })) as unknown[];
    assert.ok(folds.length > 10);
    const edits = (await client.connection.sendRequest('textDocument/formatting', {
      textDocument: { uri: u },
      options: { tabSize: 2, insertSpaces: true },
    })) as never[];
    const formatted = applyEdits(messy, edits);
    assert.match(formatted, /^ {2}auth:\n {4}bearer:/m);
    assert.match(formatted, /# A first spec/);
    const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: u } })) as Array<{
      command: { title: string; command: string; arguments: unknown[] };
    }>;
    // A client that asks for nothing gets the server's own commands (workspace/executeCommand).
    assert.equal(lenses[0]!.command.command, 'provspec.server.runFile');
    assert.ok(lenses.some((l) => l.command.command === 'provspec.server.runScenario' && l.command.arguments[1] === 'leaver'));
  });
});
