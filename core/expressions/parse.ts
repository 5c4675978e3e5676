// `${{ namespace.name }}` interpolation: the one expression form the format has.
// Parsing is shared by validation (references, contexts) and, later, by the runner.

export type ExpressionNamespace = 'env' | 'vars' | 'identity' | 'user' | 'run' | 'scenario' | 'groups';
export const EXPRESSION_NAMESPACES: readonly ExpressionNamespace[] = ['env', 'vars', 'identity', 'user', 'run', 'scenario', 'groups'];

/** The properties a namespace has when they are fixed (the others are open: env, vars, identity, groups). */
export const FIXED_PROPERTIES: Partial<Record<ExpressionNamespace, readonly string[]>> = {
  user: ['id', 'userName', 'externalId'],
  run: ['id'],
  scenario: ['name'],
};

export interface Expression {
  /** Offsets of `${{` and one past `}}` within the string. */
  start: number;
  end: number;
  /** The trimmed inner text. */
  source: string;
  /** Offsets of the inner text (trimmed) within the string. */
  innerStart: number;
  innerEnd: number;
  namespace?: string;
  /** Dotted path after the namespace, e.g. `['email']` or `['Engineering', 'id']`. */
  path: string[];
  /** Why it does not parse, if it does not. */
  error?: string;
}

const PATH = /^([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)$/;

/** Every `${{ … }}` in a string, parsed; an unterminated one is reported with an error. */
export function findExpressions(text: string): Expression[] {
  const found: Expression[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${{', from);
    if (start < 0) return found;
    const close = text.indexOf('}}', start + 3);
    if (close < 0) {
      found.push({
        start,
        end: text.length,
        source: text.slice(start + 3).trim(),
        innerStart: start + 3,
        innerEnd: text.length,
        path: [],
        error: 'is not closed with "}}"',
      });
      return found;
    }
    const raw = text.slice(start + 3, close);
    const lead = raw.length - raw.trimStart().length;
    const source = raw.trim();
    const expression: Expression = {
      start,
      end: close + 2,
      source,
      innerStart: start + 3 + lead,
      innerEnd: start + 3 + lead + source.length,
      path: [],
    };
    const match = PATH.exec(source);
    if (source === '') expression.error = 'is empty';
    else if (!match) expression.error = `"${source}" is not of the form namespace.name (e.g. identity.email, env.SCIM_TOKEN)`;
    else {
      expression.namespace = match[1];
      expression.path = match[2] ? match[2].slice(1).split('.') : [];
    }
    found.push(expression);
    from = close + 2;
  }
}

/** True when the whole string is one expression, so its value keeps its type (a number stays a number). */
export function isWholeExpression(text: string): boolean {
  const list = findExpressions(text);
  return list.length === 1 && list[0]!.start === 0 && list[0]!.end === text.length;
}
