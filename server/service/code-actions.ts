// Quick fixes from the data each diagnostic carries: did-you-mean replacements, adding a missing
// required property, declaring an undeclared identity or group.
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver-types';
import { joinPointer, parsePointer, positionAt, type ParsedDocument } from '../../core/document/index.ts';

interface DiagnosticData {
  suggestions?: string[];
  missingProperty?: string;
  pointer?: string;
  undeclared?: { kind: 'identity' | 'group'; name: string };
}

export function codeActions(doc: ParsedDocument, uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'provspec') continue;
    const data = (diagnostic.data ?? {}) as DiagnosticData;
    for (const [i, suggestion] of (data.suggestions ?? []).entries()) {
      actions.push(action(`Change to ${JSON.stringify(suggestion)}`, uri, [{ range: diagnostic.range, newText: suggestion }], diagnostic, i === 0));
    }
    if (data.missingProperty && diagnostic.code === 'missing-property' && data.pointer !== undefined) {
      const edit = insertMember(doc, data.pointer, data.missingProperty);
      if (edit) actions.push(action(`Add "${data.missingProperty}"`, uri, [edit], diagnostic, !data.suggestions?.length));
    }
    const undeclared = undeclaredFrom(diagnostic, doc);
    if (undeclared) {
      const section = undeclared.kind === 'identity' ? 'identities' : 'groups';
      const edit = insertMember(doc, `/${section}`, undeclared.name, true);
      if (edit) actions.push(action(`Declare ${undeclared.kind} "${undeclared.name}"`, uri, [edit], diagnostic, false));
    }
  }
  return actions;
}

function action(title: string, uri: string, edits: TextEdit[], diagnostic: Diagnostic, preferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred, edit: { changes: { [uri]: edits } } };
}

function undeclaredFrom(diagnostic: Diagnostic, doc: ParsedDocument): { kind: 'identity' | 'group'; name: string } | undefined {
  const data = (diagnostic.data ?? {}) as DiagnosticData;
  if (data.undeclared) return data.undeclared;
  if (diagnostic.code !== 'unknown-identity' && diagnostic.code !== 'unknown-group') return undefined;
  const start = offsetOf(doc, diagnostic.range.start);
  const end = offsetOf(doc, diagnostic.range.end);
  const name = doc.text.slice(start, end).replace(/^["']|["']$/g, '');
  if (!/^[A-Za-z0-9_.@ -]+$/.test(name)) return undefined;
  return { kind: diagnostic.code === 'unknown-identity' ? 'identity' : 'group', name };
}

function offsetOf(doc: ParsedDocument, position: { line: number; character: number }): number {
  return (doc.lineStarts[position.line] ?? doc.text.length) + position.character;
}

/**
 * An edit adding `name` to the mapping at `pointer` (YAML: a new line in the mapping's own
 * indentation; JSON: a new member). `declaration` adds an empty object as the value.
 */
function insertMember(doc: ParsedDocument, pointer: string, name: string, declaration = false): TextEdit | undefined {
  const location = doc.locations.get(pointer);
  const value = declaration ? '{}' : '';
  if (doc.format === 'json') {
    if (!location) return undefined;
    const close = location.value.end - 1;
    if (doc.text[close] !== '}') return undefined;
    const inner = doc.text.slice(location.value.start + 1, close).trim();
    const text = `${inner ? ', ' : ''}${JSON.stringify(name)}: ${declaration ? '{}' : 'null'}`;
    const at = positionAt(doc.lineStarts, close, doc.text);
    return { range: { start: at, end: at }, newText: text };
  }
  if (!location) {
    // A missing top-level section (no identities: yet): append it.
    const tokens = parsePointer(pointer);
    if (tokens.length !== 1) return undefined;
    const end = positionAt(doc.lineStarts, doc.text.length, doc.text);
    const lead = doc.text.endsWith('\n') || doc.text === '' ? '' : '\n';
    return { range: { start: end, end }, newText: `${lead}${tokens[0]}:\n  ${name}: ${value}\n` };
  }
  // Indentation of the mapping's existing members, or its key's plus two.
  const children = [...doc.locations].filter(([p]) => p.startsWith(`${pointer}/`) && parsePointer(p).length === parsePointer(pointer).length + 1);
  const firstChild = children[0]?.[1].key;
  const keyStart = location.key?.start ?? location.value.start;
  const keyColumn = keyStart - doc.text.lastIndexOf('\n', keyStart - 1) - 1;
  const flow = doc.text[location.value.start] === '{';
  if (flow) {
    const close = location.value.end - 1;
    const inner = doc.text.slice(location.value.start + 1, close).trim();
    const at = positionAt(doc.lineStarts, close, doc.text);
    return { range: { start: at, end: at }, newText: `${inner ? ', ' : ' '}${name}: ${value || '""'} ` };
  }
  const indent = firstChild ? firstChild.start - doc.text.lastIndexOf('\n', firstChild.start - 1) - 1 : keyColumn + 2;
  // After the mapping's last line.
  const endLine = positionAt(doc.lineStarts, location.value.end, doc.text).line;
  const insertAt = { line: endLine + 1, character: 0 };
  const lastLine = doc.lineStarts.length - 1;
  const prefix = endLine >= lastLine && !doc.text.endsWith('\n') ? '\n' : '';
  void joinPointer;
  return { range: { start: insertAt, end: insertAt }, newText: `${prefix}${' '.repeat(indent)}${name}: ${value}\n` };
}
