// The language server's services as pure functions of a parsed document and an offset, without
// the process or the protocol (test/lsp/ covers those). `‸` in a text marks the cursor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDocument, type ParsedDocument } from '../../core/document/index.ts';
import { validateDocument } from '../../core/validate/index.ts';
import { complete } from '../../server/service/completion.ts';
import { hover } from '../../server/service/hover.ts';
import { definition, references, rename } from '../../server/service/navigation.ts';
import { codeActions } from '../../server/service/code-actions.ts';
import { CLIENT_COMMANDS, codeLenses, RUN_FILE, RUN_SCENARIO } from '../../server/service/code-lens.ts';
import { documentSymbols } from '../../server/service/symbols.ts';
import { format } from '../../server/service/layout.ts';
import { validationDiagnostic } from '../../server/service/diagnostics.ts';
import { runDiagnostics } from '../../server/service/run.ts';
import type { SpecResult } from '../../core/run/result.ts';

const URI = 'file:///w/a.provspec.yaml';
const SPEC = `provspec: 1
name: Ëngineering 🚀
target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    bearer: \${{ env.SCIM_TOKEN }}
identities:
  alice:
    email: alice@example.test
    department: Engineering
mapping:
  userName: \${{ identity.email }}
groups:
  Engineering: {}
roles:
  - when: { department: Engineering }
    memberOf: [Engineering]
lifecycle:
  joiner:
    identity: alice
    steps:
      - provision
      - expect: { active: true }
`;

/** The document without the cursor mark, and the cursor's offset. */
function at(marked: string): { doc: ParsedDocument; offset: number } {
  const offset = marked.indexOf('‸');
  assert.ok(offset >= 0, 'no ‸ in the text');
  return { doc: parseDocument(marked.replace('‸', ''), URI, 'yaml'), offset };
}

function lineOf(doc: ParsedDocument, text: string, nth = 0): number {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = doc.text.indexOf(text, index + 1);
  return doc.text.slice(0, index).split('\n').length - 1;
}

describe('language services (pure)', () => {
  it('complete: keys the schema allows under target, without the ones already there', () => {
    const { doc, offset } = at(SPEC.replace('  baseUrl:', '  ‸\n  baseUrl:'));
    const labels = complete(doc, offset).map((i) => i.label);
    assert.ok(labels.includes('dialect'), labels.join(', '));
    assert.ok(!labels.includes('baseUrl'), 'baseUrl is already set');
  });

  it('complete: declared identities where one is referenced, and identity attributes in expressions', () => {
    const names = at(SPEC.replace('identity: alice', 'identity: ‸'));
    assert.deepEqual(
      complete(names.doc, names.offset).map((i) => i.label),
      ['alice'],
    );
    const attributes = at(SPEC.replace('${{ identity.email }}', '${{ identity.‸'));
    const labels = complete(attributes.doc, attributes.offset).map((i) => i.label);
    assert.ok(labels.includes('identity.department') && labels.includes('identity.email'), labels.join(', '));
  });

  it('complete: steps, the data-safety ones and the delivery faults among them', () => {
    const { doc, offset } = at(SPEC.replace('      - expect: { active: true }', '      - expect: { active: true }\n      - ‸'));
    const items = complete(doc, offset);
    const labels = items.map((i) => i.label);
    for (const step of ['provision', 'deprovision', 'rehire', 'atomic-update', 'reorder', 'retry', 'duplicate', 'timeout-then-retry'])
      assert.ok(labels.includes(step), `${step} in ${labels.join(', ')}`);
    // A fault comes with the step it modifies, aligned under it in the same list item.
    const retry = items.find((i) => i.label === 'retry');
    assert.ok(retry?.textEdit && 'newText' in retry.textEdit);
    assert.equal(retry.textEdit.newText, '${1:provision}: {}\n        retry: ${2:2}');
    // Beside a write step's key, the schema offers the faults.
    const beside = at(SPEC.replace('      - expect: { active: true }', '      - update: { department: Sales }\n        ‸'));
    const keys = complete(beside.doc, beside.offset).map((i) => i.label);
    assert.ok(keys.includes('retry') && keys.includes('timeout-then-retry'), keys.join(', '));
  });

  it('hover: the schema description of a key', () => {
    const { doc, offset } = at(SPEC.replace('  baseUrl:', '  base‸Url:'));
    const shown = hover(doc, offset);
    assert.ok(shown, 'a hover');
    assert.match((shown.contents as { value: string }).value, /SCIM/);
  });

  it('definition, references and rename of an identity, across its declaration and uses', () => {
    const { doc, offset } = at(SPEC.replace('identity: alice', 'identity: al‸ice'));
    const declared = definition(doc, URI, offset);
    assert.equal(declared?.range.start.line, lineOf(doc, '  alice:'));
    const uses = references(doc, URI, offset, true).map((l) => l.range.start.line);
    assert.deepEqual(uses.sort(), [lineOf(doc, '  alice:'), lineOf(doc, 'identity: alice')].sort());
    const edits = rename(doc, URI, offset, 'ada')?.changes?.[URI] ?? [];
    assert.equal(edits.length, 2);
    assert.ok(edits.every((e) => e.newText === 'ada'));
  });

  it('code actions: did-you-mean and "declare" for an unknown identity, from the validation diagnostics', () => {
    const doc = parseDocument(SPEC.replace('identity: alice', 'identity: alcie'), URI, 'yaml');
    const diagnostics = validateDocument(doc).diagnostics.map(validationDiagnostic);
    const titles = codeActions(doc, URI, diagnostics).map((a) => a.title);
    assert.deepEqual(titles, ['Change to "alice"', 'Declare identity "alcie"']);
  });

  it("code lenses: run all, and run each scenario on its key, with the server's commands or the client's", () => {
    const doc = parseDocument(SPEC, URI, 'yaml');
    assert.deepEqual(
      codeLenses(doc, URI).map((l) => [l.command?.command, l.range.start.line, l.command?.arguments]),
      [
        ['provspec.server.runFile', 0, [URI]],
        ['provspec.server.runScenario', lineOf(doc, '  joiner:'), [URI, 'joiner']],
      ],
    );
    assert.deepEqual(
      codeLenses(doc, URI, CLIENT_COMMANDS).map((l) => l.command?.command),
      [RUN_FILE, RUN_SCENARIO],
    );
  });

  it('document symbols: the sections and their entries', () => {
    const doc = parseDocument(SPEC, URI, 'yaml');
    const top = documentSymbols(doc).map((s) => s.name);
    assert.ok(
      ['target', 'identities', 'lifecycle'].every((name) => top.includes(name)),
      top.join(', '),
    );
    const lifecycle = documentSymbols(doc).find((s) => s.name === 'lifecycle');
    assert.deepEqual(
      lifecycle?.children?.map((c) => c.name),
      ['joiner'],
    );
  });

  it('format: formatting what it formatted changes nothing, and keeps the value', () => {
    const once = format(parseDocument(SPEC, URI, 'yaml'), 2);
    const text = TextDocument.applyEdits(TextDocument.create(URI, 'yaml', 1, SPEC), once);
    const again = parseDocument(text, URI, 'yaml');
    assert.deepEqual(format(again, 2), []);
    assert.deepEqual(again.value, parseDocument(SPEC, URI, 'yaml').value);
  });

  it('format: edits only the lines that change, and keeps flow collections as written', () => {
    const text = [
      'provspec: 1',
      'identities:',
      '   alice:',
      '       groups: [Ëng🚀, Engineering]',
      '       tags: { a: 1 }',
      '   bob: {givenName: Bob}',
      'name: x',
      '',
    ].join('\n');
    const edits = format(parseDocument(text, URI, 'yaml'), 2);
    const after = TextDocument.applyEdits(TextDocument.create(URI, 'yaml', 1, text), edits);
    assert.equal(
      after,
      [
        'provspec: 1',
        'identities:',
        '  alice:',
        '    groups: [Ëng🚀, Engineering]',
        '    tags: { a: 1 }',
        '  bob: {givenName: Bob}',
        'name: x',
        '',
      ].join('\n'),
    );
    // Lines 0, 1 and 6 are untouched: no edit covers them.
    for (const line of [0, 1, 6])
      assert.ok(
        edits.every((e) => e.range.start.line > line || e.range.end.line <= line),
        `line ${line}`,
      );
    assert.deepEqual(format(parseDocument(after, URI, 'yaml'), 2), []);
  });

  it('run diagnostics: a failing check on its step, with the same text as every other reporter', () => {
    const range = { start: { line: 21, character: 8 }, end: { line: 21, character: 17 } };
    const result: SpecResult = {
      file: 'a.provspec.yaml',
      name: 'a',
      runId: 'r1',
      dialect: 'rfc7644',
      profile: 'rfc7644',
      baseUrl: 'http://127.0.0.1:1',
      status: 'fail',
      ms: 1,
      audit: [],
      orphans: [],
      scenarios: [
        {
          section: 'lifecycle',
          name: 'joiner',
          range,
          dialect: 'rfc7644',
          status: 'fail',
          ms: 1,
          checks: [
            {
              id: '1-provision.created',
              status: 'fail',
              rule: 'user.create',
              basis: 'RFC 7644 §3.3',
              level: 'MUST',
              title: 'the create answers 201',
              message: 'answered 400',
              range,
              expected: 201,
              actual: 400,
              evidence: [],
            },
            { id: '2-expect.active', status: 'pass', rule: 'x', basis: 'b', level: 'MUST', title: 't', message: '', range, evidence: [] },
          ],
        },
      ],
    };
    const [only, ...rest] = runDiagnostics(result);
    assert.equal(rest.length, 0, 'a passing check is not a diagnostic');
    assert.deepEqual(only?.range, range);
    assert.equal(only?.code, 'user.create');
    assert.equal(only?.source, 'provspec run');
    assert.equal(only?.message, 'the create answers 201: answered 400\nMUST · RFC 7644 §3.3\nexpected: 201\nactual:   400');
  });
});
