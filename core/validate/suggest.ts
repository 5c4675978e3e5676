import { distance } from 'fastest-levenshtein';

/**
 * Did-you-mean: the candidates close enough to `name` to be what was meant, best first.
 * Close means a case-only difference, or an edit distance of at most 2 and at most a third
 * of the name's length (rounded up, so a swapped pair in a five-letter name still counts), so that short names do not "suggest" unrelated ones.
 */
export function suggest(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<{ candidate: string; score: number }> = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === name) continue;
    const cl = candidate.toLowerCase();
    let score: number;
    if (cl === lower) score = 0;
    else {
      const d = distance(lower, cl);
      const budget = Math.min(2, Math.ceil(Math.max(lower.length, cl.length) / 3));
      if (d > budget) continue;
      score = d;
    }
    scored.push({ candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** " Did you mean "x"?" or "" — appended to messages. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  if (suggestions.length === 1) return ` Did you mean "${suggestions[0]}"?`;
  return ` Did you mean ${suggestions.slice(0, -1).map((s) => `"${s}"`).join(', ')} or "${suggestions.at(-1)}"?`;
}
