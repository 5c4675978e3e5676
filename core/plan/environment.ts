// Missing configuration is found before any request: every `${{ env.X }}` that this run would
// evaluate (the target, what every scenario uses, the scenarios it runs) and that the environment
// does not set is one located error, so an unset APP_URL is a usage error at its line, not a
// runner error halfway through a leaver. `validate` never asks: it must not depend on secrets.
import type { Diagnostic } from '../diagnostic.ts';
import { locate, spanToRange, joinPointer } from '../document/index.ts';
import { findExpressions } from '../expressions/parse.ts';
import { innerSpan } from '../validate/context.ts';
import type { Plan } from './plan.ts';

export interface EnvironmentOptions {
  /** target.baseUrl is overridden (--base-url, --embedded): its expressions are not evaluated. */
  baseUrlGiven?: boolean;
}

interface Use {
  pointer: string;
  text: string;
  start: number;
  end: number;
  name: string;
}

function usesIn(value: unknown, pointer: string, namespace: 'env' | 'vars', out: Use[]): Use[] {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return out;
    for (const e of findExpressions(value)) {
      if (e.namespace === namespace && e.path[0]) out.push({ pointer, text: value, start: e.innerStart, end: e.innerEnd, name: e.path[0] });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => usesIn(item, joinPointer(pointer, i), namespace, out));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) usesIn(item, joinPointer(pointer, key), namespace, out);
  }
  return out;
}

/** The parts of the spec this plan evaluates, as [pointer, value] pairs. */
function evaluatedParts(plan: Plan, options: EnvironmentOptions): Array<[string, unknown]> {
  const { spec } = plan;
  const parts: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(spec.target)) {
    if (key === 'baseUrl' && options.baseUrlGiven) continue;
    parts.push([joinPointer('/target', key), value]);
  }
  const running = plan.scenarios.filter((s) => !s.skip);
  if (running.length === 0) return parts;
  for (const section of ['mapping', 'identities', 'groups', 'roles'] as const) {
    if (spec[section] !== undefined) parts.push([`/${section}`, spec[section]]);
  }
  for (const scenario of running) {
    const body = scenario.lifecycle ?? scenario.negative ?? scenario.concurrency;
    if (body) parts.push([scenario.pointer, body]);
  }
  return parts;
}

export function missingEnvironment(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
  options: EnvironmentOptions = {},
): Diagnostic[] {
  const parts = evaluatedParts(plan, options);
  // Variables count where something evaluated uses them (and variables may use variables' env).
  const usedVars = new Set(parts.flatMap(([pointer, value]) => usesIn(value, pointer, 'vars', []).map((u) => u.name)));
  for (const name of usedVars) {
    const value = plan.spec.variables?.[name];
    if (value !== undefined) parts.push([joinPointer('/variables', name), value]);
  }
  const out: Diagnostic[] = [];
  for (const [pointer, value] of parts) {
    for (const use of usesIn(value, pointer, 'env', [])) {
      if (env[use.name] !== undefined) continue;
      const location = locate(plan.document, use.pointer);
      const span = location ? innerSpan(plan.document, location.value, use.text, use.start, use.end) : { start: 0, end: 0 };
      out.push({
        range: spanToRange(plan.document, span),
        severity: 'error',
        code: 'unset-env',
        message:
          `The environment variable ${use.name} is not set, and this run needs it here ` +
          `(${use.pointer}). Set it (or put it in an env file) and run again; nothing was sent.`,
        data: { pointer: use.pointer },
      });
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
