// Validation: parse diagnostics, then the schema, then the semantic rules, in that order.
// Each phase is exported on its own so that benchmarks and the language server can time or
// cache them separately.
import type { Diagnostic } from '../diagnostic.ts';
import { parseDocument } from '../document/parse.ts';
import { ALIAS_LIMIT_CODE } from '../document/yaml.ts';
import type { ParsedDocument, SourceFormat } from '../document/types.ts';
import type { Spec } from '../spec/types.ts';
import { entries, obj, withEntriesCache, type Rule, type RuleContext } from './context.ts';
import { DiagnosticCollector } from './collector.ts';
import { checkExpressions } from './rules/expressions.ts';
import { checkMapping } from './rules/mapping.ts';
import { checkReferences } from './rules/references.ts';
import { checkRoles } from './rules/roles.ts';
import { checkScenarios } from './rules/scenarios.ts';
import { checkTarget } from './rules/target.ts';
import { schemaDiagnostics } from './schema.ts';

export { SCHEMA } from './schema.ts';

export const RULES: readonly Rule[] = [checkReferences, checkExpressions, checkMapping, checkRoles, checkScenarios, checkTarget];

export interface ValidationResult {
  document: ParsedDocument;
  diagnostics: Diagnostic[];
  /** The typed spec, present only when there is no error. */
  spec?: Spec;
}

export function validateText(text: string, name: string, format?: SourceFormat): ValidationResult {
  return validateDocument(parseDocument(text, name, format));
}

export function validateDocument(document: ParsedDocument): ValidationResult {
  const report = new DiagnosticCollector(document);
  report.diagnostics.push(...document.diagnostics);
  if (document.value === undefined) {
    if (!document.diagnostics.some((d) => d.severity === 'error')) {
      report.atSpan(
        { start: 0, end: 0 },
        'error',
        'empty-spec',
        'The spec is empty. Start with `provspec: 1`, a target, identities and a mapping.',
      );
    }
    return { document, diagnostics: sortDiagnostics(report.diagnostics) };
  }
  schemaPhase(document, report);
  semanticPhase(document, report);
  const diagnostics = sortDiagnostics(withoutValueCascade(withoutSyntaxCascade(document.diagnostics, report.diagnostics)));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return ok ? { document, diagnostics, spec: document.value as Spec } : { document, diagnostics };
}

// An alias left empty by the expansion limit leaves a hole in the value, as a syntax error does.
const SYNTAX = new Set(['yaml-syntax', 'json-syntax', 'tab-indent', ALIAS_LIMIT_CODE]);
// A name swallowed by a syntax error looks undeclared, and a declaration swallowed looks unused.
const REFERENCES = new Set([
  'unknown-identity',
  'unknown-group',
  'unknown-variable',
  'unknown-identity-attribute',
  'unknown-expression-property',
  'unused-identity',
  'unused-group',
]);

/**
 * One mistake, one message: while the text has syntax errors, what the schema and the rules say
 * on the same lines, and what they say about names (which the broken text may have swallowed),
 * is a cascade of the syntax error, not news.
 */
function withoutSyntaxCascade(parsed: readonly Diagnostic[], all: readonly Diagnostic[]): Diagnostic[] {
  const syntax = parsed.filter((d) => SYNTAX.has(d.code) && d.severity === 'error');
  if (syntax.length === 0) return [...all];
  const fromParse = new Set(parsed);
  const onSyntaxLine = lineCover(syntax.map((e) => [e.range.start.line, e.range.end.line]));
  return all.filter((d) => fromParse.has(d) || (!REFERENCES.has(d.code) && !onSyntaxLine(d.range.start.line)));
}

/**
 * A name the schema already refuses (`Ëng🚀` where a short name belongs) is one mistake: that it
 * also names nothing declared is the same mistake said again, so the name's error goes.
 */
function withoutValueCascade(all: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}`;
  const refused = new Set(all.filter((d) => d.code === 'invalid-value' || d.code === 'invalid-type').map(key));
  if (refused.size === 0) return [...all];
  return all.filter((d) => !(REFERENCES.has(d.code) && refused.has(key(d))));
}

/**
 * Whether a line is in one of the [first, last] line ranges: a binary search over the merged
 * ranges, so that many syntax errors and many diagnostics do not cost their product.
 */
function lineCover(ranges: Array<[number, number]>): (line: number) => boolean {
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [first, last] of ranges) {
    const top = merged.at(-1);
    if (top && first <= top[1]) top[1] = Math.max(top[1], last);
    else merged.push([first, last]);
  }
  return (line) => {
    let low = 0;
    let high = merged.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const [first, last] = merged[mid]!;
      if (line < first) high = mid - 1;
      else if (line > last) low = mid + 1;
      else return true;
    }
    return false;
  };
}

export function schemaPhase(document: ParsedDocument, report: DiagnosticCollector): void {
  schemaDiagnostics(document, report);
}

export function semanticPhase(document: ParsedDocument, report: DiagnosticCollector): void {
  const spec = obj(document.value);
  if (spec) withEntriesCache(() => runRules(ruleContext(document, spec, report)));
}

function runRules(ctx: RuleContext): void {
  const { report } = ctx;
  for (const rule of RULES) {
    try {
      rule(ctx);
    } catch (error) {
      // A rule must never take the others (or the editor) down with it.
      report.atSpan(
        { start: 0, end: 0 },
        'error',
        'internal-error',
        `provspec failed while checking this spec ` +
          `(${rule.name}): ${error instanceof Error ? error.message : String(error)}. Please report this.`,
      );
    }
  }
}

function ruleContext(doc: ParsedDocument, spec: Record<string, unknown>, report: DiagnosticCollector): RuleContext {
  const identityAttributes = new Set<string>();
  for (const [, identity] of entries(spec['identities'])) for (const [key] of entries(identity)) identityAttributes.add(key);
  for (const [, scenario] of entries(spec['lifecycle'])) {
    const steps = obj(scenario)?.['steps'];
    if (Array.isArray(steps)) for (const step of steps) for (const [key] of entries(obj(step)?.['update'])) identityAttributes.add(key);
  }
  return {
    doc,
    spec,
    report,
    identityNames: entries(spec['identities']).map(([k]) => k),
    groupNames: entries(spec['groups']).map(([k]) => k),
    variableNames: entries(spec['variables']).map(([k]) => k),
    identityAttributes,
  };
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2, hint: 3 } as const;

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.code.localeCompare(b.code),
  );
}
