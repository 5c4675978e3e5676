// Where a spec node is, for whatever points at it: a diagnostic, a check's verdict, a hover.
// One answer for every consumer, so the editor's squiggle, the terminal's code frame and the
// Action's annotation agree: a missing node is shown at its nearest ancestor's key, and a value
// that spans several lines at its first line (a squiggle over 40 lines helps nobody).
import type { Range } from '../diagnostic.ts';
import type { ParsedDocument, Span } from './types.ts';
import { lineAt, positionAt } from './position.ts';

/** key: the node's key (its value when it has none, as list items); value: the value; parent-key: a missing node's nearest ancestor. */
export type Part = 'key' | 'value' | 'parent-key';

export function spanAtPointer(doc: ParsedDocument, pointer: string, part: Part): Span {
  const { locations } = doc;
  let at = pointer;
  let location = locations.get(at);
  // A missing node (e.g. `required`) is reported on its nearest ancestor.
  while (!location && at !== '') {
    at = at.slice(0, at.lastIndexOf('/'));
    location = locations.get(at);
    part = 'parent-key';
  }
  if (!location) return { start: 0, end: 0 };
  if ((part === 'key' || part === 'parent-key') && location.key) return location.key;
  if (part === 'parent-key' && at === '') {
    // The root has no key: point at its first key, the top of the file.
    for (const [p, l] of locations) if (p !== '' && !p.slice(1).includes('/') && l.key) return l.key;
    return { start: 0, end: 0 };
  }
  return firstLine(doc, location.value);
}

export function rangeAtPointer(doc: ParsedDocument, pointer: string, part: Part): Range {
  const span = spanAtPointer(doc, pointer, part);
  return { start: positionAt(doc.lineStarts, span.start), end: positionAt(doc.lineStarts, span.end) };
}

/** A multi-line span cut to its first line. */
export function firstLine(doc: Pick<ParsedDocument, 'text' | 'lineStarts'>, span: Span): Span {
  const text = doc.text;
  let end = span.end;
  const newline = newlineBefore(doc, span.start, end);
  if (newline >= 0) end = newline > span.start && text[newline - 1] === '\r' ? newline - 1 : newline;
  return { start: span.start, end: Math.max(end, span.start) };
}

/**
 * The first "\n" in [start, end), or -1. Found from the line starts rather than by searching
 * the text, which on a long line (a minified JSON spec) costs the rest of the line per lookup.
 */
function newlineBefore(doc: Pick<ParsedDocument, 'text' | 'lineStarts'>, start: number, end: number): number {
  const { text, lineStarts } = doc;
  // Every "\n" ends a line, so it sits just before a line start (a lone "\r" also ends one).
  for (let line = lineAt(lineStarts, start) + 1; line < lineStarts.length; line++) {
    const at = lineStarts[line]! - 1;
    if (at >= end) return -1;
    if (at >= start && text.charCodeAt(at) === 10) return at;
  }
  return -1;
}
