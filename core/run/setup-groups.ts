// The groups a spec declares exist on the target for the run: created with a run-scoped name
// (and recorded for cleanup), or, with `create: false`, found by their display name and left
// alone afterwards.
import type { ScenarioContext } from './context.ts';
import { joinPointer } from '../document/index.ts';
import { idOf, listResources, statusCheck } from './protocol.ts';
import { getKey } from '../scim/resource.ts';

export async function setUpGroups(ctx: ScenarioContext): Promise<void> {
  for (const [name, group] of Object.entries(ctx.run.spec.groups ?? {})) {
    const range = ctx.range(joinPointer('/groups', name));
    const displayName = group.displayName ?? name;
    if (group.create === false) {
      const exchange = await ctx.send(ctx.dialect.lookupGroup(displayName), 'groups');
      const found = exchange.status === 200 ? listResources(exchange) : undefined;
      const id = found?.length === 1 ? getKey(found[0], 'id') : undefined;
      if (typeof id === 'string') {
        ctx.run.groups.set(name, { name, id, displayName });
        ctx.verdict('group.setup', `group.${name}`, `group ${displayName} exists`, range, 'pass', { evidence: [exchange] });
      } else {
        const why = found
          ? `${found.length} groups are named ${JSON.stringify(displayName)} (expected exactly one)`
          : `the lookup failed (${exchange.error ?? exchange.status})`;
        const check = ctx.check('group.setup', `group.${name}`, `group ${displayName} exists`, range, found ? 'fail' : 'error', {
          message: why,
          evidence: [exchange],
        });
        ctx.run.groupProblems.set(name, {
          message: `group ${name} was not found on the target: ${why}`,
          check: `setup.groups › ${check.id}`,
        });
      }
      continue;
    }
    const runName = `${displayName} ps-${ctx.run.runId}`;
    const exchange = await ctx.send(
      ctx.dialect.createGroup(runName, group.externalId ? `${group.externalId}-${ctx.run.runId}` : undefined),
      'groups',
    );
    const id = exchange.status === 201 ? idOf(exchange) : undefined;
    if (id) ctx.run.ledger.created('Group', id, runName, 'setup');
    const check = statusCheck(ctx, exchange, [201], 'group.setup', `group.${name}`, `group ${name} is created`, range);
    if (check.status === 'pass' && id) {
      ctx.run.groups.set(name, { name, id, displayName: runName });
    } else {
      ctx.run.groupProblems.set(name, {
        message: `group ${name} could not be created on the target (${exchange.error ?? `status ${exchange.status}`})`,
        check: `setup.groups › ${check.id}`,
      });
    }
  }
}
