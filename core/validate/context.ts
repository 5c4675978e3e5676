import type { ParsedDocument, Span } from '../document/types.ts';
import type { Reporter } from './report.ts';

/** Reading a spec that may not satisfy the schema: every accessor tolerates any shape. */
export type Obj = Record<string, unknown>;

export function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function entries(value: unknown): Array<[string, unknown]> {
  const o = obj(value);
  return o ? Object.entries(o) : [];
}

export interface RuleContext {
  doc: ParsedDocument;
  spec: Obj;
  report: Reporter;
  identityNames: string[];
  groupNames: string[];
  variableNames: string[];
  /** Every attribute any identity has, plus those `update` steps introduce. */
  identityAttributes: Set<string>;
}

/**
 * The span of characters [from, to) of a string scalar, when the source spells the string
 * literally (plain, or quoted without escapes); otherwise the whole scalar.
 */
export function innerSpan(doc: ParsedDocument, scalar: Span, text: string, from: number, to: number): Span {
  const source = doc.text.slice(scalar.start, scalar.end);
  if (source === text) return { start: scalar.start + from, end: scalar.start + to };
  const quote = source[0];
  if ((quote === '"' || quote === "'") && source.length >= 2 && source.at(-1) === quote && source.slice(1, -1) === text) {
    return { start: scalar.start + 1 + from, end: scalar.start + 1 + to };
  }
  return scalar;
}

export type Rule = (ctx: RuleContext) => void;
