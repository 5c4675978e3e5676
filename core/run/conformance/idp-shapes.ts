// The `entra` and `okta` conformance suites: a full joiner → mover → leaver cycle for a
// run-scoped user, sent in exactly that IdP's request shapes (the scenario's dialect), with the
// same read-back checks as a spec's own lifecycle scenarios, then a group push and rename, and
// group membership over 51 members in that IdP's shapes. A server that passes handles what that
// IdP really sends.
import type { ScenarioContext } from '../context.ts';
import type { LifecycleScenario, Step } from '../../spec/types.ts';
import { runLifecycle } from '../lifecycle/scenario.ts';
import { groupPushRename } from './group-push.ts';
import { findExpressions } from '../../expressions/parse.ts';
import { Suite } from './suite.ts';
import { readList, type Declared } from './declared.ts';
import { createPool, isPool, userBody } from './pool.ts';
import { createMemberGroup, memberSteps, membershipChecks } from './members.ts';
import { projectionChecks } from './groups.ts';
import { managerChecks } from './manager.ts';
import { stringBooleanCreateCheck } from './users.ts';

/** Members for a group of 51 and a manager pair. */
const POOL_SIZE = 53;

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
  await membershipInShape(ctx, tagged, tag);
}

/**
 * Group membership as this IdP changes it, over a group of 51 members; for Entra also its
 * manager shapes, its excludedAttributes=members group reads and its string booleans on create.
 */
async function membershipInShape(ctx: ScenarioContext, tagged: ReadonlySet<string>, tag: string): Promise<void> {
  const suite = new Suite(ctx, tagged, tag);
  const declared: Declared = {};
  for (const [path, key] of [
    ['/Schemas', 'schemas'],
    ['/ResourceTypes', 'resourceTypes'],
  ] as const) {
    const exchange = await ctx.send({ method: 'GET', url: path }, 'discovery');
    const list = readList(exchange);
    if (list) Object.assign(declared, { [key]: list, [`${key}Exchange`]: exchange });
  }
  const pool = await createPool(suite, POOL_SIZE, 'm');
  if (!isPool(pool)) return;
  const group = await createMemberGroup(suite, `provspec members ${tag}`);
  if ('members' in group) {
    const steps = memberSteps(suite, group, pool);
    await membershipChecks(suite, group, steps.slice(0, 2));
    if (ctx.planned.conformance === 'entra') {
      const [probe] = pool.users.slice(-1);
      const read = await ctx.send({ method: 'GET', url: `/Users/${encodeURIComponent(probe!.id)}` }, 'projection');
      await projectionChecks(suite, group, { id: probe!.id, full: (read.json as Record<string, unknown> | undefined) ?? {} }, declared);
    }
    await membershipChecks(suite, group, steps.slice(2));
  }
  if (ctx.planned.conformance !== 'entra') return;
  const [subject, manager] = pool.users.slice(POOL_SIZE - 2);
  await managerChecks(suite, subject!, manager!, declared);
  await stringBooleanCreateCheck(suite, userBody(suite, 'sb'));
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
