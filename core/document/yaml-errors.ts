// Turns the yaml package's errors and warnings into problems: its tab errors become
// `tab-indent`, the rest one-line `yaml-syntax` errors and `yaml-warning`s.
import type { YAMLError } from 'yaml';
import type { Span } from './types.ts';
import { lineAt } from './position.ts';
import { clampSpan, firstPerLine, type Problem } from './problems.ts';
import { humanizeYamlMessage } from './yaml-messages.ts';

const TAB_MESSAGE = 'Tab character used for indentation: YAML forbids tabs for indentation, use spaces';

export interface ErrorSink {
  text: string;
  lineStarts: number[];
  problems: Problem[];
  /** Filled with the lines that got a tab-indent problem. */
  tabLines: Set<number>;
}

export function collectPackageProblems(walk: ErrorSink, errors: YAMLError[], warnings: YAMLError[]): void {
  const { text, lineStarts, tabLines } = walk;
  const syntax: Problem[] = [];
  let exhausted = false;
  for (const error of errors) {
    const span = clampSpan(error.pos[0], error.pos[1], text.length);
    const tab = tabIndentSpan(walk, span.start, error.code === 'TAB_AS_INDENT');
    if (tab !== undefined) {
      const line = lineAt(lineStarts, tab.start);
      if (!tabLines.has(line)) {
        tabLines.add(line);
        walk.problems.push({ span: tab, severity: 'error', code: 'tab-indent', message: TAB_MESSAGE });
      }
      continue;
    }
    // Reported by our own walk with the string semantics of the resulting value.
    if (error.code === 'DUPLICATE_KEY') continue;
    if (error.code === 'RESOURCE_EXHAUSTION') {
      if (exhausted) continue;
      exhausted = true;
    }
    syntax.push({
      span,
      severity: 'error',
      code: 'yaml-syntax',
      message: humanizeYamlMessage(error.code, error.message, text.slice(span.start, span.end)),
    });
  }
  // Everything else on a tab-indented line is a consequence of the tab.
  const relevant = syntax.filter((problem) => !tabLines.has(lineAt(lineStarts, problem.span.start)));
  walk.problems.push(...firstPerLine(relevant, lineStarts));
  for (const warning of warnings) {
    const span = clampSpan(warning.pos[0], warning.pos[1], text.length);
    walk.problems.push({
      span,
      severity: 'warning',
      code: 'yaml-warning',
      message: humanizeYamlMessage(warning.code, warning.message, text.slice(span.start, span.end)),
    });
  }
}

/**
 * The tabs in the indentation of the line holding `offset`, when the error is about them:
 * always for the package's TAB_AS_INDENT, otherwise only if the error points into an
 * indentation that contains a tab (e.g. the package's "bad indent" for a tab-indented block
 * scalar line).
 */
function tabIndentSpan(walk: ErrorSink, offset: number, isTabError: boolean): Span | undefined {
  const { text, lineStarts } = walk;
  const lineStart = lineStarts[lineAt(lineStarts, offset)] ?? 0;
  let firstTab = -1;
  let lastTab = -1;
  let at = lineStart;
  for (; at < text.length; at++) {
    const ch = text.charCodeAt(at);
    if (ch === 9) {
      if (firstTab < 0) firstTab = at;
      lastTab = at;
    } else if (ch !== 32) {
      break;
    }
  }
  if (firstTab < 0) return isTabError ? clampSpan(offset, offset + 1, text.length) : undefined;
  if (!isTabError && offset >= at) return undefined;
  return { start: firstTab, end: lastTab + 1 };
}
