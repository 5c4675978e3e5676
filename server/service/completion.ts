// Completion at a cursor: keys the schema allows there (with their descriptions), enum values,
// identity and group names where they are referenced, SCIM attribute paths for mappings and
// expectations, `${{ … }}` expressions, and snippets for a whole scenario or role rule.
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Range } from 'vscode-languageserver-types';
import { parsePointer, positionAt, type ParsedDocument, type SourceFormat } from '../../core/document/index.ts';
import { CORE_USER_URN, STANDARD_SCHEMAS, extensionSchemas, listAttributePaths } from '../../core/scim-schema/index.ts';
import { EXPRESSION_NAMESPACES, FIXED_PROPERTIES } from '../../core/expressions/parse.ts';
import { cursorContext, lineBounds, type CursorContext } from './cursor.ts';
import { descriptionOf, keysAt, schemasAt, valuesAt } from './schema-walk.ts';
import { valueAt } from './references.ts';
import { clampOffset } from './documents.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

/** Items at `at` in a parsed document (the server's cached parse of the current version, as for every other service). */
export function complete(doc: ParsedDocument, at: number): CompletionItem[] {
  const { text, format } = doc;
  const offset = clampOffset(at, text.length);
  const spec = obj(doc.value) ?? {};
  const { start: lineStart } = lineBounds(text, offset);
  const expression = openExpression(text.slice(lineStart, offset));
  const lineStarts = doc.lineStarts;
  const rangeFrom = (start: number): Range => ({ start: positionAt(lineStarts, start, text), end: positionAt(lineStarts, offset, text) });
  if (expression) return expressionItems(spec, expression.typed, rangeFrom(offset - expression.typed.length));

  const ctx = cursorContext(text, offset, format, doc);
  if (!ctx) return [];
  const range = rangeFrom(ctx.prefixStart);
  const tokens = parsePointer(ctx.pointer);
  switch (ctx.kind) {
    case 'key':
      return keyItems(spec, ctx, tokens, range, format);
    case 'value':
      return valueItems(spec, ctx, tokens, range, format);
    case 'item':
      return itemItems(spec, ctx, tokens, range, format);
  }
}

// An empty key names nothing a user could pick (and an empty label is no completion item).
function names(spec: Obj, section: 'identities' | 'groups' | 'variables'): string[] {
  return Object.keys(obj(spec[section]) ?? {}).filter((name) => name !== '');
}

function identityAttributes(spec: Obj): string[] {
  const out = new Set<string>();
  for (const identity of Object.values(obj(spec['identities']) ?? {}))
    for (const key of Object.keys(obj(identity) ?? {})) if (key !== '') out.add(key);
  return [...out];
}

function quote(value: string, format: SourceFormat): string {
  return format === 'json' || /^[\s'"]|[:#{}[\],&*!|>%@`]|\s$/.test(value) || value === '' ? JSON.stringify(value) : value;
}

function nameItems(
  list: string[],
  kind: CompletionItemKind,
  detail: string,
  range: Range,
  format: SourceFormat,
  alreadyQuoted: boolean,
): CompletionItem[] {
  return list.map((name) => ({ label: name, kind, detail, textEdit: { range, newText: alreadyQuoted ? name : quote(name, format) } }));
}

function isAttributeMap(tokens: string[]): boolean {
  const last = tokens[tokens.length - 1];
  return (tokens.length === 1 && last === 'mapping') || last === 'attributes';
}

function attributePathItems(spec: Obj, range: Range, format: SourceFormat, existing: Obj | undefined): CompletionItem[] {
  const schemas = [...STANDARD_SCHEMAS, ...extensionSchemas(spec['extensions'] as never, 'User')];
  const items: CompletionItem[] = [];
  for (const entry of listAttributePaths(schemas, CORE_USER_URN)) {
    if (existing && entry.path in existing) continue;
    const a = entry.attribute;
    const readOnly = a.mutability === 'readOnly';
    items.push({
      label: entry.path,
      kind: CompletionItemKind.Field,
      detail: `${a.type}${a.multiValued ? '[]' : ''} · ${a.mutability}${a.required ? ' · required' : ''}`,
      documentation: { kind: MarkupKind.Markdown, value: a.description ?? '' },
      ...(readOnly ? { tags: [1] } : {}),
      sortText: `${readOnly ? 'z' : entry.path.startsWith('urn:') ? 'b' : 'a'}${entry.path}`,
      textEdit: { range, newText: format === 'json' ? JSON.stringify(entry.path).slice(1, -1) : `${entry.path}: ` },
    });
  }
  // Value-path forms IdPs use for multi-valued attributes.
  for (const [path, what] of [
    ['emails[type eq "work"].value', 'the work email (Entra, Okta)'],
    ['phoneNumbers[type eq "mobile"].value', 'the mobile number'],
    ['addresses[type eq "work"].locality', 'the work address city'],
  ] as const) {
    if (existing && path in existing) continue;
    items.push({
      label: path,
      kind: CompletionItemKind.Field,
      detail: what,
      sortText: `a${path}`,
      textEdit: { range, newText: format === 'json' ? path.replace(/"/g, '\\"') : `${path}: ` },
    });
  }
  return items;
}

function keyItems(spec: Obj, ctx: CursorContext, tokens: string[], range: Range, format: SourceFormat): CompletionItem[] {
  const existing = obj(valueAt(spec, ctx.pointer));
  if (isAttributeMap(tokens)) return attributePathItems(spec, range, format, existing);
  const parentKey = tokens[tokens.length - 1];
  if (parentKey === 'update' || parentKey === 'when') {
    return identityAttributes(spec)
      .filter((a) => !existing || !(a in existing))
      .map((a) => ({
        label: a,
        kind: CompletionItemKind.Property,
        detail: 'identity attribute',
        textEdit: { range, newText: format === 'json' ? a : `${a}: ` },
      }));
  }
  const items: CompletionItem[] = keysAt(ctx.pointer)
    .filter((k) => !existing || !(k.name in existing))
    .map((k) => {
      const description = k.node.description ?? '';
      const objectValued = k.node.type === 'object' || (k.node.properties !== undefined && k.node.type === undefined);
      const arrayValued = k.node.type === 'array';
      const newText =
        format === 'json'
          ? k.name
          : objectValued
            ? `${k.name}:\n${' '.repeat(ctx.indent + 2)}`
            : arrayValued
              ? `${k.name}: [$1]`
              : `${k.name}: `;
      return {
        label: k.name,
        kind: CompletionItemKind.Property,
        detail: k.required ? 'required' : undefined,
        documentation: { kind: MarkupKind.Markdown, value: description },
        sortText: `${k.required ? 'a' : 'b'}${k.name}`,
        insertTextFormat: arrayValued && format !== 'json' ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
        textEdit: { range, newText },
      } satisfies CompletionItem;
    });
  if (format === 'yaml' && tokens.length === 1 && tokens[0] === 'lifecycle') items.push(scenarioSnippet(spec, ctx, range));
  return items;
}

function valueItems(spec: Obj, ctx: CursorContext, tokens: string[], range: Range, format: SourceFormat): CompletionItem[] {
  const key = ctx.key;
  const section = tokens[0];
  const quoted = /["']$/.test(ctx.linePrefix.slice(0, ctx.linePrefix.length - ctx.prefix.length));
  if (key === 'identity' || (section === 'negative' && key === 'create'))
    return nameItems(names(spec, 'identities'), CompletionItemKind.Reference, 'identity', range, format, quoted);
  if (section === 'concurrency' && key === 'group')
    return nameItems(names(spec, 'groups'), CompletionItemKind.Reference, 'group', range, format, quoted);
  return valuesAt(ctx.pointer).map((v) => ({
    label: String(v),
    kind: CompletionItemKind.EnumMember,
    documentation: descriptionOf(schemasAt(ctx.pointer)),
    textEdit: { range, newText: typeof v === 'string' ? (quoted ? v : quote(v, format)) : JSON.stringify(v) },
  }));
}

const STEP_SNIPPETS: Array<[string, string, string]> = [
  ['update', 'update: { ${1:department}: ${2:Sales} }', 'change identity attributes (a mover)'],
  ['expect', 'expect: { ${1:active}: ${2:true} }', 'what the target must show now'],
  ['assign', 'assign: [${1:Group}]', 'add the user to groups'],
  ['unassign', 'unassign: [${1:Group}]', 'remove the user from groups'],
  [
    'probe',
    'probe:\n  get: ${1:https://app.example.test/api/users/\\${{ user.id }}}\n  expect: { status: ${2:200} }',
    'an HTTP request to a downstream system',
  ],
  ['wait', 'wait: ${1:5s}', 'pause'],
  ['eventually', 'eventually:\n  within: ${1:30s}\n  expect: { ${2:active}: ${3:false} }', 'retry an expectation until it holds'],
  ['rehire', 'rehire: { ${1:department}: ${2:Sales} }', 'provision the leaver again after offboarding'],
  ['atomic-update', 'atomic-update: { ${1:department}: ${2:Sales} }', 'a PATCH with one invalid operation: it must change nothing'],
  ['reorder', 'reorder:\n  - update: { ${1:department}: ${2:Sales} }\n  - provision', 'an update that arrives before its create'],
  // Delivery faults: a write step and its fault, side by side in one item.
  ['retry', '${1:provision}: {}\nretry: ${2:2}', "re-send the step's writes, as an IdP does after a timeout"],
  ['duplicate', '${1:provision}: {}\nduplicate: true', "deliver the step's writes twice at once"],
  ['timeout-then-retry', '${1:provision}: {}\ntimeout-then-retry: true', 'give up as the answer starts, then retry'],
];

function itemItems(spec: Obj, ctx: CursorContext, tokens: string[], range: Range, format: SourceFormat): CompletionItem[] {
  const last = tokens[tokens.length - 1];
  if (last === 'memberOf' || last === 'notMemberOf' || last === 'assign' || last === 'unassign')
    return nameItems(names(spec, 'groups'), CompletionItemKind.Reference, 'group', range, format, false);
  if (last === 'identities' && tokens[0] === 'concurrency')
    return nameItems(names(spec, 'identities'), CompletionItemKind.Reference, 'identity', range, format, false);
  if (last === 'steps' && format === 'yaml') {
    const simple = ['provision', 'deactivate', 'reactivate', 'deprovision', 'rehire'].map((s) => ({
      label: s,
      kind: CompletionItemKind.Keyword,
      detail: 'step',
      documentation: descriptionOf(schemasAt(`${ctx.pointer}/0`)),
      textEdit: { range, newText: s },
    }));
    const objects = STEP_SNIPPETS.map(([label, body, detail]) => ({
      label,
      kind: CompletionItemKind.Snippet,
      detail,
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range, newText: body.replace(/\n/g, `\n${' '.repeat(ctx.indent)}`) },
    }));
    return [...simple, ...objects];
  }
  if (last === 'roles' && format === 'yaml') {
    return [
      {
        label: 'role rule',
        kind: CompletionItemKind.Snippet,
        detail: 'who must end up in which groups',
        insertTextFormat: InsertTextFormat.Snippet,
        textEdit: {
          range,
          newText: ['name: ${1:engineers}', 'when: { ${2:department}: ${3:Engineering} }', 'memberOf: [${4:Engineering}]'].join(
            `\n${' '.repeat(ctx.indent)}`,
          ),
        },
      },
    ];
  }
  return valuesAt(`${ctx.pointer}/0`).map((v) => ({
    label: String(v),
    kind: CompletionItemKind.EnumMember,
    textEdit: { range, newText: typeof v === 'string' ? quote(v, format) : JSON.stringify(v) },
  }));
}

function scenarioSnippet(spec: Obj, ctx: CursorContext, range: Range): CompletionItem {
  const identity = names(spec, 'identities')[0] ?? 'alice';
  const pad = ' '.repeat(ctx.indent);
  return {
    label: 'lifecycle scenario',
    kind: CompletionItemKind.Snippet,
    detail: 'joiner → leaver',
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: {
      range,
      newText: [
        `\${1:joiner}:`,
        `  identity: \${2:${identity}}`,
        '  steps:',
        '    - provision',
        '    - expect: { active: true }',
        '    - deactivate',
        '    - deprovision',
      ].join(`\n${pad}`),
    },
  };
}

/** The `${{ …` the cursor is inside, if any, with what has been typed after `${{`. */
function openExpression(linePrefix: string): { typed: string } | undefined {
  const open = linePrefix.lastIndexOf('${{');
  if (open < 0 || linePrefix.indexOf('}}', open) >= 0) return undefined;
  return { typed: linePrefix.slice(open + 3).trimStart() };
}

function expressionItems(spec: Obj, typed: string, range: Range): CompletionItem[] {
  const dot = typed.indexOf('.');
  if (dot < 0) {
    return EXPRESSION_NAMESPACES.map((ns) => ({
      label: ns,
      kind: CompletionItemKind.Module,
      detail: 'expression namespace',
      textEdit: { range, newText: `${ns}.` },
      command: { title: 'more', command: 'editor.action.triggerSuggest' },
    }));
  }
  const namespace = typed.slice(0, dot);
  const properties: string[] =
    namespace === 'identity'
      ? identityAttributes(spec)
      : namespace === 'vars'
        ? names(spec, 'variables')
        : namespace === 'groups'
          ? names(spec, 'groups').map((g) => `${g}.id`)
          : namespace === 'env'
            ? ['SCIM_BASE_URL', 'SCIM_TOKEN']
            : [...(FIXED_PROPERTIES[namespace as keyof typeof FIXED_PROPERTIES] ?? [])];
  return properties.map((p) => ({
    label: `${namespace}.${p}`,
    kind: CompletionItemKind.Variable,
    textEdit: { range, newText: `${namespace}.${p} }}` },
  }));
}
