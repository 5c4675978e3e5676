// The terminal reporter: a line per scenario as it finishes, then each failure with the spec
// line that declared it (code frame), expected vs actual and the exchange that decided it,
// then a summary. Pure: it returns text; the CLI decides where it goes and whether it is coloured.
import { codeFrame } from './code-frame.ts';
import type { ScenarioResult, SpecResult, Totals } from '../run/result.ts';
import { checkCount, isFailing, totalsOf } from '../run/result.ts';
import type { Exchange } from '../scim/exchange.ts';
import { excerpt } from './excerpt.ts';
import { basisLine, failuresFirst, locationOf, runFindings, type Finding } from './finding.ts';

export type Paint = (style: 'red' | 'green' | 'yellow' | 'dim' | 'bold' | 'cyan', text: string) => string;

export interface SourceText {
  text: string;
  lineStarts: readonly number[];
}

/** The mark and colour of each status, the same in every terminal view. */
export const MARK: Record<ScenarioResult['status'], [string, Parameters<Paint>[0]]> = {
  pass: ['✔', 'green'],
  fail: ['✖', 'red'],
  warn: ['▲', 'yellow'],
  blocked: ['○', 'yellow'],
  error: ['!', 'yellow'],
  skipped: ['-', 'dim'],
};

export function scenarioLine(file: string, scenario: ScenarioResult, paint: Paint): string {
  const [mark, colour] = MARK[scenario.status];
  const checks = checkCount(scenario);
  const failed = scenario.checks.filter(isFailing).length;
  const warned = scenario.checks.filter((c) => c.status === 'warn').length;
  const blocked = scenario.checks.filter((c) => c.status === 'blocked').length;
  const extra = [warned ? `${warned} warning${warned === 1 ? '' : 's'}` : '', blocked ? `${blocked} blocked` : '']
    .filter(Boolean)
    .join(', ');
  const detail = scenario.skipped
    ? `skipped: ${scenario.skipped}`
    : `${failed ? `${failed} of ${checks} checks failed` : `${checks} checks`}${extra ? `, ${extra}` : ''}`;
  const name = scenario.section === 'setup' ? 'setup (groups)' : `${scenario.section}.${scenario.name}`;
  return (
    `${paint(colour, mark)} ${paint('bold', name)} ` +
    `${paint('dim', `${file}:${scenario.range.start.line + 1} · ${scenario.dialect} · ${detail} · ${scenario.ms} ms`)}`
  );
}

/** A check's finding in full: where, why, its basis, the spec lines (when the source is known), expected vs actual, the exchanges. */
export function failureBlock(finding: Finding, source: SourceText | undefined, paint: Paint): string {
  const check = finding.check;
  const status = check?.status ?? 'error';
  const colour = status === 'fail' ? 'red' : 'yellow';
  const out = [`${paint(colour, status)} ${paint('bold', locationOf(finding))}${check ? ` ${paint('dim', check.id)}` : ''}`];
  out.push(`  ${check ? `${check.title}: ` : ''}${finding.message}`);
  if (check) out.push(paint('dim', `  ${basisLine(check)}`));
  if (check?.count && check.count > 1)
    out.push(
      paint(
        'dim',
        `  the same on ${check.count} responses` +
          `${check.alsoAt?.length ? `, also at ${check.alsoAt.join(', ')}${check.count - 1 > check.alsoAt.length ? ', …' : ''}` : ''}`,
      ),
    );
  if (source)
    out.push(
      indent(
        codeFrame(source.text, source.lineStarts, finding.range, (role, text) =>
          role === 'caret' ? paint(colour, text) : role === 'gutter' ? paint('cyan', text) : text,
        ),
        '  ',
      ),
    );
  if ('expected' in finding || 'actual' in finding) {
    out.push(`  ${paint('green', '- expected')} ${compact(finding.expected)}`);
    out.push(`  ${paint('red', '+ actual  ')} ${compact(finding.actual)}`);
  }
  // Every distinct exchange that decided it (a race shows each answer it got), each body cut around what was compared.
  for (const exchange of finding.evidence.slice(-3)) out.push(...exchangeLines(exchange, paint, check?.focus));
  return out.join('\n');
}

function exchangeLines(exchange: Exchange, paint: Paint, focus?: readonly string[]): string[] {
  const lines = [paint('dim', `  > ${exchange.method} ${exchange.url}`)];
  if (exchange.requestBody) lines.push(paint('dim', `    ${excerpt(exchange.requestBody, 300, focus)}`));
  if (exchange.status !== undefined)
    lines.push(
      paint(
        'dim',
        `  < ${exchange.status} ${exchange.responseHeaders?.['content-type'] ?? ''} (${exchange.ms} ms, request id ${exchange.id})`,
      ),
    );
  if (exchange.responseBody) lines.push(paint('dim', `    ${excerpt(exchange.responseBody, 300, focus)}`));
  if (exchange.error) lines.push(paint('dim', `  ! ${exchange.error}`));
  return lines;
}

/** Each failing check's block, then each warning's, for the specs' sources where they are known (code frames). */
export function failureBlocks(specs: readonly SpecResult[], sources: ReadonlyMap<string, SourceText>, paint: Paint): string[] {
  return failuresFirst(runFindings(specs).filter((f) => f.check)).map((f) => failureBlock(f, sources.get(f.file), paint));
}

export function summary(specs: readonly SpecResult[], ms: number, paint: Paint): string {
  const totals: Totals = totalsOf(specs);
  const scenarios = specs.flatMap((s) => s.scenarios.filter((x) => x.section !== 'setup'));
  const failedScenarios = scenarios.filter((s) => s.status === 'fail' || s.status === 'error').length;
  const orphans = specs.flatMap((s) => s.orphans);
  const created = specs.flatMap((s) => s.audit.filter((a) => a.action === 'created')).length;
  const removed = specs.flatMap((s) => s.audit.filter((a) => a.action === 'removed')).length;
  const lines: string[] = [];
  const ok = totals.fail === 0 && totals.error === 0;
  const optional = [totals.warn ? `${totals.warn} warned` : '', totals.blocked ? `${totals.blocked} blocked` : '']
    .filter(Boolean)
    .map((t) => `, ${t}`)
    .join('');
  lines.push(
    paint(
      ok ? 'green' : 'red',
      `${ok ? '✔' : '✖'} ${scenarios.length - failedScenarios} of ${scenarios.length} ` +
        `scenarios passed · checks: ${totals.pass} passed, ${totals.fail} failed${optional}, ${totals.error} ` +
        `errored, ${totals.skipped} skipped · ${(ms / 1000).toFixed(1)} s`,
    ),
  );
  lines.push(paint('dim', `  cleanup: ${created} resources created, ${removed} removed${orphans.length ? '' : ', nothing left behind'}`));
  for (const orphan of orphans) {
    lines.push(
      paint(
        'yellow',
        orphan.unconfirmed
          ? `  possibly left on the target: ${orphan.resourceType} ${JSON.stringify(orphan.display)}: ${orphan.reason}`
          : `  left on the target: ${orphan.resourceType} ${orphan.id} (${orphan.display}): ${orphan.reason}`,
      ),
    );
  }
  return lines.join('\n');
}

function compact(value: unknown): string {
  return value === undefined ? '(nothing)' : truncate(JSON.stringify(value), 200);
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}
