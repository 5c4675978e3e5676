import { distance } from 'fastest-levenshtein';

/**
 * Did-you-mean: the candidates close enough to `name` to be what was meant, best first.
 * Close means a case-only difference, or an edit distance of at most 2 and at most a third
 * of the name's length (rounded up, so a swapped pair in a five-letter name still counts), so that
 * short names do not "suggest" unrelated ones.
 */
export function suggest(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const unique = [...new Set(candidates)];
  return rank(
    name,
    unique,
    unique.map((c) => c.toLowerCase()),
    unique.keys(),
    limit,
  );
}

/** Never more than this far apart (see `closeness`), which the index below relies on. */
const MAX_DISTANCE = 2;

/** How close `candidate` is to the name (lower is closer), or undefined when it is not close. */
function closeness(name: string, lower: string, candidate: string, cl: string): number | undefined {
  if (candidate === name) return undefined;
  if (cl === lower) return 0;
  const budget = Math.min(MAX_DISTANCE, Math.ceil(Math.max(lower.length, cl.length) / 3));
  // The distance is at least the difference in length: most candidates need no computing.
  if (Math.abs(lower.length - cl.length) > budget) return undefined;
  const d = distance(lower, cl);
  return d > budget ? undefined : d;
}

/** The close ones among `which` (indices into `unique`, ascending: ties keep the input order). */
function rank(name: string, unique: readonly string[], lowered: readonly string[], which: Iterable<number>, limit: number): string[] {
  const lower = name.toLowerCase();
  const scored: Array<{ candidate: string; score: number }> = [];
  for (const i of which) {
    const score = closeness(name, lower, unique[i]!, lowered[i]!);
    if (score !== undefined) scored.push({ candidate: unique[i]!, score });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

// Candidates longer than this are not indexed (each has about length² / 2 deletion variants).
const MAX_INDEXED = 64;
// An index costs about as much to build as this many plain scans of every candidate; a few
// look-ups in a long list do not pay for one.
const SCANS_BEFORE_INDEX = 16;
const MIN_INDEXED_CANDIDATES = 64;

/**
 * `suggest` for many names against the same candidates, with the same answers. Each call of
 * `suggest` compares the name with every candidate, so a spec with thousands of variables and
 * thousands of misspelt uses cost their product (10,000 of each: 30 s). After a few
 * look-ups this indexes the candidates by their variants with up to two characters deleted:
 * two strings within an edit distance of two always share such a variant (delete the
 * substituted characters from both, and each side's extra ones), so only the candidates that
 * share one with the name are compared. Answers are also kept per name.
 */
export function suggester(candidates: Iterable<string>, limit = 3): (name: string) => string[] {
  // Made at the first look-up: most validations look nothing up.
  let unique: string[] = [];
  let lowered: string[] = [];
  let answers: Map<string, string[]> | undefined;
  let scans = 0;
  let index: Map<string, number[]> | undefined;
  let unindexed: number[] = [];
  return (name) => {
    if (answers === undefined) {
      answers = new Map();
      unique = [...new Set(candidates)];
      lowered = unique.map((c) => c.toLowerCase());
    }
    const known = answers.get(name);
    if (known !== undefined) return [...known];
    let found: string[];
    if (index === undefined && (unique.length < MIN_INDEXED_CANDIDATES || scans < SCANS_BEFORE_INDEX)) {
      scans++;
      found = rank(name, unique, lowered, unique.keys(), limit);
    } else {
      if (index === undefined) ({ index, unindexed } = buildIndex(lowered));
      found = rank(name, unique, lowered, lookUp(index, unindexed, name.toLowerCase()), limit);
    }
    answers.set(name, found);
    return [...found];
  };
}

function buildIndex(lowered: readonly string[]): { index: Map<string, number[]>; unindexed: number[] } {
  const index = new Map<string, number[]>();
  const unindexed: number[] = [];
  lowered.forEach((word, i) => {
    if (word.length > MAX_INDEXED) {
      unindexed.push(i);
      return;
    }
    for (const variant of deletionVariants(word)) {
      const list = index.get(variant);
      if (list === undefined) index.set(variant, [i]);
      else list.push(i);
    }
  });
  return { index, unindexed };
}

/** Indices of the candidates that may be close to `lower`, ascending. */
function lookUp(index: Map<string, number[]>, unindexed: readonly number[], lower: string): number[] {
  const hits = new Set<number>(unindexed);
  if (lower.length <= MAX_INDEXED + MAX_DISTANCE) {
    for (const variant of deletionVariants(lower)) for (const i of index.get(variant) ?? []) hits.add(i);
  }
  return [...hits].sort((a, b) => a - b);
}

/** `word` and every string made from it by deleting one or two characters. */
function deletionVariants(word: string): Set<string> {
  const out = new Set<string>([word]);
  for (let i = 0; i < word.length; i++) {
    const once = word.slice(0, i) + word.slice(i + 1);
    out.add(once);
    for (let j = i; j < once.length; j++) out.add(once.slice(0, j) + once.slice(j + 1));
  }
  return out;
}

/** " Did you mean "x"?" or "" — appended to messages. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  if (suggestions.length === 1) return ` Did you mean "${suggestions[0]}"?`;
  return ` Did you mean ${suggestions
    .slice(0, -1)
    .map((s) => `"${s}"`)
    .join(', ')} or "${suggestions.at(-1)}"?`;
}
