// The HTML report: one self-contained file (styles, script and data inline; a Content-Security-
// Policy that allows no network at all), readable offline years later. The data is the run's
// results, the findings with their code frames and the exchanges that decided them (redacted as
// everywhere), and every scenario's waterfall from the timeline. app.ts draws it.
import { codeFrame } from '../code-frame.ts';
import { stored } from '../json.ts';
import { checkCount, shownInFull, totalsOf, type CheckStatus, type ScenarioResult, type SpecResult } from '../../run/result.ts';
import type { StoredExchange } from '../json.ts';
import { shown } from '../finding.ts';
import { SCRIPT, STYLE } from './app.ts';
import { HtmlTimeline, type TimelineEntry } from './timeline.ts';

export interface HtmlInput {
  runId: string;
  startedAt: string;
  ms: number;
  results: readonly SpecResult[];
  /** Each spec's text, for code frames. */
  sources: ReadonlyMap<string, { text: string; lineStarts: readonly number[] }>;
  /** Waterfalls; without one (a merge of reports), scenarios show their findings only. */
  timeline?: HtmlTimeline;
  /** Who each scenario is about, by HtmlTimeline.key. */
  identities?: ReadonlyMap<string, string>;
}

interface HtmlFinding {
  id: string;
  status: CheckStatus;
  rule: string;
  level: string;
  basis: string;
  title: string;
  message: string;
  line: number;
  column: number;
  frame?: string;
  expected?: string;
  actual?: string;
  blockedBy?: string;
  evidence: string[];
}

const ORDER: CheckStatus[] = ['error', 'fail', 'warn', 'blocked', 'pass', 'skipped'];
/** Nothing from anywhere: the page's own inline style and script, and nothing else. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export function toHtml(input: HtmlInput): string {
  const exchanges: Record<string, StoredExchange> = {};
  const specs = input.results.map((spec) => {
    const source = input.sources.get(spec.file);
    return {
      file: spec.file,
      name: spec.name,
      status: spec.status,
      dialect: spec.dialect,
      baseUrl: spec.baseUrl,
      ms: spec.ms,
      ...(spec.startedAt ? { startedAt: spec.startedAt } : {}),
      ...(spec.error ? { error: spec.error.message } : {}),
      audit: spec.audit,
      orphans: spec.orphans,
      scenarios: spec.scenarios.map((scenario) => scenarioData(spec, scenario, source, input, exchanges)),
    };
  });
  const data = {
    runId: input.runId,
    startedAt: input.startedAt,
    ms: input.ms,
    status: ORDER.find((s) => input.results.some((r) => r.status === s)) ?? 'pass',
    totals: totalsOf([...input.results]),
    dropped: input.timeline?.dropped ?? 0,
    // A merge of shard reports: no timelines (each shard's own --html has them).
    merged: input.timeline === undefined,
    specs,
    exchanges,
  };
  const title = `provspec run ${input.runId}: ${data.status}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header id="summary"></header>
<main>
<div id="controls" class="controls"></div>
<p id="count" class="muted"></p>
<section id="journey" class="hidden"></section>
<div id="specs"></div>
</main>
<script id="provspec-data" type="application/json">${scriptSafe(JSON.stringify(data))}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function scenarioData(
  spec: SpecResult,
  scenario: ScenarioResult,
  source: { text: string; lineStarts: readonly number[] } | undefined,
  input: HtmlInput,
  exchanges: Record<string, StoredExchange>,
) {
  const key = HtmlTimeline.key(spec.file, scenario.section, scenario.name);
  const findings: HtmlFinding[] = [];
  for (const check of scenario.checks) {
    if (!shownInFull(check.status)) continue;
    for (const exchange of check.evidence) exchanges[exchange.id] ??= stored(exchange);
    findings.push({
      id: check.id,
      status: check.status,
      rule: check.rule,
      level: check.level,
      basis: check.basis,
      title: check.title,
      message: check.message,
      line: check.range.start.line + 1,
      column: check.range.start.character + 1,
      ...(source ? { frame: codeFrame(source.text, source.lineStarts, check.range) } : {}),
      ...(check.expected !== undefined || check.actual !== undefined
        ? { expected: shown(check.expected), actual: shown(check.actual) }
        : {}),
      ...(check.blockedBy ? { blockedBy: check.blockedBy } : {}),
      evidence: check.evidence.map((e) => e.id),
    });
  }
  // Failures first, as the terminal lists them.
  findings.sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
  const timeline: readonly TimelineEntry[] = input.timeline?.entries(key) ?? [];
  const identity = input.identities?.get(key);
  return {
    key,
    section: scenario.section,
    name: scenario.name,
    ...(identity ? { identity } : {}),
    dialect: scenario.dialect,
    status: scenario.status,
    ms: scenario.ms,
    ...(scenario.startedAt ? { startedAt: scenario.startedAt } : {}),
    start: input.timeline?.started(key) ?? 0,
    line: scenario.range.start.line + 1,
    checks: checkCount(scenario),
    findings,
    timeline,
  };
}

/** JSON inside a script element: nothing in it may close the element or start a comment. */
function scriptSafe(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
