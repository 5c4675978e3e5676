export type { NodeLocation, ParsedDocument, SourceFormat, Span } from './types.ts';
export { detectFormat, locate, parseDocument } from './parse.ts';
export { parseJson } from './json.ts';
export { parseYaml } from './yaml.ts';
export { computeLineStarts, lineAt, offsetAt, positionAt, spanToRange } from './position.ts';
export { escapeToken, joinPointer, parentPointer, parsePointer, pointerFromTokens, unescapeToken } from './pointer.ts';
export { reparse } from './incremental.ts';
export { firstLine, rangeAtPointer, spanAtPointer, type Part } from './range.ts';
