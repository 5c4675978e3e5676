// Findings as LSP diagnostics: the same ranges, codes and text (describe()) as every other
// reporter. Validation findings keep their quick-fix data; run findings carry the check's title.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import type { Diagnostic } from '../../core/diagnostic.ts';
import { describeWithTitle, fromDiagnostic, type Finding } from '../../core/report/finding.ts';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

const UNNECESSARY = new Set(['unused-identity', 'unused-group']);

export function toLspDiagnostic(finding: Finding, source = 'provspec'): LspDiagnostic {
  return {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    source,
    message: describeWithTitle(finding),
    ...(UNNECESSARY.has(finding.code) ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    ...(finding.data ? { data: finding.data } : {}),
  };
}

/** A validation diagnostic of an open document (the file name does not appear in LSP). */
export function validationDiagnostic(diagnostic: Diagnostic): LspDiagnostic {
  return toLspDiagnostic(fromDiagnostic('', diagnostic));
}
