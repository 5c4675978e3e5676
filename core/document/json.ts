import { parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import type { NodeLocation, ParsedDocument, Span } from './types.ts';
import { computeLineStarts } from './position.ts';
import { joinPointer } from './pointer.ts';
import { clampSpan, firstPerLine, humanLine, quote, setMember, toDiagnostics, type Problem } from './problems.ts';
import { humanizeJsonError, type JsonErrorContext } from './json-messages.ts';
import { findExcessiveNesting, TOO_DEEP_MESSAGE } from './nesting.ts';

const OPTIONS = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true };

// jsonc-parser itself overflows the stack a few thousand levels deep (caught below); this keeps
// our own walk from getting anywhere near that.
const MAX_DEPTH = 1000;

const TOO_DEEP = 'The document is nested too deeply to parse';

interface Built {
  value: unknown;
  span: Span;
}

interface Walk {
  text: string;
  lineStarts: number[];
  problems: Problem[];
  locations: Map<string, NodeLocation>;
  tooDeep: boolean;
}

export function parseJson(text: string, name: string): ParsedDocument {
  const lineStarts = computeLineStarts(text);
  const walk: Walk = { text, lineStarts, problems: [], locations: new Map(), tooDeep: false };
  let value: unknown;
  const tooDeepAt = findExcessiveNesting(text, 'json');
  if (tooDeepAt >= 0) {
    walk.problems.push({
      span: clampSpan(tooDeepAt, tooDeepAt + 1, text.length),
      severity: 'error',
      code: 'json-syntax',
      message: TOO_DEEP_MESSAGE,
    });
  } else
    try {
      // jsonc-parser does not skip a byte order mark; a space in its place keeps every offset.
      const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
      const errors: ParseError[] = [];
      const root = parseTree(source, errors, OPTIONS);
      collectErrors(walk, source, errors, root);
      if (root !== undefined) {
        const built = buildNode(walk, root, '', 0);
        walk.locations.set('', { value: built.span });
        value = built.value;
      }
    } catch (error) {
      // Parsing must never throw; in practice this is a stack overflow on absurdly deep nesting.
      value = undefined;
      walk.locations.clear();
      walk.problems.push({
        span: { start: 0, end: 0 },
        severity: 'error',
        code: 'json-syntax',
        message: error instanceof RangeError ? TOO_DEEP : `Could not parse the JSON: ${String(error)}`,
      });
    }
  return {
    name,
    text,
    format: 'json',
    value,
    locations: walk.locations,
    diagnostics: toDiagnostics(walk.problems, lineStarts, text),
    lineStarts,
  };
}

function collectErrors(walk: Walk, source: string, errors: ParseError[], root: JsonNode | undefined): void {
  const problems: Problem[] = [];
  for (const error of errors) {
    const name = printParseErrorCode(error.error);
    const span = clampSpan(error.offset, error.offset + error.length, source.length);
    const trailingComma = findTrailingComma(source, name, span.start);
    if (trailingComma !== undefined) {
      problems.push({ span: trailingComma, severity: 'error', code: 'json-syntax', message: 'Trailing commas are not allowed in JSON' });
      continue;
    }
    const excerpt = source.slice(span.start, span.end);
    const container =
      name === 'CommaExpected' || name === 'CloseBraceExpected' || name === 'CloseBracketExpected'
        ? containerAt(root, span.start)
        : undefined;
    const context: JsonErrorContext = {
      excerpt,
      following: nextNonBlank(source, span.end),
      afterValue: root !== undefined && span.start >= root.offset + root.length,
      ...(container === undefined
        ? {}
        : { container: { type: container.type === 'array' ? 'array' : 'object', line: humanLine(walk.lineStarts, container.offset) } }),
    };
    problems.push({ span, severity: 'error', code: 'json-syntax', message: humanizeJsonError(name, context) });
  }
  walk.problems.push(...firstPerLine(problems, walk.lineStarts));
}

/** jsonc-parser reports `[1,]` as a missing value at `]`; the comma is what to delete. */
function findTrailingComma(source: string, name: string, offset: number): Span | undefined {
  if (name !== 'ValueExpected' && name !== 'PropertyNameExpected') return undefined;
  const closer = source[offset];
  if (closer !== '}' && closer !== ']') return undefined;
  let at = offset - 1;
  while (at >= 0 && isBlank(source.charCodeAt(at))) at--;
  return source[at] === ',' ? { start: at, end: at + 1 } : undefined;
}

function isBlank(ch: number): boolean {
  return ch === 32 || ch === 9 || ch === 10 || ch === 13;
}

function nextNonBlank(source: string, from: number): string {
  let at = from;
  while (at < source.length && isBlank(source.charCodeAt(at))) at++;
  return source[at] ?? '';
}

/** The innermost object or array whose extent (end included, for unclosed ones) holds `offset`. */
function containerAt(root: JsonNode | undefined, offset: number): JsonNode | undefined {
  let found: JsonNode | undefined;
  let node = root;
  while (node !== undefined && node.offset <= offset && offset <= node.offset + node.length) {
    if (node.type === 'object' || node.type === 'array') found = node;
    node = childAt(node.children, offset);
  }
  return found;
}

/** Children are in source order, so a binary search finds the last one starting at or before offset. */
function childAt(children: JsonNode[] | undefined, offset: number): JsonNode | undefined {
  if (children === undefined || children.length === 0) return undefined;
  let low = 0;
  let high = children.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((children[mid]?.offset ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return children[low];
}

/** jsonc-parser can report lengths past the end of the text (e.g. for an unterminated comment). */
function spanOf(walk: Walk, node: JsonNode): Span {
  return clampSpan(node.offset, node.offset + node.length, walk.text.length);
}

function buildNode(walk: Walk, node: JsonNode, pointer: string | undefined, depth: number): Built {
  if (node.type === 'object' || node.type === 'array') {
    if (depth > MAX_DEPTH) {
      if (!walk.tooDeep) walk.problems.push({ span: spanOf(walk, node), severity: 'error', code: 'json-syntax', message: TOO_DEEP });
      walk.tooDeep = true;
      return { value: null, span: spanOf(walk, node) };
    }
    return node.type === 'object' ? buildObject(walk, node, pointer, depth) : buildArray(walk, node, pointer, depth);
  }
  const value: unknown = node.value;
  return { value: value === undefined ? null : value, span: spanOf(walk, node) };
}

function buildObject(walk: Walk, node: JsonNode, pointer: string | undefined, depth: number): Built {
  const target: Record<string, unknown> = {};
  const properties = node.children ?? [];
  // Like JSON.parse the last duplicate wins, so only it gets locations; deciding that up front
  // avoids deleting a loser's descendants from the location map afterwards.
  let winners: Map<string, number> | undefined;
  if (pointer !== undefined) {
    winners = new Map();
    for (let i = 0; i < properties.length; i++) {
      const key = keyOf(properties[i]);
      if (key !== undefined) winners.set(key, i);
    }
  }
  const firstSeen = new Map<string, number>();
  for (let i = 0; i < properties.length; i++) {
    const property = properties[i];
    const keyNode = property?.children?.[0];
    const valueNode = property?.children?.[1];
    const key = keyOf(property);
    // A property cut short by a syntax error (`"a": }`) has no value to contribute.
    if (keyNode === undefined || valueNode === undefined || key === undefined) continue;
    const first = firstSeen.get(key);
    if (first === undefined) {
      firstSeen.set(key, keyNode.offset);
    } else {
      walk.problems.push({
        span: spanOf(walk, keyNode),
        severity: 'error',
        code: 'duplicate-key',
        message: `Duplicate key ${quote(key)} (first defined on line ${humanLine(walk.lineStarts, first)})`,
      });
    }
    const childPointer = winners !== undefined && winners.get(key) === i ? joinPointer(pointer ?? '', key) : undefined;
    const child = buildNode(walk, valueNode, childPointer, depth + 1);
    setMember(target, key, child.value);
    if (childPointer !== undefined) walk.locations.set(childPointer, { key: spanOf(walk, keyNode), value: child.span });
  }
  return { value: target, span: spanOf(walk, node) };
}

function keyOf(property: JsonNode | undefined): string | undefined {
  const keyNode = property?.children?.[0];
  if (property?.children?.[1] === undefined) return undefined;
  return keyNode?.type === 'string' && typeof keyNode.value === 'string' ? keyNode.value : undefined;
}

function buildArray(walk: Walk, node: JsonNode, pointer: string | undefined, depth: number): Built {
  const values: unknown[] = [];
  const items = node.children ?? [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) continue;
    const childPointer = pointer === undefined ? undefined : joinPointer(pointer, values.length);
    const child = buildNode(walk, item, childPointer, depth + 1);
    if (childPointer !== undefined) walk.locations.set(childPointer, { value: child.span });
    values.push(child.value);
  }
  return { value: values, span: spanOf(walk, node) };
}
