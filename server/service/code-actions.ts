// Quick fixes from the data each diagnostic carries: did-you-mean replacements, adding a missing
// required property, declaring an undeclared identity, group or variable.
import { CodeActionKind, type CodeAction, type Diagnostic, type Position, type Range, type TextEdit } from 'vscode-languageserver-types';
import { offsetAt, parsePointer, positionAt, type ParsedDocument } from '../../core/document/index.ts';
import { valueAt } from './references.ts';

type Kind = 'identity' | 'group' | 'variable';

interface DiagnosticData {
  suggestions: string[];
  missingProperty?: string;
  pointer?: string;
  undeclared?: { kind: Kind; name: string };
}

/** Where a declaration of each kind goes, and the value it starts with. */
const DECLARATIONS: Record<Kind, { section: string; value: string }> = {
  identity: { section: 'identities', value: '{}' },
  group: { section: 'groups', value: '{}' },
  variable: { section: 'variables', value: '""' },
};

function isKind(value: unknown): value is Kind {
  return value === 'identity' || value === 'group' || value === 'variable';
}

/**
 * The data a diagnostic carries, as this server published it. Clients hand it back as they got it
 * (or from an older server, or not at all), so each field is checked rather than trusted.
 */
function dataOf(diagnostic: Diagnostic): DiagnosticData {
  const raw = (typeof diagnostic.data === 'object' && diagnostic.data !== null ? diagnostic.data : {}) as Record<string, unknown>;
  const undeclared = (typeof raw['undeclared'] === 'object' && raw['undeclared'] !== null ? raw['undeclared'] : {}) as Record<
    string,
    unknown
  >;
  return {
    suggestions: Array.isArray(raw['suggestions']) ? raw['suggestions'].filter((s): s is string => typeof s === 'string') : [],
    ...(typeof raw['missingProperty'] === 'string' ? { missingProperty: raw['missingProperty'] } : {}),
    ...(typeof raw['pointer'] === 'string' ? { pointer: raw['pointer'] } : {}),
    ...(isKind(undeclared['kind']) && typeof undeclared['name'] === 'string'
      ? { undeclared: { kind: undeclared['kind'], name: undeclared['name'] } }
      : {}),
  };
}

function isPosition(value: unknown): value is Position {
  const p = value as Position | null | undefined;
  return typeof p === 'object' && p !== null && Number.isFinite(p.line) && Number.isFinite(p.character);
}

function isRange(value: unknown): value is Range {
  const r = value as Range | null | undefined;
  return typeof r === 'object' && r !== null && isPosition(r.start) && isPosition(r.end);
}

export function codeActions(doc: ParsedDocument, uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic?.source !== 'provspec' || !isRange(diagnostic.range)) continue;
    const data = dataOf(diagnostic);
    for (const [i, suggestion] of data.suggestions.entries()) {
      actions.push(
        action(`Change to ${JSON.stringify(suggestion)}`, uri, [{ range: diagnostic.range, newText: suggestion }], diagnostic, i === 0),
      );
    }
    if (data.missingProperty && diagnostic.code === 'missing-property' && data.pointer !== undefined) {
      const edit = insertMember(doc, data.pointer, data.missingProperty);
      if (edit) actions.push(action(`Add "${data.missingProperty}"`, uri, [edit], diagnostic, !data.suggestions.length));
    }
    const undeclared = undeclaredFrom(diagnostic, data, doc);
    if (undeclared) {
      const { section, value } = DECLARATIONS[undeclared.kind];
      const edit = insertMember(doc, `/${section}`, undeclared.name, value);
      if (edit) actions.push(action(`Declare ${undeclared.kind} "${undeclared.name}"`, uri, [edit], diagnostic, false));
    }
  }
  return actions;
}

function action(title: string, uri: string, edits: TextEdit[], diagnostic: Diagnostic, preferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred, edit: { changes: { [uri]: edits } } };
}

function undeclaredFrom(
  diagnostic: Diagnostic & { range: Range },
  data: DiagnosticData,
  doc: ParsedDocument,
): { kind: Kind; name: string } | undefined {
  if (data.undeclared) return data.undeclared;
  if (diagnostic.code !== 'unknown-identity' && diagnostic.code !== 'unknown-group') return undefined;
  // The range may be stale (the text changed since): offsetAt keeps it inside the text.
  const start = offsetAt(doc.lineStarts, diagnostic.range.start, doc.text);
  const end = offsetAt(doc.lineStarts, diagnostic.range.end, doc.text);
  const name = doc.text.slice(start, end).replace(/^["']|["']$/g, '');
  if (!/^[A-Za-z0-9_.@ -]+$/.test(name)) return undefined;
  return { kind: diagnostic.code === 'unknown-identity' ? 'identity' : 'group', name };
}

/** A key as YAML reads it back: plain when that is safe, else double-quoted. */
function yamlKey(name: string): string {
  return name === '' || /^[\s'"\-?]|[:#{}[\],&*!|>%@`\r\n]|\s$/.test(name) ? JSON.stringify(name) : name;
}

/**
 * An edit adding `name` to the mapping at `pointer` (YAML: a new line in the mapping's own
 * indentation; JSON: a new member), with `value` as its value text (empty: none yet). No edit
 * where the node is not a mapping, since a member added there would break the document.
 */
function insertMember(doc: ParsedDocument, pointer: string, name: string, value = ''): TextEdit | undefined {
  const location = doc.locations.get(pointer);
  const current = valueAt(doc.value, pointer);
  const isMap = typeof current === 'object' && current !== null && !Array.isArray(current);
  const at = (offset: number) => positionAt(doc.lineStarts, offset, doc.text);
  const column = (offset: number) => at(offset).character;
  if (doc.format === 'json') {
    if (!location || !isMap) return undefined;
    const close = location.value.end - 1;
    if (doc.text[location.value.start] !== '{' || doc.text[close] !== '}') return undefined;
    const inner = doc.text.slice(location.value.start + 1, close).trim();
    const text = `${inner ? ', ' : ''}${JSON.stringify(name)}: ${value || 'null'}`;
    const position = at(close);
    return { range: { start: position, end: position }, newText: text };
  }
  const key = yamlKey(name);
  const eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
  const endsWithBreak = /[\r\n]$/.test(doc.text) || doc.text === '';
  const end = at(doc.text.length);
  if (!location) {
    // A missing top-level section (no identities: yet): append it, to a block mapping or to nothing.
    const tokens = parsePointer(pointer);
    const blank = (line: string) => /^\s*(#.*)?$/.test(line) || /^---\s*$/.test(line);
    const nothing = doc.value === undefined || (doc.value === null && doc.text.split(/\r\n|\r|\n/).every(blank));
    if (tokens.length !== 1 || !(nothing || isBlockMap(doc, ''))) return undefined;
    return { range: { start: end, end }, newText: `${endsWithBreak ? '' : eol}${yamlKey(tokens[0]!)}:${eol}  ${key}: ${value}${eol}` };
  }
  if (doc.text[location.value.start] === '{') {
    if (!isMap) return undefined;
    const close = location.value.end - 1;
    if (doc.text[close] !== '}') return undefined;
    const inner = doc.text.slice(location.value.start + 1, close).trim();
    const position = at(close);
    return { range: { start: position, end: position }, newText: `${inner ? ', ' : ' '}${key}: ${value || '""'} ` };
  }
  // A block mapping, or a key with nothing after it yet (`identities:`); not `key: null` or a list.
  const empty = current === null && doc.text.slice(location.value.start, location.value.end).trim() === '';
  if (!isMap && !empty) return undefined;
  // Indentation of the mapping's existing members, or its key's plus two.
  const depth = parsePointer(pointer).length + 1;
  const firstChild = [...doc.locations].find(([p, l]) => p.startsWith(`${pointer}/`) && l.key && parsePointer(p).length === depth)?.[1].key;
  const indent = firstChild ? column(firstChild.start) : column(location.key?.start ?? location.value.start) + 2;
  // After the mapping's last line; at the end of the document when that is its last line.
  const endLine = at(location.value.end).line;
  const newText = `${' '.repeat(indent)}${key}: ${value}${eol}`;
  if (endLine + 1 < doc.lineStarts.length) {
    const insertAt = { line: endLine + 1, character: 0 };
    return { range: { start: insertAt, end: insertAt }, newText };
  }
  return { range: { start: end, end }, newText: `${endsWithBreak ? '' : eol}${newText}` };
}

/** Whether the node at `pointer` is a mapping in block style (members on their own lines). */
function isBlockMap(doc: ParsedDocument, pointer: string): boolean {
  const current = valueAt(doc.value, pointer);
  const location = doc.locations.get(pointer);
  return (
    typeof current === 'object' &&
    current !== null &&
    !Array.isArray(current) &&
    location !== undefined &&
    doc.text[location.value.start] !== '{'
  );
}
