// Shards of one run write one JSON report each; merging them gives the report the whole run
// would have written, so annotations, summary and JUnit are emitted once. Reports of version 1
// (evidence inline in each check) are read too, and come out as version 2.
import type { Range } from '../diagnostic.ts';
import { totalsOf, worst, type SpecResult } from '../run/result.ts';
import { REPORT_VERSION, type JsonRange, type JsonReport, type StoredExchange } from './json.ts';
import type { Exchange } from '../scim/exchange.ts';

export class ReportFormatError extends Error {}

/** The versions `parseJsonReport` reads. */
export const READABLE_REPORT_VERSIONS: readonly number[] = [1, REPORT_VERSION];

/** Checks the parts of a report that merging and the reporters rely on; a version 1 report is upgraded. */
export function parseJsonReport(text: string, name: string): JsonReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportFormatError(`${name}: not JSON (${(error as Error).message})`);
  }
  const report = value as Partial<JsonReport> | null;
  if (!report || typeof report !== 'object' || Array.isArray(report))
    throw new ReportFormatError(`${name}: not a provspec report (expected an object)`);
  if (!READABLE_REPORT_VERSIONS.includes(report.report as number))
    throw new ReportFormatError(
      `${name}: not a provspec report of version ${READABLE_REPORT_VERSIONS.join(' or ')} ("report": ${JSON.stringify(report.report)})`,
    );
  if (typeof report.runId !== 'string' || !Array.isArray(report.specs))
    throw new ReportFormatError(`${name}: a provspec report needs "runId" and "specs"`);
  report.specs.forEach((spec, i) => {
    if (
      !spec ||
      typeof spec.file !== 'string' ||
      !Array.isArray(spec.scenarios) ||
      !Array.isArray(spec.audit) ||
      !Array.isArray(spec.orphans)
    ) {
      throw new ReportFormatError(`${name}: specs[${i}] needs "file", "scenarios", "audit" and "orphans"`);
    }
    spec.scenarios.forEach((scenario, j) => {
      if (!scenario || !Array.isArray(scenario.checks) || typeof scenario.line !== 'number')
        throw new ReportFormatError(`${name}: specs[${i}].scenarios[${j}] needs "line" and "checks"`);
    });
  });
  if ((report.report as number) === 1) return upgrade(report as JsonReport);
  if (typeof report.exchanges !== 'object' || report.exchanges === null || Array.isArray(report.exchanges))
    throw new ReportFormatError(`${name}: a version 2 report needs "exchanges"`);
  return report as JsonReport;
}

/** Version 1 → 2: each check's inline exchanges go to `exchanges`, the check keeps their ids. */
function upgrade(report: JsonReport): JsonReport {
  const exchanges: Record<string, StoredExchange> = {};
  for (const spec of report.specs) {
    for (const scenario of spec.scenarios) {
      for (const check of scenario.checks) {
        const inline = (check.evidence ?? []) as unknown[];
        check.evidence = inline.map((e) => {
          if (typeof e === 'string') return e;
          const { json: _json, ...exchange } = e as Exchange;
          exchanges[exchange.id] ??= exchange;
          return exchange.id;
        });
      }
    }
  }
  return { ...report, report: REPORT_VERSION, exchanges };
}

/**
 * One report from several: a spec that several shards ran becomes one spec with every shard's
 * scenarios (in source order), audit and orphans. The run id is the first report's when all
 * agree, else the ids joined.
 */
export function mergeReports(reports: readonly JsonReport[]): JsonReport {
  const specs = new Map<string, JsonReport['specs'][number]>();
  const exchanges: Record<string, StoredExchange> = {};
  for (const report of reports) {
    Object.assign(exchanges, report.exchanges);
    for (const spec of report.specs) {
      const seen = specs.get(spec.file);
      if (!seen) {
        specs.set(spec.file, { ...spec, scenarios: [...spec.scenarios], audit: [...spec.audit], orphans: [...spec.orphans] });
        continue;
      }
      seen.scenarios.push(...spec.scenarios);
      seen.audit.push(...spec.audit);
      seen.orphans.push(...spec.orphans);
      seen.ms += spec.ms;
      if (spec.error && !seen.error) seen.error = spec.error;
      seen.status = worst([seen.status, spec.status]);
    }
  }
  for (const spec of specs.values()) spec.scenarios.sort((a, b) => a.line - b.line || a.column - b.column);
  const runIds = [...new Set(reports.map((r) => r.runId))];
  const merged = [...specs.values()];
  const startedAt = reports.map((r) => r.startedAt).sort()[0] ?? new Date(0).toISOString();
  return {
    report: REPORT_VERSION,
    runId: runIds.join('+'),
    startedAt,
    // Shards run side by side: the merged run took as long as its slowest shard.
    ms: Math.max(0, ...reports.map((r) => r.ms)),
    totals: totalsOf(fromJsonReport({ specs: merged, exchanges: {} })),
    exchanges,
    specs: merged,
  };
}

function toRange(r: JsonRange): Range {
  return { start: { line: r.line - 1, character: r.column - 1 }, end: { line: r.endLine - 1, character: r.endColumn - 1 } };
}

/** A stored exchange as the runner held it: its body parsed again when it is JSON. */
function restored(exchange: StoredExchange): Exchange {
  if (exchange.responseBody === undefined) return exchange;
  try {
    return { ...exchange, json: JSON.parse(exchange.responseBody) as unknown };
  } catch {
    return exchange;
  }
}

/**
 * Back to the in-memory result model, so every reporter can render a merged report: a check's
 * evidence ids become the exchanges the report holds; the ids of the others (a passing check's)
 * stay as ids.
 */
export function fromJsonReport(report: Pick<JsonReport, 'specs' | 'exchanges'>): SpecResult[] {
  const cache = new Map<string, Exchange>();
  const exchange = (id: string): Exchange | undefined => {
    const found = report.exchanges?.[id];
    if (!found) return undefined;
    let out = cache.get(id);
    if (!out) cache.set(id, (out = restored(found)));
    return out;
  };
  return report.specs.map(({ error, scenarios, ...spec }) => ({
    ...spec,
    ...(error ? { error: { message: error.message, ...(error.line !== undefined ? { range: toRange(error as JsonRange) } : {}) } } : {}),
    scenarios: scenarios.map(({ line, column, endLine, endColumn, checks, ...scenario }) => ({
      ...scenario,
      range: toRange({ line, column, endLine, endColumn }),
      // Reports written before checks carried their rule still merge: the rule is then unknown.
      checks: checks.map(({ line: l, column: c, endLine: el, endColumn: ec, file: _file, evidence: ids, ...check }) => {
        const evidence = (ids ?? []).map(exchange).filter((e): e is Exchange => e !== undefined);
        return {
          ...check,
          message: check.message ?? '',
          rule: check.rule ?? 'unknown',
          basis: check.basis ?? 'unknown',
          level: check.level ?? 'MUST',
          range: toRange({ line: l, column: c, endLine: el, endColumn: ec }),
          evidence,
          ...(evidence.length < (ids ?? []).length ? { evidenceIds: ids } : {}),
        };
      }),
    })),
  }));
}
