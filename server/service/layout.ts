// Folding ranges from the document's own structure, and formatting that keeps comments.
import type { FoldingRange, TextEdit } from 'vscode-languageserver-types';
import { parseDocument as parseYamlDocument, visit, type Document } from 'yaml';
import { parseDocument, positionAt, type ParsedDocument } from '../../core/document/index.ts';

export function foldingRanges(doc: ParsedDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const seen = new Set<string>();
  for (const [, location] of doc.locations) {
    const start = positionAt(doc.lineStarts, location.key?.start ?? location.value.start, doc.text).line;
    const end = positionAt(doc.lineStarts, Math.max(location.value.start, location.value.end - 1), doc.text).line;
    if (end > start && !seen.has(`${start}:${end}`)) {
      seen.add(`${start}:${end}`);
      ranges.push({ startLine: start, endLine: end });
    }
  }
  // Runs of comment lines fold too. Lines as LSP counts them (a lone CR ends one), as everywhere else.
  const lines = doc.text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*#/.test(lines[i]!)) continue;
    let j = i;
    while (j + 1 < lines.length && /^\s*#/.test(lines[j + 1]!)) j++;
    if (j > i) ranges.push({ startLine: i, endLine: j, kind: 'comment' });
    i = j;
  }
  return ranges;
}

export const MAX_INDENT = 16;

/**
 * The indentation formatting uses for the client's `tabSize`, which LSP only calls "size of a tab
 * in spaces": any number may arrive. Whole numbers clamp to 1..MAX_INDENT (the yaml package
 * refuses an indent below 1, and a huge one would print gigabytes); anything else is 2.
 */
export function indentOf(tabSize: unknown): number {
  if (typeof tabSize !== 'number' || !Number.isInteger(tabSize)) return 2;
  return Math.min(Math.max(tabSize, 1), MAX_INDENT);
}

/** The whole document re-printed (YAML through the yaml package, keeping comments), or no edit. */
export function format(doc: ParsedDocument, tabSize: number | undefined): TextEdit[] {
  if (doc.diagnostics.some((d) => d.severity === 'error')) return []; // never reformat what does not parse
  // An empty (or comment-only) document has no value: printing one would write `null` into it.
  if (doc.value === undefined) return [];
  const indent = indentOf(tabSize);
  let formatted: string;
  if (doc.format === 'json') {
    formatted = `${JSON.stringify(doc.value, null, indent)}\n`;
  } else {
    // The yaml package reads a lone CR as text, not as the line break YAML 1.2 (and our parse)
    // makes it: read as it is, a file with CR line breaks would print as one comment or string.
    const yaml = parseYamlDocument(doc.text.replace(/\r(?!\n)/g, '\n'), { keepSourceTokens: false });
    if (yaml.errors.length || hasUnprintableAnchor(yaml)) return [];
    formatted = yaml.toString({ indent, lineWidth: 0, flowCollectionPadding: true });
  }
  // Both printers write \n: keep the file's own line breaks.
  const eol = /\r\n|\r|\n/.exec(doc.text)?.[0] ?? '\n';
  if (eol !== '\n') formatted = formatted.replace(/\n/g, eol);
  if (formatted === doc.text) return [];
  // Re-printing changes the layout, never the value: where a printer cannot say what the text
  // says (JSON prints 1e400 as null; yaml prints a string starting with a BOM bare, which reads
  // back as nothing), the document stays as it is.
  const printed = parseDocument(formatted, doc.name, doc.format);
  if (printed.diagnostics.some((d) => d.severity === 'error') || !sameValue(printed.value, doc.value)) return [];
  const end = positionAt(doc.lineStarts, doc.text.length, doc.text);
  return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted }];
}

/** Deep equality of plain values (objects, arrays, scalars), with -0 equal to 0 as JSON has it. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * Whether a node has an anchor the yaml package reads but refuses to print (it throws on
 * whitespace, control characters and flow indicators in one: `&a\u0000`).
 */
function hasUnprintableAnchor(yaml: Document): boolean {
  let found = false;
  visit(yaml, {
    Node(_, node) {
      if (typeof node.anchor === 'string' && /[\x00-\x19\s,[\]{}]/.test(node.anchor)) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
