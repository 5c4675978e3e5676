// What the cursor is on, in a document that may be half-typed. A placeholder is put where the
// user is typing (a key, a value or a list item), the result is parsed, and the placeholder's
// JSON pointer says where in the spec the cursor is. The same document model (core/document)
// as validation, so completion and diagnostics agree on what a node is.
import { parseDocument, parsePointer, positionAt, type ParsedDocument, type SourceFormat } from '../../core/document/index.ts';
import { clampOffset } from './documents.ts';

export const PLACEHOLDER = 'provspec_cursor_placeholder';

export interface CursorContext {
  kind: 'key' | 'value' | 'item';
  /** The object or array the cursor is in (for a value: the member's own pointer). */
  pointer: string;
  /** For values: the key whose value is being typed. */
  key?: string;
  /** What has been typed of the word at the cursor, and where it starts (offset). */
  prefix: string;
  prefixStart: number;
  /** Text of the current line before the cursor. */
  linePrefix: string;
  /** Column where a key at this position starts (for indentation of inserted text). */
  indent: number;
}

/**
 * The line holding `offset`, without its line break: `\n`, `\r\n` and a lone `\r` end a line, as in
 * LSP, so a range within these bounds never spans two of the editor's lines.
 */
export function lineBounds(text: string, offset: number): { start: number; end: number } {
  // lastIndexOf(…, -1) still looks at index 0: at the very start there is no line before.
  const start = offset > 0 ? Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1 : 0;
  const ends = [text.indexOf('\n', offset), text.indexOf('\r', offset)].filter((i) => i >= 0);
  return { start, end: ends.length ? Math.min(...ends) : text.length };
}

/**
 * `doc`, the parse of `text` when there is one, lets a YAML cursor be placed by parsing only the
 * block around it (see `locateInBlock`): on a 50,000-line spec, parsing it all again took most
 * of a second.
 */
export function cursorContext(text: string, at: number, format: SourceFormat, doc?: ParsedDocument): CursorContext | undefined {
  const offset = clampOffset(at, text.length);
  return format === 'json' ? jsonContext(text, offset) : yamlContext(text, offset, doc);
}

function yamlContext(text: string, offset: number, doc: ParsedDocument | undefined): CursorContext | undefined {
  const locate = (candidate: string, at: number) =>
    (doc?.text === text ? locateInBlock(doc, candidate, at) : undefined) ?? locatePlaceholder(candidate, 'yaml');
  const { start, end } = lineBounds(text, offset);
  const linePrefix = text.slice(start, offset);
  const lineRest = text.slice(offset, end);
  const indent = linePrefix.length - linePrefix.trimStart().length;
  const word = /[^\s:{},[\]'"]*$/.exec(linePrefix)?.[0] ?? '';
  const prefixStart = offset - word.length;

  // "key: partial" — a value.
  const keyValue = /^(\s*)(?:- +)?([^\s:#][^:#]*?):\s+(.*)$/.exec(linePrefix);
  if (keyValue) {
    const typed = keyValue[3] ?? '';
    if (!/[[{]/.test(typed)) {
      const valueStart = offset - typed.length;
      const found = locate(`${text.slice(0, valueStart)}${PLACEHOLDER}${text.slice(end)}`, valueStart);
      if (found) {
        const tokens = parsePointer(found);
        const quoted = /^["']/.test(typed);
        return {
          kind: 'value',
          pointer: found,
          key: tokens[tokens.length - 1],
          prefix: quoted ? typed.slice(1) : typed,
          prefixStart: valueStart + (quoted ? 1 : 0),
          linePrefix,
          indent,
        };
      }
    }
  }
  // "- partial" — a list item (or a key of a mapping that starts on the item's line).
  const item = /^(\s*)- +([^\s:]*)$/.exec(linePrefix);
  if (item) {
    const asItem = `${text.slice(0, prefixStart)}${PLACEHOLDER}${text.slice(end)}`;
    const found = locate(asItem, prefixStart);
    if (found) return { kind: 'item', pointer: parentOf(found), prefix: word, prefixStart, linePrefix, indent: (item[1]?.length ?? 0) + 2 };
  }
  // "partial" alone on its line — a key.
  if (/^\s*[^\s:#]*$/.test(linePrefix) && !lineRest.includes(':')) {
    const candidate = `${text.slice(0, prefixStart)}${PLACEHOLDER}: x${text.slice(end)}`;
    const found = locate(candidate, prefixStart);
    if (found) return { kind: 'key', pointer: parentOf(found), prefix: word, prefixStart, linePrefix, indent };
  }
  return undefined;
}

function jsonContext(text: string, offset: number): CursorContext | undefined {
  const { start } = lineBounds(text, offset);
  const linePrefix = text.slice(start, offset);
  const stringStart = findOpenString(text, offset);
  const word = stringStart !== undefined ? text.slice(stringStart + 1, offset) : '';
  const prefixStart = stringStart !== undefined ? stringStart + 1 : offset;
  const indent = linePrefix.length - linePrefix.trimStart().length;
  const closeQuote = stringStart !== undefined && text[offset] === '"' ? 1 : 0;
  const head = text.slice(0, stringStart ?? offset);
  const tail = text.slice(offset + closeQuote);
  const before = head.trimEnd();
  const last = before[before.length - 1];
  if (last === ':') {
    const candidate = `${head}"${PLACEHOLDER}"${tail}`;
    const found = locatePlaceholder(candidate, 'json');
    if (found) {
      const tokens = parsePointer(found);
      return { kind: 'value', pointer: found, key: tokens[tokens.length - 1], prefix: word, prefixStart, linePrefix, indent };
    }
  }
  if (last === '{' || last === ',') {
    const asKey = `${head}"${PLACEHOLDER}": 0${tail}`;
    const found = locatePlaceholder(asKey, 'json');
    if (found) return { kind: 'key', pointer: parentOf(found), prefix: word, prefixStart, linePrefix, indent };
  }
  if (last === '[' || last === ',') {
    const asItem = `${head}"${PLACEHOLDER}"${tail}`;
    const found = locatePlaceholder(asItem, 'json');
    if (found) return { kind: 'item', pointer: parentOf(found), prefix: word, prefixStart, linePrefix, indent };
  }
  return undefined;
}

function findOpenString(text: string, offset: number): number | undefined {
  const { start } = lineBounds(text, offset);
  let open: number | undefined;
  for (let i = start; i < offset; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '"') open = open === undefined ? i : undefined;
  }
  return open;
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function parentOf(pointer: string): string {
  const tokens = parsePointer(pointer);
  return tokens.length <= 1 ? '' : `/${tokens.slice(0, -1).map(escapePointerToken).join('/')}`;
}

/** Pointer of the placeholder (as a key or a value) in a document, if it parses there. */
function locatePlaceholder(text: string, format: SourceFormat): string | undefined {
  const doc: ParsedDocument = parseDocument(text, 'cursor', format);
  for (const [pointer, location] of doc.locations) {
    const keyText = location.key ? text.slice(location.key.start, location.key.end).replace(/^["']|["']$/g, '') : undefined;
    if (keyText === PLACEHOLDER) return pointer;
    const valueText = text.slice(location.value.start, location.value.end).replace(/^["']|["']$/g, '');
    if (valueText === PLACEHOLDER) return pointer;
  }
  return undefined;
}

/**
 * The placeholder's pointer, from parsing only the block it is in: the nearest line above it that
 * is a mapping key with its value on the lines below (`steps:`), to where that block ends. The
 * block is parsed alone (de-indented), and its pointer joined to the key's pointer in the
 * document's parse. Undefined, so the whole text is parsed instead, whenever that cannot be
 * trusted: no such key, a key the parse does not know at that place, or no placeholder found.
 */
function locateInBlock(doc: ParsedDocument, candidate: string, at: number): string | undefined {
  // Line breaks other than \n would need the full parse's line model; such files are parsed whole.
  if (doc.text.includes('\r')) return undefined;
  const lines = doc.lineStarts;
  const cursorLine = lineAt(lines, at);
  // Where line k starts in the candidate: the candidate replaced the rest of the cursor's line.
  const delta = candidate.length - doc.text.length;
  const startOf = (k: number) => lines[k]! + (k > cursorLine ? delta : 0);
  const shape = (start: number) => {
    let i = start;
    while (candidate[i] === ' ') i++;
    const first = candidate[i];
    return { indent: i - start, first, blank: first === undefined || first === '\n' || first === '#' };
  };
  // Up from the cursor, through each enclosing line, to the nearest that is `key:` alone.
  let inner = shape(startOf(cursorLine));
  let header: { line: number; indent: number } | undefined;
  for (let k = cursorLine - 1; k >= 0 && !header; k--) {
    const line = shape(startOf(k));
    if (line.blank) continue;
    const encloses = line.indent < inner.indent || (line.indent === inner.indent && inner.first === '-' && line.first !== '-');
    if (!encloses) continue;
    const end = candidate.indexOf('\n', startOf(k));
    if (/^ *[^\s#'"{[&*!|>%@`-][^:#]*:\s*(#.*)?$/.test(candidate.slice(startOf(k), end < 0 ? candidate.length : end)))
      header = { line: k, indent: line.indent };
    else inner = line;
  }
  if (!header) return undefined;
  const headerPointer = keyPointers(doc).get(startOf(header.line) + header.indent);
  if (headerPointer === undefined) return undefined;
  // The block: the header line and what follows that is blank, a comment, or indented deeper
  // (a list may sit at the key's own indentation).
  let endLine = cursorLine + 1;
  for (; endLine < lines.length; endLine++) {
    const line = shape(startOf(endLine));
    if (!line.blank && (line.indent < header.indent || (line.indent === header.indent && line.first !== '-'))) break;
  }
  const block = candidate
    .slice(startOf(header.line), endLine < lines.length ? startOf(endLine) : candidate.length)
    .split('\n')
    .map((l) => l.slice(Math.min(header.indent, l.length - l.trimStart().length)))
    .join('\n');
  const found = locatePlaceholder(block, 'yaml');
  if (found === undefined) return undefined;
  const [, ...rest] = parsePointer(found);
  return rest.reduce((pointer, token) => `${pointer}/${escapePointerToken(token)}`, headerPointer);
}

/** Where each mapping key starts, to its pointer: built once per parse. */
const keyPointerCache = new WeakMap<ParsedDocument, Map<number, string>>();
function keyPointers(doc: ParsedDocument): Map<number, string> {
  let map = keyPointerCache.get(doc);
  if (!map) {
    map = new Map();
    for (const [pointer, location] of doc.locations) if (location.key) map.set(location.key.start, pointer);
    keyPointerCache.set(doc, map);
  }
  return map;
}

function lineAt(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export { positionAt };
