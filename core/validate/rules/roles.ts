// Role rules: conditions on attributes identities really have, and rules that can be satisfied.
import { joinPointer } from '../../document/pointer.ts';
import { arr, entries, obj, str, type RuleContext } from '../context.ts';
import { didYouMean, suggester } from '../suggest.ts';

export function checkRoles(ctx: RuleContext): void {
  const rules = arr(ctx.spec['roles']);
  const suggestAttribute = suggester(ctx.identityAttributes);
  rules.forEach((rule, i) => {
    const base = joinPointer('/roles', i);
    for (const [attribute] of entries(obj(rule)?.['when'])) {
      if (ctx.identityAttributes.has(attribute)) continue;
      const suggestions = suggestAttribute(attribute);
      ctx.report.at(
        joinPointer(joinPointer(base, 'when'), attribute),
        'key',
        'error',
        'unknown-identity-attribute',
        `Role rule condition on "${attribute}", which no identity has: the rule can never apply.${didYouMean(suggestions)}`,
        { suggestions },
      );
    }
    const memberOf = arr(obj(rule)?.['memberOf']).map(str);
    arr(obj(rule)?.['notMemberOf']).forEach((group, j) => {
      if (typeof group === 'string' && memberOf.includes(group)) {
        ctx.report.at(
          joinPointer(joinPointer(base, 'notMemberOf'), j),
          'value',
          'error',
          'contradictory-role-rule',
          `Group "${group}" is in both memberOf and notMemberOf of this rule.`,
        );
      }
    });
  });

  // Two rules that both apply to some identity and disagree on a group cannot both hold.
  for (const [name, identity] of entries(ctx.spec['identities'])) {
    const applying = rules
      .map((rule, index) => ({ rule: obj(rule), index }))
      .filter(({ rule }) => rule && matches(obj(rule['when']), obj(identity) ?? {}));
    for (const { rule, index } of applying) {
      arr(rule?.['notMemberOf']).forEach((group, j) => {
        const other = applying.find(({ rule: r }) => arr(r?.['memberOf']).includes(group));
        if (!other || other.index === index) return;
        ctx.report.at(
          joinPointer(joinPointer(joinPointer('/roles', index), 'notMemberOf'), j),
          'value',
          'error',
          'contradictory-role-rule',
          `Identity "${name}" matches this rule and rule ${other.index + 1}, which require it both in and out of group "${String(group)}".`,
        );
      });
    }
  }
}

/** Whether an identity satisfies a rule's condition (no condition: every identity). */
export function matches(when: Record<string, unknown> | undefined, identity: Record<string, unknown>): boolean {
  if (!when) return true;
  return Object.entries(when).every(([key, expected]) => {
    const actual = identity[key];
    const options = Array.isArray(expected) ? expected : [expected];
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((v) => options.some((o) => o === v || (o === null && v === undefined)));
  });
}
