// Evidence is stored bounded. A hostile or broken server can answer with JSON nested 100,000
// deep or an array of a million elements; the checks read the whole answer, but what is kept
// for reports and traces is cut to a size a person can read and a serialiser can write (deep
// values overflow JSON.stringify's stack; huge ones its string length), with a note where and
// how much was cut, so the evidence still says what the server sent.

export interface Bounds {
  /** Nesting below this depth is replaced by a note. */
  depth: number;
  /** Elements kept per array, members per object. */
  items: number;
  /** Values kept in all, across the whole document. */
  nodes: number;
}

export const EVIDENCE_BOUNDS: Bounds = { depth: 32, items: 200, nodes: 5000 };

/** The value itself when it is within the bounds (no copy); otherwise a cut copy with notes. */
export function bounded(value: unknown, bounds: Bounds = EVIDENCE_BOUNDS): unknown {
  return withinBounds(value, bounds) ? value : cut(value, bounds, 0, { left: bounds.nodes });
}

/** Walks at most `nodes` values, iteratively (the value may be deeper than the stack). */
function withinBounds(value: unknown, bounds: Bounds): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let seen = 0;
  while (stack.length) {
    const next = stack.pop()!;
    if (++seen > bounds.nodes) return false;
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= bounds.depth) return false;
    const children = Array.isArray(next.value) ? next.value : Object.values(next.value);
    if (children.length > bounds.items) return false;
    for (const child of children) stack.push({ value: child, depth: next.depth + 1 });
  }
  return true;
}

function cut(value: unknown, bounds: Bounds, depth: number, budget: { left: number }): unknown {
  budget.left--;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= bounds.depth) return `[cut: nested deeper than ${bounds.depth} levels]`;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      if (out.length >= bounds.items || budget.left <= 0) break;
      out.push(cut(item, bounds, depth + 1, budget));
    }
    if (out.length < value.length) out.push(`[cut: ${value.length - out.length} more of ${value.length} elements]`);
    return out;
  }
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, item] of entries) {
    if (kept >= bounds.items || budget.left <= 0) break;
    out[key] = cut(item, bounds, depth + 1, budget);
    kept++;
  }
  if (kept < entries.length) out['[cut]'] = `${entries.length - kept} more of ${entries.length} members`;
  return out;
}
