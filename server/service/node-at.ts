// The innermost spec node under an offset, and whether the offset is on its key or its value.
import type { ParsedDocument } from '../../core/document/index.ts';

export interface NodeAt {
  pointer: string;
  part: 'key' | 'value';
  start: number;
  end: number;
}

export function nodeAt(doc: ParsedDocument, offset: number): NodeAt | undefined {
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
