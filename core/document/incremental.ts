// Re-parsing after an edit. Most edits in an editor change one scalar (a value being typed);
// re-parsing 5,000 lines for that costs tens of milliseconds, while patching the previous parse
// costs one. An edit that could change the structure falls back to a full parse, so the result is
// always what parseDocument would have produced.
import { parse as parseYamlText } from 'yaml';
import type { NodeLocation, ParsedDocument } from './types.ts';
import { ShiftedLocations } from './shifted-locations.ts';
import { parsePointer } from './pointer.ts';
import { parseDocument } from './parse.ts';

export function reparse(previous: ParsedDocument | undefined, text: string, name: string): ParsedDocument {
  if (previous && previous.name === name) {
    const patched = patchScalarEdit(previous, text);
    if (patched) return patched;
  }
  return parseDocument(text, name, previous?.format);
}

/** The changed region: old [start, oldEnd) became new [start, newEnd). */
function changedRegion(before: string, after: string): { start: number; oldEnd: number; newEnd: number } | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}

// Characters that can change YAML or JSON structure when they appear in a scalar's text.
const STRUCTURAL = /[\n\r:#{}[\],&*!|>'"%@`\\]/;

// Something that may be a YAML anchor (`&name` at the start of a node). Aliases share the value of
// their anchored node, which a patch at one pointer would not update, and the alias expansion
// limits of a full parse depend on the anchored values; so such documents are always parsed in full.
// A false match (`&` opening a word in a quoted string or a comment) only costs a full parse.
const ANCHOR = /(?:^|[\s[{,])&[^\s[\]{},]/;

/** What a patch learnt that the next one can reuse: where the last edit was, and that the text has no anchor. */
interface PatchMemo {
  pointer: string;
  anchorFree: boolean;
}
const memos = new WeakMap<ParsedDocument, PatchMemo>();

export function patchScalarEdit(previous: ParsedDocument, text: string): ParsedDocument | undefined {
  if (previous.diagnostics.some((d) => d.severity === 'error') || previous.value === undefined) return undefined;
  const memo = memos.get(previous);
  if (previous.format === 'yaml' && !memo?.anchorFree && ANCHOR.test(previous.text)) return undefined;
  const region = changedRegion(previous.text, text);
  if (!region) return { ...previous, text };
  const target = scalarAround(previous, region, memo?.pointer);
  if (!target || target.pointer === '') return undefined;
  const oldValue = valueAt(previous.value, target.pointer);
  if (typeof oldValue === 'object' && oldValue !== null) return undefined; // a container: structure
  const span = target.location.value;
  const oldSource = previous.text.slice(span.start, span.end);
  const newSource = text.slice(span.start, span.end + (region.newEnd - region.oldEnd));
  const inserted = text.slice(region.start, region.newEnd);
  const removed = previous.text.slice(region.start, region.oldEnd);
  if (STRUCTURAL.test(inserted) || STRUCTURAL.test(removed) || newSource.trim() === '' || newSource !== newSource.trim()) return undefined;
  // An empty value (`key:` with nothing after it) has no text to type into: what is typed where
  // it sits may join the key instead (`{ a:0 }` is one key, "a:0").
  if (oldSource === '') return undefined;
  const quote = oldSource[0] === '"' || oldSource[0] === "'" ? oldSource[0] : undefined;
  if (quote && (region.start <= span.start || region.oldEnd >= span.end)) return undefined; // touches a quote
  const newValue = scalarValue(newSource, previous.format, quote !== undefined);
  if (newValue === NOT_A_SCALAR) return undefined;

  // Offsets before the edit stay; offsets after it move by the change in length. The edited
  // scalar keeps its start even when text was inserted right at it. No line break was typed
  // or removed (STRUCTURAL), so lines only move.
  const delta = region.newEnd - region.oldEnd;
  const location = { ...target.location, value: { start: span.start, end: span.end + delta } };
  const patched: ParsedDocument = {
    ...previous,
    text,
    value: withValue(previous.value, parsePointer(target.pointer), newValue),
    // A change of the same length moves nothing, the edited scalar's span included.
    locations:
      delta === 0
        ? previous.locations
        : ShiftedLocations.after(previous.locations, { ...region, delta, pointer: target.pointer, location }),
    lineStarts: delta === 0 ? previous.lineStarts : previous.lineStarts.map((s) => (s > region.start ? s + delta : s)),
  };
  // Nothing typed can start an anchor (& is STRUCTURAL), so a text without one stays without.
  memos.set(patched, { pointer: target.pointer, anchorFree: previous.format === 'yaml' });
  return patched;
}

/**
 * The innermost scalar whose value span holds the whole change (its ends included: appending);
 * undefined when the change touches a key. Typing goes on where it was: the last edit's scalar
 * is tried first, and the locations are searched only when the change is elsewhere.
 */
function scalarAround(
  previous: ParsedDocument,
  region: { start: number; oldEnd: number },
  lastPointer: string | undefined,
): { pointer: string; location: NodeLocation } | undefined {
  const last = lastPointer === undefined ? undefined : previous.locations.get(lastPointer);
  // A scalar has nothing inside it: holding the change, it is the innermost.
  if (last && region.start >= last.value.start && region.oldEnd <= last.value.end) {
    const value = valueAt(previous.value, lastPointer!);
    if (typeof value !== 'object' || value === null) return { pointer: lastPointer!, location: last };
  }
  let target: { pointer: string; location: NodeLocation } | undefined;
  for (const [pointer, location] of previous.locations) {
    const { start, end } = location.value;
    if (region.start < start || region.oldEnd > end) continue;
    if (location.key && region.oldEnd > location.key.start && region.start < location.key.end) return undefined;
    if (!target || end - start < target.location.value.end - target.location.value.start) target = { pointer, location };
  }
  return target;
}

const NOT_A_SCALAR = Symbol('not a scalar');

function scalarValue(source: string, format: 'yaml' | 'json', quoted: boolean): unknown {
  if (format === 'json') {
    try {
      const value = JSON.parse(source) as unknown;
      return typeof value === 'object' && value !== null ? NOT_A_SCALAR : value;
    } catch {
      return NOT_A_SCALAR;
    }
  }
  try {
    // Alone, the scalar resolves as it would in place (YAML 1.2 core schema): 10 stays a number,
    // true a boolean, a quoted "10" a string.
    const value = parseYamlText(source, { uniqueKeys: false }) as unknown;
    if (typeof value === 'object' && value !== null) return NOT_A_SCALAR;
    if (value === null && !quoted && !/^(~|null|Null|NULL)$/.test(source)) return NOT_A_SCALAR;
    return value;
  } catch {
    return NOT_A_SCALAR;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const token of parsePointer(pointer)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

/** A copy of `root` with the value at `tokens` replaced, sharing everything off the path. */
function withValue(root: unknown, tokens: readonly string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const [head, ...rest] = tokens as [string, ...string[]];
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[Number(head)] = withValue(root[Number(head)], rest, value);
    return copy;
  }
  const object = root as Record<string, unknown>;
  return { ...object, [head]: withValue(object[head], rest, value) };
}
