// The run as GitHub-flavoured Markdown (the Action's job summary): a table per spec, failures
// expanded with expected vs actual and the redacted exchange, the audit trail, orphans. Server
// text only ever appears inside code fences longer than any backtick run it contains, so it
// cannot break out into Markdown or HTML.
import { checkCount, isFailing, totalsOf, type AuditEntry, type SpecResult } from '../run/result.ts';
import type { Exchange } from '../scim/exchange.ts';
import { basisLine, locationOf, runFindings, shown, type Finding } from './finding.ts';
import { actorOf, auditDetails } from './audit.ts';

export interface SummaryInput {
  specs: readonly SpecResult[];
  /** Validation findings (errors stop the run; warnings are listed; infos and hints are not). */
  validation?: readonly Finding[];
  /** Paragraphs said first: why a run was skipped, annotations not shown, … */
  notes?: readonly string[];
  ms?: number;
  runId?: string;
}

export interface SummaryOptions {
  /** GitHub refuses step summaries over 1 MiB; stay under this many bytes. */
  maxBytes?: number;
}

const ICON = { pass: '✅', fail: '❌', warn: '🔶', blocked: '⛔', error: '⚠️', skipped: '⏭️' } as const;

export function cell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function fenced(text: string, info = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters not shown)` : text;
}

function exchangeText(exchange: Exchange, bodyMax: number): string {
  const lines = [`> ${exchange.method} ${exchange.url}`];
  for (const [name, value] of Object.entries(exchange.requestHeaders)) lines.push(`> ${name}: ${value}`);
  if (exchange.requestBody) lines.push('>', clip(exchange.requestBody, bodyMax));
  if (exchange.status !== undefined) {
    lines.push(`< ${exchange.status} (${exchange.ms} ms)`);
    for (const [name, value] of Object.entries(exchange.responseHeaders ?? {})) lines.push(`< ${name}: ${value}`);
    if (exchange.responseBody) lines.push('<', clip(exchange.responseBody, bodyMax));
  }
  if (exchange.error) lines.push(`! ${exchange.error}`);
  return lines.join('\n');
}

function failure(finding: Finding, bodyMax: number): string {
  const check = finding.check;
  const status = check?.status ?? 'error';
  const out = [
    `<details><summary>${ICON[status]} <code>${cell(locationOf(finding))}</code> ` +
      `${cell(check?.scenario ?? '')} › ${cell(check?.title ?? finding.message)}</summary>`,
    '',
  ];
  out.push(fenced(finding.message, 'text'));
  if (check) out.push('', `${cell(basisLine(check))}${check.count && check.count > 1 ? ` · the same on ${check.count} responses` : ''}`);
  if ('expected' in finding || 'actual' in finding) {
    out.push(
      '',
      fenced(`- expected: ${clip(shown(finding.expected), bodyMax)}\n+ actual:   ${clip(shown(finding.actual), bodyMax)}`, 'diff'),
    );
  }
  const exchange = finding.evidence[finding.evidence.length - 1];
  if (exchange && bodyMax > 0)
    out.push('', `Request id \`${exchange.id.replace(/`/g, '')}\`:`, '', fenced(exchangeText(exchange, bodyMax), 'http'));
  out.push('', '</details>');
  return out.join('\n');
}

function audit(entries: readonly AuditEntry[]): string {
  const rows = entries.map(
    (e) =>
      `| ${e.time ? cell(e.time.slice(11, 23)) : ''} | ${e.unconfirmed ? 'possibly left' : e.action} | ${e.resourceType} ` +
      `| ${cell(e.id || '(unknown)')} | ${cell(e.display)} | ${cell(e.scenario)} | ${cell(auditDetails(e))} |`,
  );
  return ['| Time (UTC) | Action | Type | Id | Name | Scenario | Details |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

function render(input: SummaryInput, bodyMax: number, maxFailures: number): { text: string; hidden: number } {
  const totals = totalsOf(input.specs);
  const scenarios = input.specs.flatMap((s) => s.scenarios.filter((x) => x.section !== 'setup'));
  const passed = scenarios.filter((s) => s.status === 'pass').length;
  const invalid = (input.validation ?? []).some((f) => f.severity === 'error');
  const ok = totals.fail === 0 && totals.error === 0 && !invalid;
  const out: string[] = [
    `## provspec ${!ok ? '❌' : input.specs.length ? '✅' : '⏭️'} ` +
      `${input.specs.length ? `${passed} of ${scenarios.length} scenarios passed` : 'no scenarios ran'}`,
  ];
  if (input.specs.length)
    out.push(
      '',
      `Checks: **${totals.pass}** passed, **${totals.fail}** failed, **${totals.warn}** warned, **${totals.blocked}** ` +
        `blocked, **${totals.error}** errored, **${totals.skipped}** skipped` +
        `${input.ms !== undefined ? ` · ${(input.ms / 1000).toFixed(1)} s` : ''}` +
        `${input.runId ? ` · run \`${input.runId.replace(/`/g, '')}\`` : ''}`,
    );
  for (const note of input.notes ?? []) out.push('', `> ${note.replace(/\n/g, '\n> ')}`);

  for (const [file, shown] of byFile((input.validation ?? []).filter((f) => f.severity === 'error' || f.severity === 'warning'))) {
    out.push(
      '',
      `### ${cell(file)}: ${shown.length} validation finding${shown.length === 1 ? '' : 's'}`,
      '',
      '| Line | Severity | Code | Message |',
      '|---|---|---|---|',
    );
    for (const d of shown)
      out.push(`| ${d.range.start.line + 1}:${d.range.start.character + 1} | ${d.severity} | \`${d.code}\` | ${cell(d.message)} |`);
  }

  let budget = maxFailures;
  let hidden = 0;
  for (const spec of input.specs) {
    out.push(
      '',
      `### ${spec.status in ICON ? ICON[spec.status] : ''} ${cell(spec.file)} — ${cell(spec.name)}`,
      '',
      `Target \`${spec.baseUrl.replace(/`/g, '')}\` · dialect \`${spec.dialect}\` ` +
        `· profile \`${String(spec.profile ?? spec.dialect).replace(/`/g, '')}\``,
    );
    if (spec.error) out.push('', fenced(spec.error.message, 'text'));
    if (spec.scenarios.length) {
      out.push('', '| Scenario | Checks | Result | Duration |', '|---|---|---|---|');
      for (const s of spec.scenarios) {
        const name = s.section === 'setup' ? 'setup (groups)' : `${s.section}.${s.name}`;
        const failed = s.checks.filter(isFailing).length;
        const result = s.skipped
          ? `${ICON.skipped} skipped: ${cell(s.skipped)}`
          : failed
            ? `${ICON[s.status]} ${failed} of ${checkCount(s)} failed`
            : `${ICON[s.status]} ${s.status}`;
        out.push(`| ${cell(name)} | ${checkCount(s)} | ${result} | ${s.ms} ms |`);
      }
    }
    const findings = runFindings([spec]).filter((f) => f.check);
    const failures = findings.filter((f) => f.severity === 'error');
    const warnings = findings.filter((f) => f.severity !== 'error');
    for (const [heading, list] of [
      ['Failures', failures],
      ['Warnings', warnings],
    ] as const) {
      if (!list.length) continue;
      out.push('', `#### ${heading}`, '');
      for (const f of list) {
        if (budget <= 0) {
          hidden++;
          continue;
        }
        budget--;
        out.push(failure(f, bodyMax), '');
      }
    }
    if (spec.audit.length)
      out.push(
        '',
        `<details><summary>Audit trail: what ${actorOf(spec.runId, spec.dialect)} created, changed and removed</summary>`,
        '',
        audit(spec.audit),
        '',
        '</details>',
      );
    if (spec.orphans.length) out.push('', `**Left on the target** (could not be removed; delete by hand):`, '', audit(spec.orphans));
  }
  return { text: `${out.join('\n')}\n`, hidden };
}

function byFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) out.set(f.file, [...(out.get(f.file) ?? []), f]);
  return out;
}

/**
 * Renders within the size limit: evidence bodies shrink first, then evidence goes, then
 * failures beyond a count are only counted. What was cut is said at the end.
 */
export function toMarkdownSummary(input: SummaryInput, options: SummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? 1_000_000;
  const attempts: Array<[number, number]> = [
    [4000, Infinity],
    [500, Infinity],
    [0, Infinity],
    [0, 200],
    [0, 20],
    [0, 0],
  ];
  for (const [bodyMax, maxFailures] of attempts) {
    const { text, hidden } = render(input, bodyMax, maxFailures);
    const cut = [
      ...(bodyMax < 4000
        ? [bodyMax === 0 ? 'request and response evidence was left out' : `request and response bodies were cut to ${bodyMax} characters`]
        : []),
      ...(hidden ? [`${hidden} failure${hidden === 1 ? ' is' : 's are'} only counted, not shown`] : []),
    ];
    const final = cut.length
      ? `${text}\n_This summary was shortened to stay under GitHub's 1 MiB ` +
        `limit: ${cut.join('; ')}. The JSON report and the trace have everything._\n`
      : text;
    if (Buffer.byteLength(final) <= maxBytes) return final;
  }
  const note = "\n_Summary truncated to stay under GitHub's 1 MiB limit. The JSON report has everything._\n";
  return (
    Buffer.from(render(input, 0, 0).text)
      .subarray(0, maxBytes - Buffer.byteLength(note))
      .toString()
      .replace(/\uFFFD$/, '') + note
  );
}
