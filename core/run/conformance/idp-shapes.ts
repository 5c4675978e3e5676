// The `entra` and `okta` conformance suites: a full joiner → mover → leaver cycle for a
// run-scoped user, sent in exactly that IdP's request shapes (the scenario's dialect), with the
// same read-back checks as a spec's own lifecycle scenarios, then a group push and rename. A
// server that passes handles what that IdP really sends.
import type { ScenarioContext } from '../context.ts';
import type { LifecycleScenario, Step } from '../../spec/types.ts';
import { runLifecycle } from '../lifecycle/scenario.ts';
import { groupPushRename } from './group-push.ts';
import { findExpressions } from '../../expressions/parse.ts';

export async function idpShapesSuite(ctx: ScenarioContext, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const identity = Object.keys(ctx.run.spec.identities)[0];
  if (identity === undefined) return;
  const steps: Step[] = ['provision'];
  // A mover: change one mapped attribute that does not feed userName, externalId or displayName.
  const movable = mappedIdentityAttributes(ctx).find(
    (name) => !tagged.has(name) && typeof ctx.run.spec.identities[identity]?.[name] === 'string',
  );
  if (movable) steps.push({ update: { [movable]: `${String(ctx.run.spec.identities[identity]![movable])} (moved)` } });
  steps.push('deactivate', 'reactivate', 'deprovision');
  const scenario: LifecycleScenario = { identity, steps };
  await runLifecycle(ctx, scenario, tagged, tag);
  await groupPushRename(ctx, tag);
}

function mappedIdentityAttributes(ctx: ScenarioContext): string[] {
  const out: string[] = [];
  for (const rule of Object.values(ctx.run.spec.mapping)) {
    const text = typeof rule === 'object' ? rule.value : rule;
    if (typeof text !== 'string') continue;
    for (const e of findExpressions(text)) if (e.namespace === 'identity' && e.path[0] && !out.includes(e.path[0])) out.push(e.path[0]);
  }
  return out;
}
