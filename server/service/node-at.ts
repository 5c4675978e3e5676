// The innermost spec node under an offset, and whether the offset is on its key or its value.
import { joinPointer, type NodeLocation, type ParsedDocument } from '../../core/document/index.ts';

export interface NodeAt {
  pointer: string;
  part: 'key' | 'value';
  start: number;
  end: number;
}

/**
 * Found by walking down from the root through the nodes whose span holds the offset (a node's
 * children lie within its value's span), not by testing every location: on a 50,000-line spec
 * that was most of a hover's time. Ends count as inside, as in `nodeAtByScan`, the definition
 * it is tested against.
 */
export function nodeAt(doc: ParsedDocument, offset: number): NodeAt | undefined {
  const root = doc.locations.get('');
  if (!root) return nodeAtByScan(doc, offset);
  let best: NodeAt | undefined;
  const consider = (pointer: string, part: 'key' | 'value', span: NodeLocation['value'] | undefined) => {
    if (!span || offset < span.start || offset > span.end) return;
    if (!best || span.end - span.start < best.end - best.start) best = { pointer, part, start: span.start, end: span.end };
  };
  const visit = (pointer: string, value: unknown, location: NodeLocation) => {
    consider(pointer, 'key', location.key);
    consider(pointer, 'value', location.value);
    if (offset < location.value.start || offset > location.value.end || value === null || typeof value !== 'object') return;
    const child = (token: string | number, item: unknown) => {
      const at = joinPointer(pointer, token);
      const found = doc.locations.get(at);
      if (found) visit(at, item, found);
    };
    if (Array.isArray(value)) value.forEach((item, i) => child(i, item));
    else for (const key in value) child(key, (value as Record<string, unknown>)[key]);
  };
  visit('', doc.value, root);
  return best;
}

/** Every location tested: the definition `nodeAt` must agree with (a test compares them). */
export function nodeAtByScan(doc: ParsedDocument, offset: number): NodeAt | undefined {
  let best: NodeAt | undefined;
  for (const [pointer, location] of doc.locations) {
    for (const part of ['key', 'value'] as const) {
      const span = part === 'key' ? location.key : location.value;
      if (!span || offset < span.start || offset > span.end) continue;
      if (!best || span.end - span.start < best.end - best.start) best = { pointer, part, start: span.start, end: span.end };
    }
  }
  return best;
}
