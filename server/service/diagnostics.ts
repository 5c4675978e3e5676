// core/validate's diagnostics as LSP diagnostics: same ranges, same codes, same messages as the CLI.
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import type { Diagnostic } from '../../core/diagnostic.ts';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'provspec',
    message: d.message,
    ...(d.code === 'unused-identity' || d.code === 'unused-group' ? { tags: [1] } : {}),
    ...(d.data ? { data: d.data } : {}),
  };
}
