// SCIM attribute paths as IdP mappings write them: the `PATH` of RFC 7644 §3.5.2, i.e.
//   [schemaUrn ":"] attribute ["[" valFilter "]"] ["." subAttribute]
// with the filter grammar of §3.4.2.2. Purely syntactic: whether the names exist is resolve.ts's job.
// Every part keeps its offsets (UTF-16, end exclusive) so an editor can underline exactly it.

export interface Span {
  start: number;
  end: number;
}

export type FilterOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';
export const FILTER_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];

export type FilterValue = string | number | boolean | null;

/** `type eq "work"`, `primary pr`. */
export interface Comparison {
  attribute: string;
  /** Lower-cased: operators are case-insensitive (RFC 7644 §3.4.2.2). */
  op: FilterOperator;
  /** Absent for `pr`. */
  value?: FilterValue;
  start: number;
  end: number;
  attributeSpan: Span;
  opSpan: Span;
  valueSpan?: Span;
}

export type FilterExpression =
  | { kind: 'comparison'; comparison: Comparison }
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression };

export interface ValueFilter {
  /** The text between the brackets; `path.slice(start, end) === text`. */
  text: string;
  start: number;
  end: number;
  expression: FilterExpression;
  /** Every comparison of the expression, in source order. */
  comparisons: Comparison[];
}

export interface ParsedPath {
  ok: true;
  schemaUrn?: string;
  attribute: string;
  valueFilter?: ValueFilter;
  subAttribute?: string;
  spans: { schemaUrn?: Span; attribute: Span; subAttribute?: Span };
}

export interface PathError {
  ok: false;
  message: string;
  start: number;
  end: number;
}

// Deeper nesting than this is no real filter, and recursion must not overflow on hostile input.
const MAX_FILTER_DEPTH = 64;

/**
 * Parses a SCIM attribute path. Without `urnLength`, a schema URN is whatever precedes the last
 * ":" before any "["; a caller that already matched a known schema id passes its length, so that
 * ids with unusual shapes still split where the schema says.
 */
export function parseAttributePath(path: string, urnLength?: number): ParsedPath | PathError {
  if (typeof path !== 'string') return fail('An attribute path must be a string.', 0, 0);
  if (path.length === 0) return fail('The attribute path is empty.', 0, 0);

  let schemaUrn: string | undefined;
  let attributeStart = 0;
  if (urnLength !== undefined && urnLength > 0 && path[urnLength] === ':') {
    schemaUrn = path.slice(0, urnLength);
    attributeStart = urnLength + 1;
  } else {
    const bracket = path.indexOf('[');
    const head = bracket < 0 ? path : path.slice(0, bracket);
    const colon = head.lastIndexOf(':');
    if (colon >= 0) {
      const urn = path.slice(0, colon);
      if (!/^urn:/i.test(urn)) {
        return fail(
          `":" only separates a schema URN from an attribute name, and "${urn}" ` +
            `is not a URN. A sub-attribute follows a ".", as in name.givenName.`,
          colon,
          colon + 1,
        );
      }
      const problem = checkUrn(urn);
      if (problem) return problem;
      schemaUrn = urn;
      attributeStart = colon + 1;
    }
  }

  const first = readName(path, attributeStart, schemaUrn === undefined ? undefined : 'after the schema URN');
  if (!first.ok) return first;
  const parsed: ParsedPath = {
    ok: true,
    attribute: path.slice(attributeStart, first.end),
    spans: { attribute: { start: attributeStart, end: first.end } },
  };
  if (schemaUrn !== undefined) {
    parsed.schemaUrn = schemaUrn;
    parsed.spans.schemaUrn = { start: 0, end: schemaUrn.length };
  }
  let pos = first.end;

  if (path[pos] === '[') {
    const close = closingBracket(path, pos);
    if (typeof close !== 'number') return close;
    if (close < 0) return fail('This "[" has no matching "]".', pos, pos + 1);
    const filter = parseValueFilter(path, pos + 1, close);
    if (!filter.ok) return filter;
    parsed.valueFilter = filter.filter;
    pos = close + 1;
    if (pos < path.length && path[pos] !== '.') {
      return fail('A value filter ends the path or is followed by ".subAttribute", as in emails[type eq "work"].value.', pos, pos + 1);
    }
  }

  if (path[pos] === '.') {
    const sub = readName(path, pos + 1, 'after "."');
    if (!sub.ok) return sub;
    parsed.subAttribute = path.slice(pos + 1, sub.end);
    parsed.spans.subAttribute = { start: pos + 1, end: sub.end };
    pos = sub.end;
    if (path[pos] === '.') {
      const extra = readName(path, pos + 1, 'after "."');
      return fail('SCIM attributes have at most one level of sub-attributes (RFC 7643 §2.3.8).', pos, extra.ok ? extra.end : pos + 1);
    }
    if (path[pos] === '[') {
      const found = closingBracket(path, pos);
      const close = typeof found === 'number' ? found : -1;
      return fail(
        `A value filter goes right after the multi-valued attribute, before ` +
          `".${parsed.subAttribute}": ${parsed.attribute}[…].${parsed.subAttribute}.`,
        pos,
        close < 0 ? pos + 1 : close + 1,
      );
    }
  }

  if (pos < path.length) return unexpected(path, pos);
  return parsed;
}

function fail(message: string, start: number, end: number): PathError {
  return { ok: false, message, start, end };
}

function checkUrn(urn: string): PathError | undefined {
  const empty = urn.indexOf('::');
  if (empty >= 0) return fail('The schema URN has an empty segment ("::").', empty, empty + 2);
  const space = urn.search(/\s/);
  if (space >= 0) return fail('A schema URN cannot contain whitespace.', space, space + 1);
  return undefined;
}

function unexpected(path: string, pos: number): PathError {
  const c = path[pos] ?? '';
  if (c === ']') return fail('This "]" has no matching "[".', pos, pos + 1);
  if (/\s/.test(c)) return fail('An attribute path cannot contain whitespace outside a value filter.', pos, pos + 1);
  return fail(`"${c}" cannot appear here: attribute names are letters, digits, "-" and "_".`, pos, pos + 1);
}

/**
 * Reads an ATTRNAME (RFC 7643 §2.1: ALPHA *(ALPHA / DIGIT / "-" / "_")), plus the reserved
 * "$ref". An empty name reports the separator that precedes it, which is what to delete.
 */
function readName(path: string, start: number, where: string | undefined): { ok: true; end: number } | PathError {
  const match = /^\$?[A-Za-z][A-Za-z0-9_-]*/.exec(path.slice(start));
  if (match) return { ok: true, end: start + match[0].length };
  const c = path[start];
  const emptyAt = start > 0 ? start - 1 : start;
  if (c === undefined) {
    return fail(`An attribute name is missing${where ? ` ${where}` : ''}.`, emptyAt, start);
  }
  if (c === '.' || c === '[' || c === ']' || c === ':') {
    return fail(
      `An attribute name is missing${where ? ` ${where}` : ` before "${c}"`}.`,
      start === 0 ? 0 : emptyAt,
      start === 0 ? 1 : start,
    );
  }
  if (/[0-9]/.test(c)) return fail('An attribute name starts with a letter.', start, start + 1);
  return unexpected(path, start);
}

/**
 * The "]" that closes the "[" at `open`, skipping quoted strings; -1 if there is none, or the
 * error of a string left open, which is what swallowed the "]".
 */
function closingBracket(path: string, open: number): number | PathError {
  let stringStart = -1;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (stringStart >= 0) {
      if (c === '\\') i++;
      else if (c === '"') stringStart = -1;
    } else if (c === '"') stringStart = i;
    else if (c === ']') return i;
  }
  return stringStart >= 0 ? fail('This string has no closing quote.', stringStart, path.length) : -1;
}

// ---- value filters -------------------------------------------------------------------------

interface Token {
  kind: 'word' | 'string' | 'number' | '(' | ')';
  text: string;
  start: number;
  end: number;
  value?: FilterValue;
}

function parseValueFilter(path: string, start: number, end: number): { ok: true; filter: ValueFilter } | PathError {
  const text = path.slice(start, end);
  if (text.trim() === '') return fail('The value filter is empty; write a condition such as [type eq "work"].', start - 1, end + 1);
  const tokens = tokenize(path, start, end);
  if (!Array.isArray(tokens)) return tokens;
  const parser = new FilterParser(tokens, start, end);
  const expression = parser.parse();
  if ('ok' in expression) return expression;
  return { ok: true, filter: { text, start, end, expression, comparisons: parser.comparisons } };
}

function tokenize(path: string, start: number, end: number): Token[] | PathError {
  const tokens: Token[] = [];
  let i = start;
  while (i < end) {
    const c = path[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '[') return fail('Value filters cannot be nested.', i, i + 1);
    if (c === '"') {
      let j = i + 1;
      while (j < end && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      if (j >= end) return fail('This string has no closing quote.', i, end);
      const raw = path.slice(i, j + 1);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return fail('This string has an invalid escape sequence.', i, j + 1);
      }
      tokens.push({ kind: 'string', text: raw, start: i, end: j + 1, value: value as string });
      i = j + 1;
      continue;
    }
    const rest = path.slice(i, end);
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], start: i, end: i + number[0].length, value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    // Words are operators, keywords and attribute paths, which may carry a URN (":") or a sub-attribute (".").
    const word = /^[A-Za-z$_][A-Za-z0-9$_.:-]*/.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    if (c === "'") return fail('Strings in a filter use double quotes.', i, i + 1);
    return fail(`"${c}" cannot appear in a value filter.`, i, i + 1);
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not']);
const OPERATOR_LIST = FILTER_OPERATORS.join(', ');

class FilterParser {
  readonly comparisons: Comparison[] = [];
  private index = 0;
  private depth = 0;
  private readonly tokens: Token[];
  private readonly start: number;
  private readonly end: number;

  constructor(tokens: Token[], start: number, end: number) {
    this.tokens = tokens;
    this.start = start;
    this.end = end;
  }

  parse(): FilterExpression | PathError {
    const expression = this.or();
    if ('ok' in expression) return expression;
    const extra = this.tokens[this.index];
    if (extra) {
      if (extra.kind === ')') return fail('This ")" has no matching "(".', extra.start, extra.end);
      return fail(`Expected "and" or "or" between conditions, found "${extra.text}".`, extra.start, extra.end);
    }
    return expression;
  }

  private peekKeyword(keyword: string): boolean {
    const t = this.tokens[this.index];
    return t?.kind === 'word' && t.text.toLowerCase() === keyword;
  }

  private or(): FilterExpression | PathError {
    let left = this.and();
    while (!('ok' in left) && this.peekKeyword('or')) {
      this.index++;
      const right = this.and();
      if ('ok' in right) return right;
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private and(): FilterExpression | PathError {
    let left = this.unary();
    while (!('ok' in left) && this.peekKeyword('and')) {
      this.index++;
      const right = this.unary();
      if ('ok' in right) return right;
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private unary(): FilterExpression | PathError {
    const t = this.tokens[this.index];
    if (!t) return this.missing('a condition');
    if (this.depth >= MAX_FILTER_DEPTH) return fail('The value filter is nested too deeply.', t.start, t.end);
    if (this.peekKeyword('not')) {
      this.index++;
      const open = this.tokens[this.index];
      if (open?.kind !== '(') return fail('"not" takes a condition in parentheses: not (…).', t.start, open?.end ?? t.end);
      const operand = this.group();
      return 'ok' in operand ? operand : { kind: 'not', operand };
    }
    if (t.kind === '(') return this.group();
    return this.comparison();
  }

  /** `( expression )`, with the "(" as the current token. */
  private group(): FilterExpression | PathError {
    const open = this.tokens[this.index];
    this.index++;
    this.depth++;
    const inner = this.or();
    this.depth--;
    if ('ok' in inner) return inner;
    if (this.tokens[this.index]?.kind !== ')')
      return fail('This "(" has no matching ")".', open?.start ?? this.start, open?.end ?? this.end);
    this.index++;
    return inner;
  }

  private comparison(): FilterExpression | PathError {
    const attribute = this.tokens[this.index];
    if (!attribute) return this.missing('a condition');
    if (attribute.kind !== 'word' || KEYWORDS.has(attribute.text.toLowerCase())) {
      return fail(`Expected an attribute name, found "${attribute.text}".`, attribute.start, attribute.end);
    }
    this.index++;
    const opToken = this.tokens[this.index];
    if (!opToken)
      return fail(
        `"${attribute.text}" needs an operator and a value, as in ${attribute.text} eq "work"; operators are ${OPERATOR_LIST}.`,
        attribute.start,
        attribute.end,
      );
    const op = opToken.text.toLowerCase() as FilterOperator;
    if (opToken.kind !== 'word' || !FILTER_OPERATORS.includes(op)) {
      return fail(
        `"${opToken.text}" is not a filter operator; use one of ${OPERATOR_LIST} (RFC 7644 §3.4.2.2).`,
        opToken.start,
        opToken.end,
      );
    }
    this.index++;
    const comparison: Comparison = {
      attribute: attribute.text,
      op,
      start: attribute.start,
      end: opToken.end,
      attributeSpan: { start: attribute.start, end: attribute.end },
      opSpan: { start: opToken.start, end: opToken.end },
    };
    if (op !== 'pr') {
      const valueToken = this.tokens[this.index];
      if (!valueToken)
        return fail(`"${opToken.text}" needs a value: a quoted string, a number, true, false or null.`, opToken.start, opToken.end);
      const value = literal(valueToken);
      if (value === undefined) {
        return fail(
          `"${valueToken.text}" is not a value: use a quoted string, a number, true, false or null.`,
          valueToken.start,
          valueToken.end,
        );
      }
      this.index++;
      comparison.value = value;
      comparison.valueSpan = { start: valueToken.start, end: valueToken.end };
      comparison.end = valueToken.end;
    }
    this.comparisons.push(comparison);
    return { kind: 'comparison', comparison };
  }

  private missing(what: string): PathError {
    const last = this.tokens.at(-1);
    // Pointing at the dangling "and"/"not"/"(" says best what is unfinished.
    return last ? fail(`Expected ${what} after "${last.text}".`, last.start, last.end) : fail(`Expected ${what}.`, this.start, this.end);
  }
}

function literal(token: Token): FilterValue | undefined {
  if (token.kind === 'string' || token.kind === 'number') return token.value;
  if (token.kind !== 'word') return undefined;
  if (token.text === 'true') return true;
  if (token.text === 'false') return false;
  if (token.text === 'null') return null;
  return undefined;
}
