// `${{ … }}` everywhere in the spec: syntax, namespaces allowed where they appear, references.
import { joinPointer } from '../../document/pointer.ts';
import { innerSpan, type RuleContext } from '../context.ts';
import {
  EXPRESSION_NAMESPACES,
  FIXED_PROPERTIES,
  findExpressions,
  type Expression,
  type ExpressionNamespace,
} from '../../expressions/parse.ts';
import { didYouMean, suggest, suggester } from '../suggest.ts';

const EVERYWHERE: ExpressionNamespace[] = ['env', 'vars'];

/** Which namespaces mean something at a place in the spec, and why the others do not. */
function namespacesAt(pointer: string): { allowed: ExpressionNamespace[]; where: string } {
  const [section = '', scenario, sub] = pointer.split('/').slice(1);
  switch (section) {
    case 'variables':
      return { allowed: ['env'], where: 'variables' };
    case 'target':
      return { allowed: EVERYWHERE, where: 'target' };
    case 'extensions':
      return { allowed: [], where: 'extensions' };
    case 'mapping':
      return { allowed: [...EVERYWHERE, 'identity', 'run'], where: 'mapping' };
    case 'identities':
      return { allowed: [...EVERYWHERE, 'run'], where: 'identities' };
    case 'groups':
      return { allowed: [...EVERYWHERE, 'run'], where: 'groups' };
    case 'roles':
      return { allowed: EVERYWHERE, where: 'role rules' };
    case 'federation':
      // The claims are asserted per identity; the rest (client, URLs) is the app's configuration.
      if (scenario === 'claims') return { allowed: [...EVERYWHERE, 'identity', 'run'], where: 'federation claims' };
      return { allowed: EVERYWHERE, where: 'federation settings' };
    case 'negative':
      return { allowed: [...EVERYWHERE, 'identity', 'run', 'scenario', 'groups'], where: 'negative cases' };
    case 'concurrency':
      return { allowed: [...EVERYWHERE, 'run', 'scenario'], where: 'concurrency cases' };
    case 'lifecycle':
      if (scenario !== undefined && sub === 'steps') return { allowed: [...EXPRESSION_NAMESPACES], where: 'steps' };
      return { allowed: EVERYWHERE, where: 'scenario settings' };
    default:
      return { allowed: [...EVERYWHERE, 'run'], where: section || 'the spec' };
  }
}

const WHY: Record<ExpressionNamespace, string> = {
  env: 'environment variables',
  vars: "the spec's variables",
  identity: 'the identity being provisioned, known in mapping, negative cases and steps',
  user: 'the user the target created, known only in lifecycle steps',
  run: 'the run, known outside target and role rules',
  scenario: 'the running scenario, known in scenarios',
  groups: 'groups the run pushed, known in steps and negative cases',
};

/**
 * What every expression is checked against, made once per validation: a spec with thousands of
 * expressions and variables must not search the lists (or rank suggestions against them) once
 * per expression.
 */
interface Names {
  variables: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  suggestVariable: (name: string) => string[];
  suggestGroup: (name: string) => string[];
  suggestAttribute: (name: string) => string[];
}

export function checkExpressions(ctx: RuleContext): void {
  const names: Names = {
    variables: new Set(ctx.variableNames),
    groups: new Set(ctx.groupNames),
    suggestVariable: suggester(ctx.variableNames),
    suggestGroup: suggester(ctx.groupNames),
    suggestAttribute: suggester(ctx.identityAttributes),
  };
  // The path is kept as tokens and joined into a pointer only for a string with an expression:
  // most of a big spec has none, and building a pointer per value was most of this rule's time.
  const path: Array<string | number> = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.includes('${{')) {
        const pointer = path.reduce<string>((p, token) => joinPointer(p, token), '');
        for (const e of findExpressions(value)) checkOne(ctx, names, pointer, value, e);
      }
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i]);
        path.pop();
      }
    } else if (value !== null && typeof value === 'object') {
      for (const k in value) {
        path.push(k);
        visit((value as Record<string, unknown>)[k]);
        path.pop();
      }
    }
  };
  visit(ctx.spec);
}

function checkOne(ctx: RuleContext, names: Names, pointer: string, text: string, e: Expression): void {
  const location = ctx.doc.locations.get(pointer);
  if (!location) return;
  const whole = innerSpan(ctx.doc, location.value, text, e.start, e.end);
  const inner = innerSpan(ctx.doc, location.value, text, e.innerStart, e.innerEnd);
  const error = (code: string, message: string, data?: Parameters<typeof ctx.report.atSpan>[4], span = inner) =>
    ctx.report.atSpan(span, 'error', code, message, data ? { ...data, pointer } : { pointer });

  if (e.error) return error('invalid-expression', `Expression \${{ ${e.source} }} ${e.error}.`, undefined, whole);
  const ns = e.namespace!;
  if (!(EXPRESSION_NAMESPACES as readonly string[]).includes(ns)) {
    const suggestions = suggest(ns, EXPRESSION_NAMESPACES).map((s) => [s, ...e.path].join('.'));
    return error(
      'unknown-expression-namespace',
      `Unknown expression namespace "${ns}".${didYouMean(suggestions)} Known: ${EXPRESSION_NAMESPACES.join(', ')}.`,
      { suggestions },
    );
  }
  const namespace = ns as ExpressionNamespace;
  const { allowed, where } = namespacesAt(pointer);
  if (!allowed.includes(namespace)) {
    return error('expression-out-of-context', `"${namespace}" cannot be used in ${where}: it refers to ${WHY[namespace]}.`);
  }
  const [first, ...rest] = e.path;
  if (first === undefined)
    return error(
      'invalid-expression',
      `Expression \${{ ${e.source} }} needs a name after "${namespace}." ` +
        `(e.g. ${namespace}.${FIXED_PROPERTIES[namespace]?.[0] ?? 'NAME'}).`,
    );

  const fixed = FIXED_PROPERTIES[namespace];
  if (fixed) {
    if (!fixed.includes(first) || rest.length) {
      const suggestions = suggest(first, fixed).map((s) => `${namespace}.${s}`);
      return error(
        'unknown-expression-property',
        `"${namespace}" has no property "${e.path.join('.')}".${didYouMean(suggestions)} ` +
          `Known: ${fixed.map((f) => `${namespace}.${f}`).join(', ')}.`,
        { suggestions },
      );
    }
    return;
  }
  if (namespace === 'groups') {
    if (!names.groups.has(first)) {
      const suggestions = names.suggestGroup(first).map((s) => `groups.${[s, ...rest].join('.')}`);
      return error('unknown-group', `Unknown group "${first}".${didYouMean(suggestions)}`, {
        suggestions,
        undeclared: { kind: 'group', name: first },
      });
    }
    if (rest.length !== 1 || !['id', 'displayName'].includes(rest[0]!)) {
      return error('unknown-expression-property', `Use groups.${first}.id or groups.${first}.displayName.`);
    }
    return;
  }
  if (rest.length) return error('invalid-expression', `"${namespace}.${first}" has no properties; write \${{ ${namespace}.${first} }}.`);
  if (namespace === 'vars' && !names.variables.has(first)) {
    const suggestions = names.suggestVariable(first).map((s) => `vars.${s}`);
    return error('unknown-variable', `Unknown variable "${first}".${didYouMean(suggestions)} Declare it under "variables".`, {
      suggestions,
      undeclared: { kind: 'variable', name: first },
    });
  }
  if (namespace === 'identity' && !ctx.identityAttributes.has(first)) {
    const suggestions = names.suggestAttribute(first).map((s) => `identity.${s}`);
    return error('unknown-identity-attribute', `No identity has an attribute "${first}".${didYouMean(suggestions)}`, { suggestions });
  }
}
