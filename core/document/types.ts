import type { Diagnostic } from '../diagnostic.ts';

/** Half-open [start, end) offsets into the source text, in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

/** Where a node of the value sits in the source. */
export interface NodeLocation {
  /** The key's span, for members of a mapping/object. */
  key?: Span;
  /** The value's span (for a string, including its quotes). */
  value: Span;
}

export type SourceFormat = 'yaml' | 'json';

export interface ParsedDocument {
  /** Path or URI, only used for messages. */
  name: string;
  text: string;
  format: SourceFormat;
  /** The plain value (objects, arrays, strings, numbers, booleans, null); undefined if nothing parsed. */
  value: unknown;
  /** JSON pointer (RFC 6901, root = '') -> location of the node. */
  locations: ReadonlyMap<string, NodeLocation>;
  /** Syntax problems; parsing never throws. */
  diagnostics: Diagnostic[];
  /** Offsets of the first character of each line, for offset <-> position conversion. */
  lineStarts: number[];
}
