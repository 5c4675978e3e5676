// The users the paging and membership checks need: many run-scoped copies of the spec's first
// identity, each its own person to the server (its own userName, externalId and emails, carrying
// the scenario's tag and a number), so a filter on their common userName prefix finds exactly
// them and nobody else's. Entra's validation pages with count=5 over at least 11 users; a group
// of 50 members is where servers that keep members in a bounded list start losing them.
import type { Suite } from './suite.ts';
import { commonPrefix, mapLimited } from './suite.ts';
import { buildUser, getKey, type Resource } from '../../scim/resource.ts';
import { mappedValues, scenarioIdentity } from '../identity.ts';
import { idOf, statusCheck } from '../protocol.ts';
import type { CheckResult } from '../result.ts';

export interface PoolUser {
  id: string;
  userName: string;
}

export interface Pool {
  users: PoolUser[];
  /** What every pool userName starts with, and no other resource's does (it holds the run's tag). */
  prefix: string;
}

/** Creates `size` users; a failed create is reported once and returned for dependants to block on. */
export async function createPool(suite: Suite, size: number, label: string, identityName?: string): Promise<Pool | CheckResult> {
  const { ctx } = suite;
  const bodies = Array.from({ length: size }, (_, i) => userBody(suite, `${label}${String(i + 1).padStart(2, '0')}`, identityName));
  const userNames = bodies.map((b) => b['userName']);
  if (!userNames.every((u): u is string => typeof u === 'string') || new Set(userNames).size !== size) {
    return suite.skipped(
      'user.create',
      `${label}.pool`,
      `${size} run-scoped users are created`,
      'the mapping does not give each test user its own userName (map userName from an identity attribute, which runs tag)',
    );
  }
  const prefix = commonPrefix(userNames);
  if (!prefix.includes(suite.tag)) {
    return suite.skipped(
      'user.create',
      `${label}.pool`,
      `${size} run-scoped users are created`,
      `the test users' userNames share no run-scoped prefix ("${prefix}"), so no filter can find exactly them`,
    );
  }
  let failed: CheckResult | undefined;
  // Four at a time: quick against a local server, gentle with a rate-limited one.
  const made = await mapLimited(bodies, 4, async (body, i) => {
    if (failed || ctx.signal.aborted) return undefined;
    const created = await ctx.send({ method: 'POST', url: '/Users', body }, `${label}.pool`);
    const id = created.status === 201 ? idOf(created) : undefined;
    if (id) return { id, userName: String(getKey(created.json, 'userName') ?? userNames[i]) };
    failed ??= statusCheck(ctx, created, [201], 'user.create', `${label}.pool`, `${size} run-scoped users are created`, suite.range);
    if (failed.status === 'pass') {
      failed = suite.check('user.create.identifiable', `${label}.pool.id`, 'a create names the new user', false, 'the 201 names no id', {
        evidence: [created],
      });
    }
    return undefined;
  });
  if (failed) return failed;
  const users = made.filter((u): u is PoolUser => u !== undefined);
  if (users.length !== size) {
    return suite.ctx.check('run.completes', `${label}.pool`, `${size} run-scoped users are created`, suite.range, 'error', {
      message: 'the scenario stopped before every test user was created',
    });
  }
  return { users, prefix };
}

/** A run-scoped user body of its own (every unique value tagged with `label`), as the pool's are built. */
export function userBody(suite: Suite, label: string, identityName?: string): Resource {
  const { ctx } = suite;
  const name = identityName ?? Object.keys(ctx.run.spec.identities)[0];
  const identity = ctx.run.spec.identities[name ?? ''] ?? {};
  return buildUser(mappedValues(ctx.run.spec, ctx.scope({ identity: scenarioIdentity(identity, suite.tagged, `${suite.tag}-${label}`) })));
}

export function isPool(value: Pool | CheckResult): value is Pool {
  return 'users' in value;
}
