// Parsers recurse once per nesting level, so how deep a document may go before the stack runs out
// depends on how deep the caller's stack already is (a test runner, an LSP request, an Action).
// A document that fails in one caller and parses in another makes validation non-deterministic,
// so nesting is bounded up front, by a cheap scan, far below any stack limit and far above any
// real spec (whose deepest node is about ten levels down).
export const MAX_NESTING = 256;

export const TOO_DEEP_MESSAGE = `The document is nested too deeply (more than ${MAX_NESTING} levels) to parse`;

/**
 * Offset of the first character that opens a collection more than `limit` levels deep, or -1.
 * Counts flow brackets outside strings and comments and, for YAML, block indentation levels
 * and compact sequence entries. It over-approximates rather than under: a false alarm needs a
 * document hundreds of levels deep, which no spec is.
 */
export function findExcessiveNesting(text: string, format: 'yaml' | 'json', limit = MAX_NESTING): number {
  return format === 'json' ? scanFlow(text, 0, 0, limit, false).offset : scanYaml(text, limit);
}

interface FlowScan {
  offset: number;
  /** Where scanning stopped: end of text, or (YAML) end of line. */
  end: number;
  depth: number;
}

/** Scans flow syntax from `start` at `depth`; in YAML mode it stops at the end of the line. */
function scanFlow(text: string, start: number, depth: number, limit: number, yaml: boolean): FlowScan {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x0a && yaml) return { offset: -1, end: i, depth };
    if (c === 0x22 /* " */ || (yaml && c === 0x27) /* ' */) {
      i = skipQuoted(text, i, c, yaml);
      continue;
    }
    if (yaml && c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > limit) return { offset: i, end: i, depth };
    } else if ((c === 0x5d /* ] */ || c === 0x7d) /* } */ && depth > 0) {
      depth--;
    }
    i++;
  }
  return { offset: -1, end: i, depth };
}

function skipQuoted(text: string, open: number, quote: number, yaml: boolean): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c /* \ */) {
      i += 2;
      continue;
    }
    if (c === quote) {
      // YAML single quotes escape themselves by doubling.
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    // An unterminated JSON string ends at the line break, as the parser will say.
    if (c === 0x0a && !yaml) return i;
    i++;
  }
  return i;
}

function scanYaml(text: string, limit: number): number {
  const indents: number[] = [];
  let flowDepth = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let i = lineStart;
    if (flowDepth === 0) {
      let indent = 0;
      while (text.charCodeAt(i) === 0x20) {
        i++;
        indent++;
      }
      const c = text.charCodeAt(i);
      const blank = i >= text.length || c === 0x0a || c === 0x0d || c === 0x23;
      if (!blank) {
        while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
        if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
        // "- - - a" opens one level per compact sequence entry.
        let level = indents.length;
        let j = i;
        while (text.charCodeAt(j) === 0x2d && (text.charCodeAt(j + 1) === 0x20 || text.charCodeAt(j + 1) === 0x0a)) {
          level++;
          if (level > limit) return j;
          j += 2;
          while (text.charCodeAt(j) === 0x20) j++;
        }
        if (level > limit) return i;
      }
    }
    const scan = scanFlow(text, i, flowDepth, limit - indents.length, true);
    if (scan.offset >= 0) return scan.offset;
    flowDepth = scan.depth;
    lineStart = scan.end + 1;
  }
  return -1;
}
