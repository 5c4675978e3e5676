// The JSON report: one document per run, every check with its 1-based source range. The
// Action, `provspec merge` and other tools read this; its shape is a contract.
import type { Range } from '../diagnostic.ts';
import { totalsOf, type SpecResult, type Totals } from '../run/result.ts';

export const REPORT_VERSION = 1;

export interface JsonRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonReport {
  report: typeof REPORT_VERSION;
  runId: string;
  startedAt: string;
  ms: number;
  totals: Totals;
  specs: Array<
    Omit<SpecResult, 'scenarios' | 'error'> & {
      error?: { message: string } & Partial<JsonRange>;
      scenarios: Array<
        Omit<SpecResult['scenarios'][number], 'range' | 'checks'> &
          JsonRange & {
            checks: Array<Omit<SpecResult['scenarios'][number]['checks'][number], 'range'> & JsonRange & { file: string }>;
          }
      >;
    }
  >;
}

export function jsonRange(range: Range): JsonRange {
  return { line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

export function toJsonReport(specs: readonly SpecResult[], meta: { runId: string; startedAt: string; ms: number }): JsonReport {
  return {
    report: REPORT_VERSION,
    ...meta,
    totals: totalsOf(specs),
    specs: specs.map((spec) => ({
      ...spec,
      ...(spec.error ? { error: { message: spec.error.message, ...(spec.error.range ? jsonRange(spec.error.range) : {}) } } : {}),
      scenarios: spec.scenarios.map(({ range, checks, ...scenario }) => ({
        ...scenario,
        ...jsonRange(range),
        checks: checks.map(({ range: checkRange, ...check }) => ({ ...check, file: spec.file, ...jsonRange(checkRange) })),
      })),
    })),
  };
}
