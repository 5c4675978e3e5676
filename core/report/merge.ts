// Shards of one run write one JSON report each; merging them gives the report the whole run
// would have written, so annotations, summary and JUnit are emitted once. Reports of version 1
// (evidence inline in each check) are read too, and come out as version 2.
import type { Range } from '../diagnostic.ts';
import { totalsOf, worst, type ScenarioResult, type SpecResult } from '../run/result.ts';
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

type JsonSpec = JsonReport['specs'][number];
type JsonScenario = JsonSpec['scenarios'][number];
/** A spec of a merged report, its scenarios aside. */
export type MergedSpecFields = Omit<JsonSpec, 'scenarios'>;

/**
 * One report from several: a spec that several shards ran becomes one spec with every shard's
 * scenarios (in source order), audit and orphans. The run id is the first report's when all
 * agree, else the ids joined.
 */
export function mergeReports(reports: readonly JsonReport[]): JsonReport {
  const specs = new Map<string, { fields: MergedSpecFields; scenarios: JsonScenario[] }>();
  const exchanges: Record<string, StoredExchange> = {};
  for (const report of reports) {
    Object.assign(exchanges, report.exchanges);
    for (const { scenarios, ...spec } of report.specs) {
      const seen = specs.get(spec.file);
      if (seen) seen.scenarios.push(...scenarios);
      specs.set(spec.file, { fields: mergeSpecFields(seen?.fields, spec), scenarios: seen?.scenarios ?? [...scenarios] });
    }
  }
  const merged = [...specs.values()].map(({ fields, scenarios }) => ({
    ...fields,
    scenarios: inSourceOrder(combineSetups(scenarios), (s) => s),
  }));
  return {
    report: REPORT_VERSION,
    ...mergedMeta(reports),
    totals: totalsOf(fromJsonReport({ specs: merged, exchanges: {} })),
    exchanges,
    specs: merged,
  };
}

/** A spec's fields once another shard's are added: audit and orphans joined, times summed, the worst status. */
export function mergeSpecFields(seen: MergedSpecFields | undefined, spec: MergedSpecFields): MergedSpecFields {
  if (!seen) return { ...spec, audit: [...spec.audit], orphans: [...spec.orphans] };
  seen.audit.push(...spec.audit);
  seen.orphans.push(...spec.orphans);
  seen.ms += spec.ms;
  if (spec.error && !seen.error) seen.error = spec.error;
  seen.status = worst([seen.status, spec.status]);
  return seen;
}

/**
 * Every shard prepares the spec's groups (the `setup` scenario); the merged run, like one run,
 * has one setup. Its checks are each shard's by id, the worst outcome of each kept, so a setup
 * that failed in any shard still fails. Other scenarios pass through.
 */
export function combineSetups(scenarios: readonly JsonScenario[]): JsonScenario[] {
  const setups = scenarios.filter((s) => s.section === 'setup');
  if (setups.length < 2) return [...scenarios];
  const checks = new Map<string, JsonScenario['checks'][number]>();
  for (const setup of setups)
    for (const check of setup.checks) {
      const seen = checks.get(check.id);
      if (!seen || worst([seen.status, check.status]) !== seen.status) checks.set(check.id, check);
    }
  const combined: JsonScenario = {
    ...setups[0]!,
    checks: [...checks.values()],
    status: worst([...checks.values()].map((c) => c.status)),
    ms: Math.max(...setups.map((s) => s.ms)),
  };
  return [combined, ...scenarios.filter((s) => s.section !== 'setup')];
}

/** Scenarios by their line in the spec (shards interleave them); ties keep the order they came in. */
export function inSourceOrder<T>(items: readonly T[], at: (item: T) => Pick<JsonRange, 'line' | 'column'>): T[] {
  return [...items].sort((a, b) => at(a).line - at(b).line || at(a).column - at(b).column);
}

/** The merged run's id, start and duration. */
export function mergedMeta(reports: ReadonlyArray<Pick<JsonReport, 'runId' | 'startedAt' | 'ms'>>): {
  runId: string;
  startedAt: string;
  ms: number;
} {
  return {
    runId: [...new Set(reports.map((r) => r.runId))].join('+'),
    startedAt: reports.map((r) => r.startedAt).sort()[0] ?? new Date(0).toISOString(),
    // Shards run side by side: the merged run took as long as its slowest shard.
    ms: Math.max(0, ...reports.map((r) => r.ms)),
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
  const exchange = exchangeLookup(report.exchanges);
  return report.specs.map(({ scenarios, ...spec }) => ({
    ...fromJsonSpecFields(spec),
    scenarios: scenarios.map((scenario) => fromJsonScenario(scenario, exchange)),
  }));
}

/** A spec of a report, its scenarios aside, in the in-memory model. */
export function fromJsonSpecFields({ error, ...spec }: MergedSpecFields): Omit<SpecResult, 'scenarios'> {
  return {
    ...spec,
    ...(error ? { error: { message: error.message, ...(error.line !== undefined ? { range: toRange(error as JsonRange) } : {}) } } : {}),
  };
}

/** A report's exchanges by id, each parsed again once however many checks cite it. */
export function exchangeLookup(exchanges: JsonReport['exchanges'] | undefined): (id: string) => Exchange | undefined {
  const cache = new Map<string, Exchange>();
  return (id) => {
    const found = exchanges?.[id];
    if (!found) return undefined;
    let out = cache.get(id);
    if (!out) cache.set(id, (out = restored(found)));
    return out;
  };
}

/** One scenario of a report in the in-memory model. */
export function fromJsonScenario(
  { line, column, endLine, endColumn, checks, ...scenario }: JsonScenario,
  exchange: (id: string) => Exchange | undefined,
): ScenarioResult {
  return {
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
  };
}
