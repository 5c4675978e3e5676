import type { Range } from '../diagnostic.ts';

export type FrameStyle = (role: 'gutter' | 'caret' | 'text', text: string) => string;

const plain: FrameStyle = (_role, text) => text;

/**
 * The source lines of a range with a caret line under it, Hurl-style:
 *
 *    |
 * 12 |     identity: alcie
 *    |               ^^^^^
 *
 * Tabs before the caret are kept as tabs so the caret lines up however the terminal renders them.
 */
export function codeFrame(text: string, lineStarts: readonly number[], range: Range, style: FrameStyle = plain, maxLines = 3): string {
  const first = range.start.line;
  const last = Math.min(range.end.line, first + maxLines - 1, lineStarts.length - 1);
  const width = String(last + 1).length;
  const gutter = (label: string) => style('gutter', `${label.padStart(width)} |`);
  const out = [gutter('')];
  for (let line = first; line <= last; line++) {
    const source = lineText(text, lineStarts, line);
    out.push(`${gutter(String(line + 1))} ${style('text', source)}`);
    const from = line === first ? range.start.character : 0;
    const to = line === range.end.line ? range.end.character : source.length;
    const lead = source.slice(0, from).replace(/[^\t]/g, ' ');
    const carets = '^'.repeat(Math.max(1, Math.min(to, source.length) - from));
    out.push(`${gutter('')} ${lead}${style('caret', carets)}`);
  }
  if (range.end.line > last) out.push(`${gutter('')} ${style('gutter', '...')}`);
  return out.join('\n');
}

function lineText(text: string, lineStarts: readonly number[], line: number): string {
  const start = lineStarts[line] ?? text.length;
  const next = lineStarts[line + 1] ?? text.length;
  return text.slice(start, next).replace(/\r?\n$|\r$/, '');
}
