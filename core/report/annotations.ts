// Findings located in spec files, in the shape CI systems annotate: failing checks, specs that
// could not run, and validation diagnostics. Pure; the Action turns them into workflow commands
// or Checks API annotations, SARIF into results.
import type { Diagnostic, Range } from '../diagnostic.ts';
import type { CheckResult, ScenarioResult, SpecResult } from '../run/result.ts';

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

function located(range: Range): Pick<Annotation, 'line' | 'endLine' | 'column' | 'endColumn'> {
  const line = range.start.line + 1;
  const endLine = range.end.line + 1;
  if (line !== endLine) return { line, endLine };
  return { line, endLine, column: range.start.character + 1, endColumn: Math.max(range.end.character + 1, range.start.character + 2) };
}

function clip(text: string, max = MAX_MESSAGE): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

function shown(value: unknown): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}

/** The kind of a check: its rule (core/checks/rules.ts), the same wherever it is made. */
export function checkRule(_scenario: Pick<ScenarioResult, 'section'>, check: Pick<CheckResult, 'id' | 'rule'>): string {
  return check.rule;
}

export function checkAnnotations(specs: readonly SpecResult[]): Annotation[] {
  const out: Annotation[] = [];
  for (const spec of specs) {
    if (spec.error) {
      const range = spec.error.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      out.push({
        level: 'error',
        file: spec.file,
        ...located(range),
        title: `provspec: ${spec.name} could not run`,
        message: clip(spec.error.message),
        rule: 'run/not-run',
      });
    }
    for (const scenario of spec.scenarios) {
      for (const check of scenario.checks) {
        if (check.status !== 'fail' && check.status !== 'error' && check.status !== 'warn') continue;
        const lines = [
          check.message || check.title,
          `${check.level} · ${check.basis}${check.count && check.count > 1 ? ` · the same on ${check.count} responses` : ''}`,
        ];
        if ('expected' in check || 'actual' in check)
          lines.push(`expected: ${clip(shown(check.expected), 1500)}`, `actual:   ${clip(shown(check.actual), 1500)}`);
        const last = check.evidence[check.evidence.length - 1];
        if (last) lines.push(`${last.method} ${last.url} → ${last.status ?? last.error ?? 'no response'} (request id ${last.id})`);
        const name = scenario.section === 'setup' ? 'setup' : `${scenario.section}.${scenario.name}`;
        out.push({
          level: check.status === 'warn' ? 'warning' : 'error',
          file: spec.file,
          ...located(check.range),
          title:
            `provspec ${check.status === 'error' ? 'error' : check.status === 'warn' ? 'warning' : 'failed'}: ${name} ` +
            `› ${check.title}`,
          message: clip(lines.join('\n')),
          rule: checkRule(scenario, check),
        });
      }
    }
  }
  return out;
}

export function diagnosticAnnotations(file: string, diagnostics: readonly Diagnostic[]): Annotation[] {
  return diagnostics
    .filter((d) => d.severity === 'error' || d.severity === 'warning')
    .map((d) => ({
      level: d.severity === 'error' ? 'error' : 'warning',
      file,
      ...located(d.range),
      title: `provspec ${d.code}`,
      message: clip(d.message),
      rule: d.code,
    }));
}
