// Evaluating `${{ namespace.path }}` at run time. Parsing is shared with validation
// (validate/expressions.ts); a string that is one whole expression keeps the value's type.
import { findExpressions } from './parse.ts';

export interface ExpressionScope {
  env: Readonly<Record<string, string | undefined>>;
  vars: Readonly<Record<string, unknown>>;
  identity?: Readonly<Record<string, unknown>>;
  user?: { id?: string; userName?: string; externalId?: string };
  run: { id: string };
  scenario?: { name: string };
  groups?: Readonly<Record<string, { id?: string; displayName?: string }>>;
}

export class ExpressionError extends Error {
  readonly expression: string;
  constructor(expression: string, message: string) {
    super(message);
    this.expression = expression;
  }
}

function lookup(scope: ExpressionScope, namespace: string, path: readonly string[], source: string): unknown {
  const fail = (why: string) => new ExpressionError(source, `\${{ ${source} }} ${why}`);
  let current: unknown;
  switch (namespace) {
    case 'env': {
      const value = scope.env[path[0] ?? ''];
      if (value === undefined) throw fail(`needs the environment variable ${path[0]}, which is not set`);
      return value;
    }
    case 'vars':
      current = scope.vars;
      break;
    case 'identity':
      if (!scope.identity) throw fail('is only available inside a scenario');
      current = scope.identity;
      break;
    case 'user':
      if (!scope.user?.id) throw fail('needs a provisioned user; no step before it provisioned one');
      current = scope.user;
      break;
    case 'run':
      current = scope.run;
      break;
    case 'scenario':
      if (!scope.scenario) throw fail('is only available inside a scenario');
      current = scope.scenario;
      break;
    case 'groups':
      current = scope.groups ?? {};
      break;
    default:
      throw fail(`uses the unknown namespace "${namespace}"`);
  }
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(key in current)) {
      throw fail(namespace === 'groups' ? 'names a group that was not created or found on the target' : `has no value for "${key}"`);
    }
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined) throw fail('has no value');
  return current;
}

/** A string with expressions replaced; a whole-string expression returns the value itself. */
export function interpolate(text: string, scope: ExpressionScope): unknown {
  const expressions = findExpressions(text);
  if (expressions.length === 0) return text;
  for (const e of expressions)
    if (e.error || !e.namespace) throw new ExpressionError(e.source, `\${{ ${e.source} }} ${e.error ?? 'is not valid'}`);
  const only = expressions[0]!;
  if (expressions.length === 1 && only.start === 0 && only.end === text.length) {
    return lookup(scope, only.namespace!, only.path, only.source);
  }
  let out = '';
  let from = 0;
  for (const e of expressions) {
    out += text.slice(from, e.start);
    const value = lookup(scope, e.namespace!, e.path, e.source);
    out += typeof value === 'string' ? value : JSON.stringify(value);
    from = e.end;
  }
  return out + text.slice(from);
}

/** Interpolates every string inside a JSON-like value. */
export function interpolateDeep(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return interpolate(value, scope);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, scope));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, scope)]));
  }
  return value;
}
