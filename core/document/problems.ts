import type { Diagnostic, Severity } from '../diagnostic.ts';
import { lineAt, spanToRange } from './position.ts';
import type { Span } from './types.ts';

/** A diagnostic before its span is turned into a range, so parsers work in offsets only. */
export interface Problem {
  span: Span;
  severity: Severity;
  code: string;
  message: string;
}

/** Sorted by position (stable), so output does not depend on which pass found a problem. */
export function toDiagnostics(problems: Problem[], lineStarts: readonly number[], text: string): Diagnostic[] {
  const ordered = problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => a.problem.span.start - b.problem.span.start || a.index - b.index);
  return ordered.map(({ problem }) => ({
    range: spanToRange({ lineStarts, text }, problem.span),
    severity: problem.severity,
    code: problem.code,
    message: problem.message,
  }));
}

/**
 * Keeps the first problem on each line. Parsers that recover from a syntax error tend to report a
 * cascade of follow-on errors on the same line; only the first is reliably about what the author
 * got wrong.
 */
export function firstPerLine(problems: Problem[], lineStarts: readonly number[]): Problem[] {
  const seen = new Set<number>();
  return problems.filter((problem) => {
    const line = lineAt(lineStarts, problem.span.start);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

/** 1-based line number, for messages. */
export function humanLine(lineStarts: readonly number[], offset: number): number {
  return lineAt(lineStarts, offset) + 1;
}

/**
 * Sets an own property even for "__proto__", which plain assignment would turn into a
 * prototype change (JSON.parse also keeps it as an own property).
 */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function clampSpan(start: number, end: number, length: number): Span {
  const s = Math.min(Math.max(0, start), length);
  const e = Math.min(Math.max(s, end), length);
  return { start: s, end: e };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Short, single-line excerpts are quoted in messages; anything longer is described instead. */
export function quoteExcerpt(excerpt: string, max = 30): string | undefined {
  if (excerpt.length === 0 || excerpt.length > max || /[\r\n]/.test(excerpt)) return undefined;
  return quote(excerpt);
}

/**
 * Quotes text for a message as the author would type it: double quotes, single quotes if the text
 * holds a double quote, JSON escapes only when nothing else keeps it on one readable line.
 */
export function quote(text: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text)) return JSON.stringify(text);
  if (!text.includes('"')) return `"${text}"`;
  if (!text.includes("'")) return `'${text}'`;
  return JSON.stringify(text);
}
