// Findings in the shape CI systems annotate: one per failing, erroring or warning check, spec
// that could not run, and validation error or warning. Pure; the Action turns them into workflow
// commands or Checks API annotations.
import type { Diagnostic } from '../diagnostic.ts';
import type { SpecResult } from '../run/result.ts';
import { clip, describe, fromDiagnostic, headline, lineSpan, runFindings, type Finding } from './finding.ts';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  /** As the report names it (relative, forward slashes). */
  file: string;
  /** 1-based; columns only when the range stays on one line (GitHub ignores them otherwise). */
  line: number;
  endLine: number;
  column?: number;
  endColumn?: number;
  title: string;
  message: string;
  /** A stable rule: the diagnostic code, or the check's kind (`lifecycle/deactivate.active`). */
  rule: string;
}

const MAX_MESSAGE = 4000;

/** Errors and warnings are annotated; infos and hints are not (an annotation asks someone to act). */
export function toAnnotations(findings: readonly Finding[]): Annotation[] {
  return findings
    .filter((f) => f.severity === 'error' || f.severity === 'warning')
    .map((f) => ({
      level: f.severity === 'error' ? 'error' : 'warning',
      file: f.file,
      ...lineSpan(f.range),
      title: headline(f),
      message: clip(describe(f), MAX_MESSAGE),
      rule: f.code,
    }));
}

export function checkAnnotations(specs: readonly SpecResult[]): Annotation[] {
  return toAnnotations(runFindings(specs));
}

export function diagnosticAnnotations(file: string, diagnostics: readonly Diagnostic[]): Annotation[] {
  return toAnnotations(diagnostics.map((d) => fromDiagnostic(file, d)));
}
