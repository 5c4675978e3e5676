import type { ParsedDocument, Span } from '../document/types.ts';
import type { DiagnosticCollector } from './collector.ts';

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

// The rules read the same big sections (every scenario) several times per validation, and the
// value does not change during one: within `withEntriesCache`, each object's entries are listed
// once (on a 50,000-line spec, listing them again was a tenth of the semantic phase).
let entriesCache: WeakMap<object, ReadonlyArray<[string, unknown]>> | undefined;

export function withEntriesCache<T>(run: () => T): T {
  const outer = entriesCache;
  entriesCache = new WeakMap();
  try {
    return run();
  } finally {
    entriesCache = outer;
  }
}

export function entries(value: unknown): ReadonlyArray<[string, unknown]> {
  const o = obj(value);
  if (!o) return [];
  let list = entriesCache?.get(o);
  if (!list) {
    list = Object.entries(o);
    entriesCache?.set(o, list);
  }
  return list;
}

/** Every string in a value, keys aside. */
export function forEachString(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) forEachString(item, visit);
  else if (value !== null && typeof value === 'object') for (const key in value) forEachString((value as Obj)[key], visit);
}

export interface RuleContext {
  doc: ParsedDocument;
  spec: Obj;
  report: DiagnosticCollector;
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
  const start = literalStart(doc, scalar, text);
  return start === undefined ? scalar : { start: start + from, end: start + to };
}

interface LiteralStart {
  source: string;
  text: string;
  start: number | undefined;
}

/**
 * Comparing the source with the string costs the string's length, and a string with many
 * expressions asks once per expression: a 20,000-expression string made validation quadratic.
 * So the answer is kept per scalar span (the location's own object), for the same document text
 * and string; both are normally the very same objects, which compare in constant time.
 */
const literalStarts = new WeakMap<Span, LiteralStart>();

/** Where `text` starts in the source when `scalar` spells it literally, else undefined. */
function literalStart(doc: ParsedDocument, scalar: Span, text: string): number | undefined {
  const cached = literalStarts.get(scalar);
  if (cached !== undefined && cached.text === text && cached.source === doc.text) return cached.start;
  const start = findLiteralStart(doc.text, scalar, text);
  literalStarts.set(scalar, { source: doc.text, text, start });
  return start;
}

function findLiteralStart(all: string, scalar: Span, text: string): number | undefined {
  const source = all.slice(scalar.start, scalar.end);
  if (source === text) return scalar.start;
  const quote = source[0];
  if ((quote === '"' || quote === "'") && source.length >= 2 && source.at(-1) === quote && source.slice(1, -1) === text) {
    return scalar.start + 1;
  }
  return undefined;
}

export type Rule = (ctx: RuleContext) => void;
