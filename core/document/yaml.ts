import { Composer, Parser, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Alias, CST, Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { NodeLocation, ParsedDocument, Span } from './types.ts';
import { computeLineStarts, lineAt } from './position.ts';
import { joinPointer } from './pointer.ts';
import { clampSpan, describeError, humanLine, quote, setMember, toDiagnostics, type Problem } from './problems.ts';
import { collectPackageProblems } from './yaml-errors.ts';
import { findExcessiveNesting, TOO_DEEP_MESSAGE } from './nesting.ts';

// The yaml package's own composer overflows its stack at a few hundred levels and reports that;
// this bound only keeps our walk safe if that ever changes.
const MAX_DEPTH = 2000;

/**
 * Aliases share their anchor's value, so building the value stays linear, but whatever reads it
 * (the schema, the rules, the runner, the language server, JSON.stringify) walks the tree it
 * stands for: nine levels of nine aliases each ("billion laughs") are 9^9 values in a 500-byte
 * file. So what aliases add to the value, counted expanded (an alias inside an aliased node counts
 * once per use), is bounded: alias uses, values (mappings, lists and scalars) and characters of
 * keys and strings. An alias past a bound is left empty (null), with an error at it. Far
 * above what anchors for shared settings add to any real spec.
 */
export const ALIAS_LIMITS = { aliases: 10_000, values: 100_000, characters: 10_000_000 } as const;

export const ALIAS_LIMIT_CODE = 'yaml-alias-limit';

/** Counts of the value as built, expanded: what the tree it stands for holds. */
interface Expansion {
  aliases: number;
  values: number;
  characters: number;
}

interface Built {
  value: unknown;
  span: Span;
}

interface Walk {
  text: string;
  lineStarts: number[];
  problems: Problem[];
  locations: Map<string, NodeLocation>;
  /** Latest node defining each anchor so far in document order, as YAML resolves aliases. */
  anchors: Map<string, unknown>;
  /** Values of anchored nodes already built; aliases reuse them instead of rebuilding, which
   * keeps parsing linear (ALIAS_LIMITS bounds what the shared values stand for). */
  built: Map<unknown, unknown>;
  /** Anchored collections being built, to catch aliases to their own ancestor. */
  active: Set<unknown>;
  /** The whole value built so far, expanded; an anchored node's size is the difference it made. */
  total: Expansion;
  /** What aliases added to `total`, against ALIAS_LIMITS. */
  expanded: Expansion;
  /** The expanded size of each anchored node's value, for the aliases to it. */
  sizes: Map<unknown, Expansion>;
  /** Lines with an alias left empty by ALIAS_LIMITS: one error per line is enough. */
  aliasLimitLines: Set<number>;
  /** Lines with a tab in their indentation; other syntax problems there are its fallout. */
  tabLines: Set<number>;
  tooDeep: boolean;
}

type AnyDocument = Document.Parsed;

export function parseYaml(text: string, name: string): ParsedDocument {
  const lineStarts = computeLineStarts(text);
  const walk: Walk = {
    text,
    lineStarts,
    problems: [],
    locations: new Map(),
    anchors: new Map(),
    built: new Map(),
    active: new Set(),
    total: { aliases: 0, values: 0, characters: 0 },
    expanded: { aliases: 0, values: 0, characters: 0 },
    sizes: new Map(),
    aliasLimitLines: new Set(),
    tabLines: new Set(),
    tooDeep: false,
  };
  let value: unknown;
  const tooDeepAt = findExcessiveNesting(text, 'yaml');
  if (tooDeepAt >= 0) {
    walk.problems.push({
      span: clampSpan(tooDeepAt, tooDeepAt + 1, text.length),
      severity: 'error',
      code: 'yaml-syntax',
      message: TOO_DEEP_MESSAGE,
    });
  } else
    try {
      value = compose(walk);
    } catch (error) {
      // Parsing must never throw; this is a last resort for a bug in the yaml package or here.
      value = undefined;
      walk.locations.clear();
      walk.problems.push({
        span: { start: 0, end: 0 },
        severity: 'error',
        code: 'yaml-syntax',
        message: `Could not parse the YAML: ${describeError(error)}`,
      });
    }
  return {
    name,
    text,
    format: 'yaml',
    value,
    locations: walk.locations,
    diagnostics: toDiagnostics(walk.problems, lineStarts, text),
    lineStarts,
  };
}

function compose(walk: Walk): unknown {
  const { text } = walk;
  // The yaml package only knows \n and \r\n as line breaks, while YAML 1.2 (and our line
  // numbering) also count a lone \r. Swapping it for \n keeps every offset unchanged.
  const source = /\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, '\n') : text;
  // uniqueKeys is off: the package compares keys pairwise (quadratic in a mapping's size) and by
  // node value, while we compare the string keys the value ends up with, in one pass.
  const composer = new Composer({ keepSourceTokens: true, uniqueKeys: false, prettyErrors: false });
  // forceDoc: an empty stream still yields a document, which carries stream-level errors.
  const docs: AnyDocument[] = withPlainEnv(() => Array.from(composer.compose(new Parser().parse(source), true, source.length)));
  const first = docs[0];
  if (first === undefined) return undefined;

  collectPackageProblems(walk, first.errors, first.warnings);
  const second = docs[1];
  if (second !== undefined) {
    const start = second.directives.docStart ? second.range[0] : (second.contents?.range[0] ?? second.range[0]);
    walk.problems.push({
      span: clampSpan(start, text.length, text.length),
      severity: 'error',
      code: 'multiple-documents',
      message: 'A spec file must hold a single YAML document; this document and any after it are ignored',
    });
  }

  const contents: unknown = first.contents;
  if (isEmptyDocument(contents)) return undefined;
  const root = buildNode(walk, contents, '', 0, undefined);
  walk.locations.set('', { value: root.span });
  if (walk.tabLines.size > 0) {
    // The package recovers from a tab in the indentation by guessing a structure; what our walk
    // then finds wrong with that guess (e.g. a sequence as a key) only adds noise.
    walk.problems = walk.problems.filter((p) => p.code !== 'complex-key' || !walk.tabLines.has(lineAt(walk.lineStarts, p.span.start)));
  }
  return root.value;
}

/**
 * The yaml package's parser reads process.env.LOG_TOKENS once per token. On Node every read of
 * process.env calls into the C++ environment, which cost 25-50% of the package's parse time on a
 * 5,000-line spec, so a plain snapshot stands in for it during the (synchronous) parse and the
 * real one is put back.
 */
function withPlainEnv<T>(run: () => T): T {
  const host = globalThis.process;
  let saved: NodeJS.ProcessEnv | undefined;
  try {
    saved = host.env;
    host.env = { ...saved };
  } catch {
    // No `process` (a browser bundle) or a read-only env: parse as is.
    return run();
  }
  try {
    return run();
  } finally {
    host.env = saved;
  }
}

/** Only comments, whitespace or a bare "---": no node the author wrote. */
function isEmptyDocument(contents: unknown): boolean {
  if (contents === null || contents === undefined) return true;
  if (!isScalar(contents)) return false;
  const range = contents.range;
  return (
    contents.value === null &&
    !contents.source &&
    !contents.anchor &&
    !contents.tag &&
    (range === undefined || range === null || range[0] === range[1])
  );
}

function problem(walk: Walk, span: Span, code: string, message: string): void {
  walk.problems.push({ span, severity: 'error', code, message });
}

function rangeSpan(walk: Walk, node: { range?: [number, number, number] | null }, fallback: number): Span {
  const range = node.range;
  return range ? clampSpan(range[0], range[1], walk.text.length) : { start: fallback, end: fallback };
}

/**
 * Builds the plain value of `node` and, when `pointer` is given, records the locations of its
 * descendants (the caller records the node's own location, since only it knows the key span).
 * `emptyAt` places the zero-length span of an empty value, e.g. right after `key:`.
 */
function buildNode(walk: Walk, node: unknown, pointer: string | undefined, depth: number, emptyAt: number | undefined): Built {
  if (isAlias(node)) return buildAlias(walk, node);
  if (isScalar(node)) return buildScalar(walk, node, emptyAt);
  if (isMap(node) || isSeq(node)) {
    if (depth > MAX_DEPTH) {
      if (!walk.tooDeep) problem(walk, rangeSpan(walk, node, 0), 'yaml-syntax', 'The document is nested too deeply to parse');
      walk.tooDeep = true;
      return { value: null, span: rangeSpan(walk, node, 0) };
    }
    const anchor = node.anchor;
    const before = anchor ? { ...walk.total } : undefined;
    if (anchor) {
      walk.anchors.set(anchor, node);
      walk.active.add(node);
    }
    walk.total.values++;
    const built = isMap(node) ? buildMap(walk, node, pointer, depth) : buildSeq(walk, node, pointer, depth);
    if (before) {
      walk.active.delete(node);
      walk.built.set(node, built.value);
      walk.sizes.set(node, {
        aliases: walk.total.aliases - before.aliases,
        values: walk.total.values - before.values,
        characters: walk.total.characters - before.characters,
      });
    }
    return built;
  }
  walk.total.values++;
  const at = emptyAt ?? 0;
  return { value: null, span: { start: at, end: at } };
}

function buildScalar(walk: Walk, node: Scalar, emptyAt: number | undefined): Built {
  const value = scalarValue(node);
  const characters = typeof value === 'string' ? value.length : 0;
  walk.total.values++;
  walk.total.characters += characters;
  if (node.anchor) {
    walk.anchors.set(node.anchor, node);
    walk.built.set(node, value);
    walk.sizes.set(node, { aliases: 0, values: 1, characters });
  }
  const range = node.range;
  if (!range) return { value, span: { start: emptyAt ?? 0, end: emptyAt ?? 0 } };
  if (range[0] === range[1] && emptyAt !== undefined) return { value, span: { start: emptyAt, end: emptyAt } };
  const length = walk.text.length;
  const start = Math.min(range[0], length);
  let end = Math.min(Math.max(start, range[1]), length);
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    // The package's range swallows the block's final line break(s); the span ends at the text.
    while (end > start && isSpace(walk.text.charCodeAt(end - 1))) end--;
  }
  return { value, span: { start, end } };
}

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 9 || ch === 10 || ch === 13;
}

/** Plain JSON-like values only; explicit tags such as !!binary or !!timestamp keep their text. */
function scalarValue(node: Scalar): unknown {
  const value = node.value;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  return node.source ?? String(value);
}

function keyString(node: Scalar): string {
  const value = node.value;
  if (typeof value === 'string') return value;
  // `null: x` and `~: x` keep what the author wrote rather than becoming "" or "null" alike.
  if (value === null) return node.source ?? '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return node.source ?? String(value);
}

function buildAlias(walk: Walk, alias: Alias): Built {
  const span = rangeSpan(walk, alias, 0);
  const target = walk.anchors.get(alias.source);
  if (target === undefined) {
    problem(
      walk,
      span,
      'yaml-syntax',
      `Unknown alias ${quote(`*${alias.source}`)}: no anchor ${quote(`&${alias.source}`)} is defined before it`,
    );
    return { value: null, span };
  }
  if (walk.active.has(target)) {
    problem(walk, span, 'yaml-syntax', `Alias ${quote(`*${alias.source}`)} refers to a node that contains it (circular reference)`);
    return { value: null, span };
  }
  const size = walk.sizes.get(target) ?? { aliases: 0, values: 1, characters: 0 };
  const exceeded = exceededAliasLimit(walk.expanded, size);
  if (exceeded !== undefined) {
    const line = lineAt(walk.lineStarts, span.start);
    if (!walk.aliasLimitLines.has(line)) {
      walk.aliasLimitLines.add(line);
      problem(walk, span, ALIAS_LIMIT_CODE, aliasLimitMessage(alias.source, exceeded));
    }
    walk.total.values++;
    return { value: null, span };
  }
  for (const counts of [walk.expanded, walk.total]) {
    counts.aliases += 1 + size.aliases;
    counts.values += size.values;
    counts.characters += size.characters;
  }
  return { value: walk.built.has(target) ? walk.built.get(target) : null, span };
}

/** Which of ALIAS_LIMITS one more use of a node of `size` would pass, if any. */
function exceededAliasLimit(expanded: Expansion, size: Expansion): keyof Expansion | undefined {
  if (expanded.aliases + 1 + size.aliases > ALIAS_LIMITS.aliases) return 'aliases';
  if (expanded.values + size.values > ALIAS_LIMITS.values) return 'values';
  if (expanded.characters + size.characters > ALIAS_LIMITS.characters) return 'characters';
  return undefined;
}

/** 100000 → "100,000". By hand: the first toLocaleString of a process loads ICU (~18 ms at every
 * editor start, when this table was built at load time). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

const ALIAS_LIMIT_WHAT: Record<keyof Expansion, string> = {
  aliases: `the spec would expand more than ${thousands(ALIAS_LIMITS.aliases)} aliases (one inside an aliased node counts once per use)`,
  values:
    `aliases would add more than ${thousands(ALIAS_LIMITS.values)} ` +
    `values (mappings, lists and scalars, every copy counted) to the spec`,
  characters:
    `aliases would add more than ${thousands(ALIAS_LIMITS.characters)} ` +
    `characters of keys and strings (every copy counted) to the spec`,
};

function aliasLimitMessage(name: string, exceeded: keyof Expansion): string {
  return (
    `Alias ${quote(`*${name}`)} is not expanded: with it, ${ALIAS_LIMIT_WHAT[exceeded]}. Alias expansion is limited ` +
    'so that a small file cannot stand for a huge document ("billion laughs"); this alias is left empty (null)'
  );
}

function colonOffset(pair: { srcToken?: CST.CollectionItem }): number | undefined {
  const sep = pair.srcToken?.sep;
  if (sep === undefined) return undefined;
  for (const token of sep) if (token.type === 'map-value-ind') return token.offset;
  return undefined;
}

/** The key string a pair will get, without side effects (no anchors, no diagnostics). */
function peekKey(walk: Walk, item: unknown): string | undefined {
  if (!isPair(item)) return undefined;
  const key = item.key;
  if (key === null || key === undefined) return '';
  if (isScalar(key)) return keyString(key);
  if (isAlias(key)) {
    const target = walk.anchors.get(key.source);
    return isScalar(target) ? keyString(target) : undefined;
  }
  return undefined;
}

interface Key {
  /** Undefined when the pair cannot become an object member (complex or broken key). */
  key: string | undefined;
  span: Span;
}

function readKey(walk: Walk, pair: { key: unknown; value: unknown }, colon: number | undefined, depth: number): Key {
  const key = pair.key;
  if (key === null || key === undefined) {
    const value = pair.value as { range?: [number, number, number] | null } | null;
    const at = colon ?? value?.range?.[0] ?? 0;
    return { key: '', span: { start: at, end: at } };
  }
  if (isScalar(key)) {
    if (key.anchor) {
      const value = scalarValue(key);
      walk.anchors.set(key.anchor, key);
      walk.built.set(key, value);
      walk.sizes.set(key, { aliases: 0, values: 1, characters: typeof value === 'string' ? value.length : 0 });
    }
    return { key: keyString(key), span: rangeSpan(walk, key, colon ?? 0) };
  }
  if (isAlias(key)) {
    const target = walk.anchors.get(key.source);
    const span = rangeSpan(walk, key, colon ?? 0);
    if (isScalar(target)) return { key: keyString(target), span };
    if (target === undefined) {
      buildAlias(walk, key);
    } else {
      problem(walk, span, 'complex-key', `Mapping keys must be scalars; alias ${quote(`*${key.source}`)} refers to a collection`);
    }
    return { key: undefined, span };
  }
  // Still walked for the anchors it defines and the problems inside it.
  const built = buildNode(walk, key, undefined, depth + 1, colon);
  const kind = isMap(key) ? 'a mapping' : isSeq(key) ? 'a sequence' : 'not a scalar';
  problem(walk, built.span, 'complex-key', `Mapping keys must be scalars (strings, numbers or booleans); this key is ${kind}`);
  return { key: undefined, span: built.span };
}

interface Members {
  value: Record<string, unknown>;
  start: number;
  end: number;
}

function buildMembers(walk: Walk, items: readonly unknown[], pointer: string | undefined, depth: number): Members {
  const target: Record<string, unknown> = {};
  // Only the last of duplicate keys is in the value, so only it gets locations; deciding that up
  // front avoids deleting a loser's descendants from the location map afterwards.
  let winners: Map<string, number> | undefined;
  if (pointer !== undefined && items.length > 1) {
    winners = new Map();
    for (let i = 0; i < items.length; i++) {
      const key = peekKey(walk, items[i]);
      if (key !== undefined) winners.set(key, i);
    }
  }
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (let i = 0; i < items.length; i++) {
    const pair = items[i];
    if (!isPair(pair)) continue;
    const colon = colonOffset(pair);
    const key = readKey(walk, pair, colon, depth);
    let childPointer: string | undefined;
    if (key.key !== undefined) {
      if (Object.hasOwn(target, key.key)) {
        const first = firstKeyStart(walk, items, i, key.key);
        problem(
          walk,
          key.span,
          'duplicate-key',
          `Duplicate key ${quote(key.key)} (first defined on line ${humanLine(walk.lineStarts, first)})`,
        );
      }
      if (pointer !== undefined && (winners === undefined || winners.get(key.key) === i)) {
        childPointer = joinPointer(pointer, key.key);
      }
    }
    const child = buildNode(walk, pair.value, childPointer, depth + 1, colon === undefined ? key.span.end : colon + 1);
    if (key.key !== undefined) {
      setMember(target, key.key, child.value);
      walk.total.characters += key.key.length;
    }
    if (childPointer !== undefined) walk.locations.set(childPointer, { key: key.span, value: child.span });
    start = Math.min(start, key.span.start);
    end = Math.max(end, key.span.end, child.span.end);
  }
  return { value: target, start, end };
}

/** Where the first pair before `before` with this key starts; only needed once a duplicate shows. */
function firstKeyStart(walk: Walk, items: readonly unknown[], before: number, key: string): number {
  for (let i = 0; i < before; i++) {
    const item = items[i];
    if (isPair(item) && peekKey(walk, item) === key) {
      const node = item.key as { range?: [number, number, number] | null } | null;
      return node?.range?.[0] ?? colonOffset(item) ?? 0;
    }
  }
  return 0;
}

function buildMap(walk: Walk, map: YAMLMap, pointer: string | undefined, depth: number): Built {
  const members = buildMembers(walk, map.items, pointer, depth);
  const range = map.range;
  const start = Math.min(range?.[0] ?? (Number.isFinite(members.start) ? members.start : 0), walk.text.length);
  // A block mapping's range runs on over trailing comments and blank lines; its last member
  // is where the author's text ends.
  const end = map.flow || members.end < start ? flowEnd(walk, start, range?.[1] ?? start) : members.end;
  return { value: members.value, span: { start, end } };
}

function buildSeq(walk: Walk, seq: YAMLSeq, pointer: string | undefined, depth: number): Built {
  const values: unknown[] = [];
  const range = seq.range;
  const start = Math.min(range?.[0] ?? 0, walk.text.length);
  let end = start;
  for (let i = 0; i < seq.items.length; i++) {
    const item: unknown = seq.items[i];
    const childPointer = pointer === undefined ? undefined : joinPointer(pointer, i);
    let child: Built;
    if (isPair(item)) {
      // !!omap and !!pairs hold pairs directly; each becomes a one-member object.
      walk.total.values++;
      const members = buildMembers(walk, [item], childPointer, depth + 1);
      const from = Number.isFinite(members.start) ? members.start : end;
      child = { value: members.value, span: { start: from, end: Math.max(from, members.end) } };
    } else {
      child = buildNode(walk, item, childPointer, depth + 1, undefined);
    }
    values.push(child.value);
    if (childPointer !== undefined) walk.locations.set(childPointer, { value: child.span });
    end = Math.max(end, child.span.end);
  }
  return { value: values, span: { start, end: seq.flow ? flowEnd(walk, start, range?.[1] ?? end) : end } };
}

/** An unterminated flow collection's range takes in the following line breaks; drop them. */
function flowEnd(walk: Walk, start: number, end: number): number {
  let at = Math.min(Math.max(start, end), walk.text.length);
  while (at > start && isSpace(walk.text.charCodeAt(at - 1))) at--;
  return at;
}
