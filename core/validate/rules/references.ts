// Names that point at declarations: identities and groups.
import { joinPointer } from '../../document/pointer.ts';
import { arr, entries, forEachString, obj, str, type RuleContext } from '../context.ts';
import { didYouMean, suggest, suggester } from '../suggest.ts';
import { stepKind } from '../../spec/types.ts';

export function checkReferences(ctx: RuleContext): void {
  const usedIdentities = new Set<string>();
  const usedGroups = new Set<string>();
  // Looked up once per reference: sets and a suggester, not a search of the lists each time.
  const identityNames = new Set(ctx.identityNames);
  const groupNames = new Set(ctx.groupNames);
  const suggestIdentity = suggester(ctx.identityNames);
  const suggestGroup = suggester(ctx.groupNames);
  // Pointers are built only for a reference that is wrong (`at` is called then): most are right.
  const identity = (at: () => string, value: unknown) => {
    const name = str(value);
    if (name === undefined) return;
    usedIdentities.add(name);
    if (identityNames.has(name)) return;
    const suggestions = suggestIdentity(name);
    const pointer = at();
    ctx.report.at(
      pointer,
      'value',
      'error',
      'unknown-identity',
      `Unknown identity "${name}".${didYouMean(suggestions)}` +
        `${ctx.identityNames.length ? ` Declared identities: ${ctx.identityNames.join(', ')}.` : ' No identities are declared.'}`,
      { suggestions, undeclared: { kind: 'identity', name }, pointer },
    );
  };
  const group = (at: () => string, value: unknown) => {
    const name = str(value);
    if (name === undefined) return;
    usedGroups.add(name);
    if (groupNames.has(name)) return;
    const suggestions = suggestGroup(name);
    const pointer = at();
    ctx.report.at(
      pointer,
      'value',
      'error',
      'unknown-group',
      `Unknown group "${name}".${didYouMean(suggestions)} Declare it under ` +
        `"groups"${ctx.groupNames.length ? ` (declared: ${ctx.groupNames.join(', ')})` : ''}.`,
      { suggestions, undeclared: { kind: 'group', name }, pointer },
    );
  };
  const groupList = (at: () => string, value: unknown) => arr(value).forEach((g, i) => group(() => joinPointer(at(), i), g));

  arr(ctx.spec['roles']).forEach((rule, i) => {
    const base = joinPointer('/roles', i);
    groupList(() => joinPointer(base, 'memberOf'), obj(rule)?.['memberOf']);
    groupList(() => joinPointer(base, 'notMemberOf'), obj(rule)?.['notMemberOf']);
  });

  const expectation = (at: () => string, value: unknown) => {
    groupList(() => joinPointer(at(), 'memberOf'), obj(value)?.['memberOf']);
    groupList(() => joinPointer(at(), 'notMemberOf'), obj(value)?.['notMemberOf']);
  };
  for (const [name, scenario] of entries(ctx.spec['lifecycle'])) {
    const base = () => joinPointer('/lifecycle', name);
    identity(() => joinPointer(base(), 'identity'), obj(scenario)?.['identity']);
    arr(obj(scenario)?.['steps']).forEach((step, i) => {
      const at = () => joinPointer(joinPointer(base(), 'steps'), i);
      const kind = stepKind(step);
      const body = obj(step)?.[kind ?? ''];
      if (kind === 'assign' || kind === 'unassign') groupList(() => joinPointer(at(), kind), body);
      if (kind === 'expect') expectation(() => joinPointer(at(), 'expect'), body);
      if (kind === 'eventually') expectation(() => joinPointer(joinPointer(at(), 'eventually'), 'expect'), obj(body)?.['expect']);
    });
  }
  for (const [name, negative] of entries(ctx.spec['negative'])) {
    identity(() => joinPointer(joinPointer('/negative', name), 'create'), obj(negative)?.['create']);
  }
  for (const [name, load] of entries(ctx.spec['load'])) {
    identity(() => joinPointer(joinPointer('/load', name), 'identity'), obj(load)?.['identity']);
  }
  for (const [name, race] of entries(ctx.spec['concurrency'])) {
    const base = joinPointer('/concurrency', name);
    identity(() => joinPointer(base, 'identity'), obj(race)?.['identity']);
    arr(obj(race)?.['identities']).forEach((id, i) => identity(() => joinPointer(joinPointer(base, 'identities'), i), id));
    group(() => joinPointer(base, 'group'), obj(race)?.['group']);
  }

  // Expressions may use groups too (`${{ groups.Engineering.id }}`); they are checked there,
  // but count as uses here.
  // Strings are walked rather than the spec stringified: on a 50,000-line spec that was a
  // megabyte string per validation, for the few strings that hold an expression.
  forEachString(ctx.spec, (text) => {
    if (text.includes('${{')) for (const match of text.matchAll(/\$\{\{\s*groups\.([A-Za-z][A-Za-z0-9_-]*)/g)) usedGroups.add(match[1]!);
  });

  const hasScenarios = ['lifecycle', 'negative', 'concurrency', 'load'].some((s) => entries(ctx.spec[s]).length > 0);
  if (hasScenarios) {
    for (const name of ctx.identityNames) {
      if (!usedIdentities.has(name)) {
        ctx.report.at(
          joinPointer('/identities', name),
          'key',
          'hint',
          'unused-identity',
          `Identity "${name}" is not used by any scenario.`,
        );
      }
    }
  }
  // runScoped names identity attributes: one no identity has is a typo, and would scope nothing.
  const attributes = new Set(entries(ctx.spec['identities']).flatMap(([, identity]) => Object.keys(obj(identity) ?? {})));
  for (const [name] of entries(ctx.spec['runScoped'])) {
    if (!attributes.has(name)) {
      const suggestions = didYouMean(suggest(name, attributes));
      ctx.report.at(
        joinPointer('/runScoped', name),
        'key',
        'warning',
        'unknown-identity-attribute',
        `No identity has an attribute "${name}", so this scopes nothing.${suggestions}`,
      );
    }
  }
  const rolesGroups = new Set(arr(ctx.spec['roles']).flatMap((r) => [...arr(obj(r)?.['memberOf']), ...arr(obj(r)?.['notMemberOf'])]));
  for (const name of ctx.groupNames) {
    if (!usedGroups.has(name) && !rolesGroups.has(name)) {
      ctx.report.at(
        joinPointer('/groups', name),
        'key',
        'hint',
        'unused-group',
        `Group "${name}" is not used by any role rule or scenario.`,
      );
    }
  }
}
