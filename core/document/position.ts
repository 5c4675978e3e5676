import type { Position, Range } from '../diagnostic.ts';
import type { Span } from './types.ts';

const LF = 10;
const CR = 13;

/**
 * Offsets of the first character of every line. `\n`, `\r\n` and a lone `\r` each end a
 * line, as in LSP, so editors and our ranges agree on line numbers.
 */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  // indexOf runs natively, which matters for large specs; the CR scan is only paid when a CR exists.
  if (text.indexOf('\r') === -1) {
    let at = text.indexOf('\n');
    while (at !== -1) {
      starts.push(at + 1);
      at = text.indexOf('\n', at + 1);
    }
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === CR) {
      if (text.charCodeAt(i + 1) === LF) i++;
      starts.push(i + 1);
    } else if (ch === LF) {
      starts.push(i + 1);
    }
  }
  return starts;
}

function clampOffset(offset: number, text: string | undefined): number {
  if (!Number.isFinite(offset) || offset < 0) return 0;
  const whole = Math.floor(offset);
  return text !== undefined && whole > text.length ? text.length : whole;
}

/** Index of the line holding `offset`: the last line start at or before it. */
export function lineAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The LSP position of an offset. Pass `text` to clamp offsets past its end; without it only
 * negative offsets can be clamped, since line starts do not record where the last line ends.
 */
export function positionAt(lineStarts: readonly number[], offset: number, text?: string): Position {
  let at = clampOffset(offset, text);
  // An offset between the CR and the LF of a CRLF is inside the line break: LSP has no position
  // there, so it is the end of the line's content.
  if (text !== undefined && at > 0 && text.charCodeAt(at - 1) === CR && text.charCodeAt(at) === LF) at--;
  const line = lineAt(lineStarts, at);
  return { line, character: at - (lineStarts[line] ?? 0) };
}

/** End of a line's content, before its line break. */
function lineContentEnd(lineStarts: readonly number[], line: number, text: string | undefined): number {
  const next = lineStarts[line + 1];
  if (text === undefined) return next ?? Number.POSITIVE_INFINITY;
  let end = next ?? text.length;
  if (end > 0 && text.charCodeAt(end - 1) === LF && end - 1 >= (lineStarts[line] ?? 0)) end--;
  if (end > 0 && text.charCodeAt(end - 1) === CR && end - 1 >= (lineStarts[line] ?? 0)) end--;
  return end;
}

/**
 * The offset of an LSP position. Lines past the end clamp to the last line and characters
 * past a line's end clamp to that end (excluding the line break when `text` is given), as LSP
 * asks of servers.
 */
export function offsetAt(lineStarts: readonly number[], position: Position, text?: string): number {
  const lastLine = lineStarts.length - 1;
  const line = Number.isFinite(position.line) ? Math.floor(position.line) : 0;
  if (line < 0) return 0;
  // Without the text the end of the document is unknown; the last line start is the best bound.
  if (line > lastLine) return text?.length ?? lineStarts[lastLine] ?? 0;
  const start = lineStarts[line] ?? 0;
  const character = Number.isFinite(position.character) ? Math.max(0, Math.floor(position.character)) : 0;
  return Math.min(start + character, lineContentEnd(lineStarts, line, text));
}

/** Converts a span to an LSP range; `doc.text`, when present, bounds the span. */
export function spanToRange(doc: { lineStarts: readonly number[]; text?: string }, span: Span): Range {
  const start = positionAt(doc.lineStarts, span.start, doc.text);
  const end = span.end > span.start ? positionAt(doc.lineStarts, span.end, doc.text) : start;
  return { start, end: { line: end.line, character: end.character } };
}
