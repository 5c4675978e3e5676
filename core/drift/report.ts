// The drift report for people (the terminal, a Markdown job summary) and for tools (JSON). The
// JSON document is the whole report; the other two cut long lists, since a target of 100,000
// accounts can have that many orphans and GitHub refuses job summaries over 1 MiB.
import type { DriftDifference, DriftReport } from './drift.ts';

export type Paint = (style: 'red' | 'green' | 'yellow' | 'dim' | 'bold' | 'cyan', text: string) => string;

const plain: Paint = (_style, text) => text;

/** Rows of one list shown in the terminal and in Markdown; the JSON report has them all. */
export const SHOWN = 200;

export function toDriftJson(report: DriftReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function show(value: unknown): string {
  const text = value === null || value === undefined ? '(not set)' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function what(d: DriftDifference): string {
  switch (d.kind) {
    case 'attribute':
      return d.attribute ?? '';
    case 'membership':
      return `group ${d.group}`;
    case 'grant':
      return `${d.attribute}`;
    case 'duplicate':
      return 'account';
  }
}

/** One line that sums the report up (also the pretty output's last line). */
export function driftSummary(report: DriftReport): string {
  if (report.error) return `could not read the target: ${report.error.message}`;
  const people = new Set(report.differences.map((d) => d.identity)).size;
  const parts = [
    `${plural(report.differences.length, 'difference')}${report.differences.length ? ` for ${plural(people, 'person', 'people')}` : ''}`,
    `${report.missing.length} missing`,
    plural(report.orphans.length, 'orphan'),
  ];
  const read = `${plural(report.usersRead, 'user')} read${report.truncated ? ` (stopped at maxUsers ${report.maxUsers})` : ''}`;
  return `${parts.join(', ')}; ${report.counts.inSync} of ${report.counts.identities} in sync; ${read}`;
}

export function renderDriftPretty(report: DriftReport, paint: Paint = plain): string {
  const out: string[] = [];
  const where = (d: { line?: number; column?: number }) => paint('dim', `${report.file}:${d.line ?? 1}:${d.column ?? 1}`);
  out.push(`${paint('bold', `provspec drift ${report.file}`)} ${paint('dim', `against ${report.target}, matching by ${report.match}`)}`);
  if (report.error) {
    out.push('', `${paint('red', '✖ could not read the target:')} ${report.error.message}`, `  ${where(report.error)}`);
    out.push('', paint('red', 'No drift report: nothing read can be relied on.'));
    return `${out.join('\n')}\n`;
  }
  if (report.truncated)
    out.push(
      paint(
        'yellow',
        `! stopped after ${report.usersRead} users (maxUsers ${report.maxUsers}): orphans past them were not seen; ` +
          'identities not among them were looked up one by one',
      ),
    );
  const byPerson = new Map<string, DriftDifference[]>();
  for (const d of report.differences) byPerson.set(d.identity, [...(byPerson.get(d.identity) ?? []), d]);
  for (const [identity, list] of byPerson) {
    const person = report.people.find((p) => p.identity === identity);
    out.push('', `${paint('bold', identity)} ${paint('dim', `(${report.match} ${person?.key ?? '?'}, user ${person?.userId ?? '?'})`)}`);
    for (const d of list) out.push(`  ${paint('red', '✖')} ${d.message}`, `    ${where(d)}`);
  }
  if (report.missing.length) {
    out.push('', paint('bold', `Missing on the target (${report.missing.length})`));
    for (const m of report.missing.slice(0, SHOWN)) out.push(`  ${paint('red', '✖')} ${m.message}`, `    ${where(m)}`);
    if (report.missing.length > SHOWN) out.push(paint('dim', `  … and ${report.missing.length - SHOWN} more (see the JSON report)`));
  }
  if (report.orphans.length) {
    out.push('', paint('bold', `Orphans: accounts no identity describes (${report.orphans.length})`), `  ${where(report.orphans[0]!)}`);
    for (const o of report.orphans.slice(0, SHOWN)) out.push(`  ${paint('yellow', '?')} ${orphanLine(o)}`);
    if (report.orphans.length > SHOWN) out.push(paint('dim', `  … and ${report.orphans.length - SHOWN} more (see the JSON report)`));
  }
  if (report.problems.length) {
    out.push('', paint('bold', `Not judged (${report.problems.length})`));
    for (const p of report.problems) out.push(`  ${paint('yellow', '!')} ${p.message}${p.line ? `\n    ${where(p)}` : ''}`);
  }
  out.push('', report.drift ? paint('red', `✖ drift: ${driftSummary(report)}`) : paint('green', `✔ no drift: ${driftSummary(report)}`));
  return `${out.join('\n')}\n`;
}

function orphanLine(o: DriftReport['orphans'][number]): string {
  const names = [
    o.userName !== undefined ? `userName ${show(o.userName)}` : undefined,
    o.externalId !== undefined ? `externalId ${show(o.externalId)}` : undefined,
    o.active === false ? 'inactive' : undefined,
  ].filter((x) => x !== undefined);
  return `user ${o.id}${names.length ? ` (${names.join(', ')})` : ''}`;
}

function cell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function renderDriftMarkdown(report: DriftReport): string {
  const out: string[] = [];
  out.push(`## provspec drift: ${cell(report.file)}`, '');
  if (report.error) {
    out.push(`❌ **Could not read the target** (${cell(report.target)}): ${cell(report.error.message)}`, '');
    out.push('No drift report: nothing read can be relied on.');
    return `${out.join('\n')}\n`;
  }
  out.push(`${report.drift ? '❌ **Drift**' : '✅ **No drift**'}: ${cell(driftSummary(report))}.`, '');
  out.push(`Target ${code(report.target)}, people matched by ${code(report.match)}, read at ${report.generatedAt}.`, '');
  if (report.truncated)
    out.push(`> [!WARNING]\n> Stopped after ${report.usersRead} users (maxUsers ${report.maxUsers}); orphans past them were not seen.`, '');
  if (report.differences.length) {
    out.push('### Differences', '', '| Person | What | Spec says | Target has | Line |', '| --- | --- | --- | --- | --- |');
    for (const d of report.differences.slice(0, SHOWN))
      out.push(`| ${cell(d.identity)} | ${cell(what(d))} | ${cell(show(d.expected))} | ${cell(show(d.actual))} | ${d.line} |`);
    if (report.differences.length > SHOWN) out.push('', `… and ${report.differences.length - SHOWN} more (see the JSON report).`);
    out.push('');
  }
  if (report.missing.length) {
    out.push('### Missing on the target', '', `| Person | ${cell(report.match)} | Line |`, '| --- | --- | --- |');
    for (const m of report.missing.slice(0, SHOWN)) out.push(`| ${cell(m.identity)} | ${cell(m.key)} | ${m.line} |`);
    if (report.missing.length > SHOWN) out.push('', `… and ${report.missing.length - SHOWN} more (see the JSON report).`);
    out.push('');
  }
  if (report.orphans.length) {
    out.push('### Orphans (no identity describes them)', '', '| User id | userName | externalId | Active |', '| --- | --- | --- | --- |');
    for (const o of report.orphans.slice(0, SHOWN))
      out.push(
        `| ${cell(o.id)} | ${cell(o.userName ?? '')} | ${cell(o.externalId ?? '')} | ${o.active === undefined ? '' : String(o.active)} |`,
      );
    if (report.orphans.length > SHOWN) out.push('', `… and ${report.orphans.length - SHOWN} more (see the JSON report).`);
    out.push('');
  }
  if (report.problems.length) {
    out.push('### Not judged', '');
    for (const p of report.problems) out.push(`- ${cell(p.message)}${p.line ? ` (line ${p.line})` : ''}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
