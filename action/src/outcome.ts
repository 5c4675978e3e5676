// What a mode (run, merge) hands to publishing: results (and the report when the run did not
// write it as it went), the validated specs and sentences for the log and summary.
import type { CheckedSpec } from '../../core/session/session.ts';
import type { SpecResult } from '../../core/run/result.ts';
import type { Paint } from '../../core/report/pretty.ts';
import type { JsonReport } from '../../core/report/json.ts';

export interface Outcome {
  results: SpecResult[];
  /** The JSON report to write, when the run did not write its own as it went (nothing ran, a merge). */
  report?: JsonReport;
  runId: string;
  ms: number;
  checked: CheckedSpec[];
  notes: string[];
}

export const plain: Paint = (_style, text) => text;

/** Names from a spec (scenarios, files) are the pull request's text: one line, so never a command. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
