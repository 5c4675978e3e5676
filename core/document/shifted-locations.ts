// The locations of a document after edits inside scalars: every span after an edit moves by the
// change in length. Copying 150,000 locations of a 50,000-line spec for each keystroke cost more
// than validating it, so the moved spans are worked out when they are read, from the locations
// of the last full parse and the edits since; after MAX_EDITS edits they are written out into a
// plain map again, so a read stays cheap whatever was typed.
import type { NodeLocation, Span } from './types.ts';

const MAX_EDITS = 32;

export interface ScalarEdit {
  /** The edited region of the text before it: [start, oldEnd) became `delta` characters longer. */
  start: number;
  oldEnd: number;
  delta: number;
  /** The edited scalar's pointer and its location after the edit (its start stays if text was inserted at it). */
  pointer: string;
  location: NodeLocation;
}

export class ShiftedLocations implements ReadonlyMap<string, NodeLocation> {
  readonly #base: ReadonlyMap<string, NodeLocation>;
  readonly #edits: readonly ScalarEdit[];

  private constructor(base: ReadonlyMap<string, NodeLocation>, edits: readonly ScalarEdit[]) {
    this.#base = base;
    this.#edits = edits;
  }

  /** `locations` as they are after `edit`. */
  static after(locations: ReadonlyMap<string, NodeLocation>, edit: ScalarEdit): ReadonlyMap<string, NodeLocation> {
    const shifted =
      locations instanceof ShiftedLocations
        ? new ShiftedLocations(locations.#base, [...locations.#edits, edit])
        : new ShiftedLocations(locations, [edit]);
    return shifted.#edits.length >= MAX_EDITS ? new Map(shifted) : shifted;
  }

  get size(): number {
    return this.#base.size;
  }

  has(pointer: string): boolean {
    return this.#base.has(pointer);
  }

  get(pointer: string): NodeLocation | undefined {
    const location = this.#base.get(pointer);
    return location && this.#moved(pointer, location);
  }

  *entries(): MapIterator<[string, NodeLocation]> {
    for (const [pointer, location] of this.#base) yield [pointer, this.#moved(pointer, location)];
  }

  *keys(): MapIterator<string> {
    yield* this.#base.keys();
  }

  *values(): MapIterator<NodeLocation> {
    for (const [, location] of this.entries()) yield location;
  }

  forEach(callback: (value: NodeLocation, key: string, map: ReadonlyMap<string, NodeLocation>) => void, thisArg?: unknown): void {
    for (const [pointer, location] of this.entries()) callback.call(thisArg, location, pointer, this);
  }

  [Symbol.iterator](): MapIterator<[string, NodeLocation]> {
    return this.entries();
  }

  /** The location through each edit in turn: an edited scalar takes its new location, the rest move. */
  #moved(pointer: string, location: NodeLocation): NodeLocation {
    let current = location;
    for (const edit of this.#edits) {
      if (pointer === edit.pointer) {
        current = edit.location;
        continue;
      }
      const value = moveSpan(current.value, edit);
      const key = current.key && moveSpan(current.key, edit);
      if (value !== current.value || key !== current.key) current = key ? { key, value } : { value };
    }
    return current;
  }
}

function moveSpan(span: Span, edit: ScalarEdit): Span {
  const move = (offset: number) => (offset < edit.start ? offset : offset >= edit.oldEnd ? offset + edit.delta : offset);
  const start = move(span.start);
  const end = move(span.end);
  return start === span.start && end === span.end ? span : { start, end };
}
