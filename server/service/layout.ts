// Folding ranges from the document's own structure, and formatting that keeps comments.
import type { FoldingRange, TextEdit } from 'vscode-languageserver-types';
import { diffArrays } from 'diff';
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

/**
 * The document re-printed (YAML through the yaml package, keeping comments), as edits of only the
 * lines that change; no edit when nothing does. A line whose only difference is the padding
 * inside flow brackets (`[a, b]` against `[ a, b ]`) keeps the author's spelling, and a result
 * that would read back as another value is never offered.
 */
export function format(doc: ParsedDocument, tabSize: number | undefined): TextEdit[] {
  return formatted(doc, tabSize, true);
}

function formatted(doc: ParsedDocument, tabSize: number | undefined, settled: boolean): TextEdit[] {
  if (doc.diagnostics.some((d) => d.severity === 'error')) return []; // never reformat what does not parse
  // An empty (or comment-only) document has no value: printing one would write `null` into it.
  if (doc.value === undefined) return [];
  const indent = indentOf(tabSize);
  let printed: string;
  if (doc.format === 'json') {
    printed = `${JSON.stringify(doc.value, null, indent)}\n`;
  } else {
    // The yaml package reads a lone CR as text, not as the line break YAML 1.2 (and our parse)
    // makes it: read as it is, a file with CR line breaks would print as one comment or string.
    const yaml = parseYamlDocument(doc.text.replace(/\r(?!\n)/g, '\n'), { keepSourceTokens: false });
    if (yaml.errors.length || hasUnprintableAnchor(yaml)) return [];
    printed = yaml.toString({ indent, lineWidth: 0, flowCollectionPadding: true });
  }
  // Lines with their breaks: the printers write \n, what changes is written with the file's own.
  const eol = /\r\n|\r|\n/.exec(doc.text)?.[0] ?? '\n';
  const before = segments(doc.text);
  // A comment printed from a \r\n file can keep its \r: every break counts as one, as in the parse.
  const after = printed.split(/\r\n|\r|\n/);
  if (after[after.length - 1] === '') after.pop();
  const hunks = changedHunks(
    before.map((l) => l.text),
    after.map((l) => `${l}${eol}`),
  );
  if (!hunks.length) return [];
  const starts: number[] = [];
  for (let i = 0, offset = 0; i < before.length; offset += before[i]!.text.length, i++) starts.push(offset);
  const at = (line: number) => positionAt(doc.lineStarts, line < starts.length ? starts[line]! : doc.text.length, doc.text);
  let text = '';
  let line = 0;
  for (const hunk of hunks) {
    text += before
      .slice(line, hunk.start)
      .map((l) => l.text)
      .join('');
    text += hunk.lines.join('');
    line = hunk.start + hunk.removed;
  }
  text += before
    .slice(line)
    .map((l) => l.text)
    .join('');
  // Re-printing changes the layout, never the value: where a printer cannot say what the text
  // says (JSON prints 1e400 as null; yaml prints a string starting with a BOM bare, which reads
  // back as nothing), the document stays as it is. The check reads the text the edits make.
  const reread = parseDocument(text, doc.name, doc.format);
  if (reread.diagnostics.some((d) => d.severity === 'error') || !sameValue(reread.value, doc.value)) return [];
  // Formatting what it formatted changes nothing: a layout the printer would change again (it
  // does, for odd documents such as a bare `?`) is not offered.
  if (settled && formatted(reread, tabSize, false).length) return [];
  return mergeAdjacent(
    hunks.map((hunk) => ({ range: { start: at(hunk.start), end: at(hunk.start + hunk.removed) }, newText: hunk.lines.join('') })),
  );
}

/** The text's lines, each with its line break (\n, \r\n or a lone \r, as LSP counts them); the last may have none. */
function segments(text: string): Array<{ text: string }> {
  const out: Array<{ text: string }> = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    out.push({ text: text.slice(start, m.index + m[0].length) });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ text: text.slice(start) });
  return out;
}

interface Hunk {
  /** The first line of the old text it replaces, how many, and the lines (with their breaks) that take their place. */
  start: number;
  removed: number;
  lines: string[];
}

/**
 * The runs of lines that differ. Inside a run, a line that changed only in the padding of flow
 * brackets keeps the author's spelling, so a run can split, or vanish.
 */
function changedHunks(before: readonly string[], after: readonly string[]): Hunk[] {
  const hunks: Hunk[] = [];
  let line = 0;
  const changes = diffArrays(before as string[], after as string[]);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    if (!change.added && !change.removed) {
      line += change.count ?? change.value.length;
      continue;
    }
    // A removal followed by an addition is one replacement; alone, either is a hunk of its own.
    const removed = change.removed ? change.value : [];
    const next = changes[i + 1];
    const pairs = !change.added && next?.added === true;
    const added = change.added ? change.value : pairs ? next.value : [];
    if (pairs) i++;
    if (removed.length === added.length) {
      for (let k = 0; k < removed.length; k++) {
        const kept = keepingFlowSpelling(removed[k]!, added[k]!);
        if (kept !== removed[k]) hunks.push({ start: line + k, removed: 1, lines: [kept] });
      }
    } else {
      hunks.push({ start: line, removed: removed.length, lines: [...added] });
    }
    line += removed.length;
  }
  return hunks;
}

/**
 * The printed line, but with the author's text between its indentation and its line break when
 * the two differ only in spaces just inside `[ ]` and `{ }`: re-indented, `[a, b]` stays `[a, b]`.
 */
function keepingFlowSpelling(written: string, printed: string): string {
  const content = (line: string) => line.replace(/(\r\n|\r|\n)$/, '');
  const bare = (line: string) =>
    content(line)
      .trimStart()
      .replace(/([[{])\s+/g, '$1')
      .replace(/\s+([\]}])/g, '$1');
  if (written === printed || bare(written) !== bare(printed)) return printed;
  const indent = printed.length - printed.trimStart().length;
  return printed.slice(0, indent) + content(written).trimStart() + printed.slice(content(printed).length);
}

/** Edits of consecutive lines as one (LSP clients apply them either way; fewer is easier to read). */
function mergeAdjacent(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const edit of edits) {
    const last = out[out.length - 1];
    if (last && last.range.end.line === edit.range.start.line && last.range.end.character === edit.range.start.character) {
      out[out.length - 1] = { range: { start: last.range.start, end: edit.range.end }, newText: last.newText + edit.newText };
    } else out.push(edit);
  }
  return out;
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
