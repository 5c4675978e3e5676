// Folding ranges from the document's own structure, and formatting that keeps comments.
import type { FoldingRange, TextEdit } from 'vscode-languageserver-types';
import { parseDocument as parseYamlDocument } from 'yaml';
import { positionAt, type ParsedDocument } from '../../core/document/index.ts';

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
  // Runs of comment lines fold too.
  const lines = doc.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*#/.test(lines[i]!)) continue;
    let j = i;
    while (j + 1 < lines.length && /^\s*#/.test(lines[j + 1]!)) j++;
    if (j > i) ranges.push({ startLine: i, endLine: j, kind: 'comment' });
    i = j;
  }
  return ranges;
}

/** The whole document re-printed (YAML through the yaml package, keeping comments), or no edit. */
export function format(doc: ParsedDocument, tabSize: number): TextEdit[] {
  if (doc.diagnostics.some((d) => d.severity === 'error')) return []; // never reformat what does not parse
  let formatted: string;
  if (doc.format === 'json') {
    formatted = `${JSON.stringify(doc.value, null, tabSize)}\n`;
  } else {
    const yaml = parseYamlDocument(doc.text, { keepSourceTokens: false });
    if (yaml.errors.length) return [];
    formatted = yaml.toString({ indent: tabSize, lineWidth: 0, flowCollectionPadding: true });
  }
  if (formatted === doc.text) return [];
  const end = positionAt(doc.lineStarts, doc.text.length, doc.text);
  return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted }];
}
