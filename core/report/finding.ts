// One model of "a problem at a range in a spec file", whatever found it: a validation
// diagnostic, a check of a run that failed, errored or warned, or a spec that could not run.
// Every reporter (terminal, annotations, SARIF, JUnit, Markdown, the language server) maps from
// a Finding, and every one that has a single text field uses describe(), so a finding reads the
// same wherever it is shown.
import type { Diagnostic, DiagnosticData, Range, Severity } from '../diagnostic.ts';
import type { Level } from '../checks/rules.ts';
import type { CheckResult, CheckStatus, ScenarioResult, SpecResult } from '../run/result.ts';
import type { Exchange } from '../scim/exchange.ts';

/** What a run's check adds to a finding: its verdict, where the rule comes from, and where else it happened. */
export interface CheckFinding {
  /** The check's id within its scenario (`3-deactivate.active`). */
  id: string;
  status: CheckStatus;
  /** One line: what was checked. */
  title: string;
  level: Level;
  basis: string;
  /** `lifecycle.joiner`, or `setup`. */
  scenario: string;
  count?: number;
  alsoAt?: string[];
  focus?: string[];
}

export interface Finding {
  /** As every report names the spec (relative, forward slashes). */
  file: string;
  /** 0-based, UTF-16 (LSP); printers add 1. */
  range: Range;
  severity: Severity;
  /** Stable: a diagnostic's code (`unknown-identity`), a check's rule (`lifecycle/deactivate.active`), or `run/not-run`. */
  code: string;
  /** Why: the diagnostic's message, the check's failure (or its title when it has none), why the spec could not run. */
  message: string;
  /** Set for a finding of a run's check. */
  check?: CheckFinding;
  /** For a spec that could not run: its name. */
  spec?: string;
  /** Present (even as undefined) only when the check compared values. */
  expected?: unknown;
  actual?: unknown;
  /** The exchanges that decided it, last the decisive one (redacted already). */
  evidence: readonly Exchange[];
  /** Hints for quick fixes (diagnostics only). */
  data?: DiagnosticData;
}

export function fromDiagnostic(file: string, diagnostic: Diagnostic): Finding {
  return {
    file,
    range: diagnostic.range,
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    evidence: [],
    ...(diagnostic.data ? { data: diagnostic.data } : {}),
  };
}

export function scenarioLabel(scenario: Pick<ScenarioResult, 'section' | 'name'>): string {
  return scenario.section === 'setup' ? 'setup' : `${scenario.section}.${scenario.name}`;
}

export function fromCheck(file: string, scenario: ScenarioResult, check: CheckResult): Finding {
  return {
    file,
    range: check.range,
    severity: check.status === 'fail' || check.status === 'error' ? 'error' : check.status === 'warn' ? 'warning' : 'info',
    code: check.rule,
    message: check.message || check.title,
    check: {
      id: check.id,
      status: check.status,
      title: check.title,
      level: check.level,
      basis: check.basis,
      scenario: scenarioLabel(scenario),
      ...(check.count !== undefined ? { count: check.count } : {}),
      ...(check.alsoAt ? { alsoAt: check.alsoAt } : {}),
      ...(check.focus ? { focus: check.focus } : {}),
    },
    ...('expected' in check ? { expected: check.expected } : {}),
    ...('actual' in check ? { actual: check.actual } : {}),
    evidence: check.evidence,
  };
}

const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** A spec that could not run at all (at the node that stopped it, or the top of the file). */
export function fromSpecError(spec: SpecResult): Finding | undefined {
  if (!spec.error) return undefined;
  return {
    file: spec.file,
    range: spec.error.range ?? ORIGIN,
    severity: 'error',
    code: 'run/not-run',
    message: spec.error.message,
    spec: spec.name,
    evidence: [],
  };
}

/** Which of a run's checks are findings: the ones a person must look at. */
export function isFinding(check: Pick<CheckResult, 'status'>): boolean {
  return check.status === 'fail' || check.status === 'error' || check.status === 'warn';
}

/** A run's findings in report order: per spec, its error first, then each failing, erroring or warning check. */
export function runFindings(specs: readonly SpecResult[]): Finding[] {
  const out: Finding[] = [];
  for (const spec of specs) {
    const error = fromSpecError(spec);
    if (error) out.push(error);
    for (const scenario of spec.scenarios)
      for (const check of scenario.checks) if (isFinding(check)) out.push(fromCheck(spec.file, scenario, check));
  }
  return out;
}

/** Failures before warnings, each group in report order (how the terminal and the summary list them). */
export function failuresFirst(findings: readonly Finding[]): Finding[] {
  return [...findings.filter((f) => f.severity === 'error'), ...findings.filter((f) => f.severity !== 'error')];
}

/** `file:line:column` (1-based). */
export function locationOf(finding: Pick<Finding, 'file' | 'range'>): string {
  return `${finding.file}:${finding.range.start.line + 1}:${finding.range.start.character + 1}`;
}

/** 1-based lines, and columns only when the range stays on one line (GitHub ignores them otherwise). */
export function lineSpan(range: Range): { line: number; endLine: number; column?: number; endColumn?: number } {
  const line = range.start.line + 1;
  const endLine = range.end.line + 1;
  if (line !== endLine) return { line, endLine };
  return { line, endLine, column: range.start.character + 1, endColumn: Math.max(range.end.character + 1, range.start.character + 2) };
}

/** "MUST · RFC 7644 §3.3" (and why a failure only warned). */
export function basisLine(check: Pick<CheckFinding, 'basis' | 'level' | 'status'>): string {
  return `${check.level} · ${check.basis}${check.status === 'warn' && check.level !== 'SHOULD' ? ' · tolerated under this profile' : ''}`;
}

/** The one-line heading where a medium has a title: `provspec failed: lifecycle.joiner › title`. */
export function headline(finding: Finding): string {
  if (finding.check) {
    const verb = finding.check.status === 'error' ? 'error' : finding.check.status === 'warn' ? 'warning' : 'failed';
    return `provspec ${verb}: ${finding.check.scenario} › ${finding.check.title}`;
  }
  if (finding.spec !== undefined) return `provspec: ${finding.spec} could not run`;
  return `provspec ${finding.code}`;
}

export interface DescribeOptions {
  /** Longest a shown value may be before it is cut. */
  maxValue?: number;
}

/**
 * The text of a finding where a medium has one text field (annotations, SARIF, JUnit, the
 * editor): why; for a check, its level and basis, expected vs actual, and the decisive exchange.
 */
export function describe(finding: Finding, options: DescribeOptions = {}): string {
  const max = options.maxValue ?? 1500;
  const lines = [finding.message];
  const check = finding.check;
  if (check) {
    lines.push(`${basisLine(check)}${check.count && check.count > 1 ? ` · the same on ${check.count} responses` : ''}`);
    if ('expected' in finding || 'actual' in finding)
      lines.push(`expected: ${clip(shown(finding.expected), max)}`, `actual:   ${clip(shown(finding.actual), max)}`);
    const last = finding.evidence[finding.evidence.length - 1];
    if (last) lines.push(`${last.method} ${last.url} → ${last.status ?? last.error ?? 'no response'} (request id ${last.id})`);
  }
  return lines.join('\n');
}

/** describe() with the check's title first, for media with no title field (the editor, JUnit bodies). */
export function describeWithTitle(finding: Finding, options: DescribeOptions = {}): string {
  return finding.check ? `${finding.check.title}: ${describe(finding, options)}` : describe(finding, options);
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

export function shown(value: unknown): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}
