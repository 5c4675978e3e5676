// The part of the rfc7644 suite that needs many resources of its own: 52 run-scoped users (more
// than ten pages of five, a group of 51 members, and a few to spare for single-user checks) and
// the groups it makes. What needs PATCH runs only where the server offers PATCH; where it says it
// does not, a PATCH must be refused the RFC way (501), and that is all that is asked of it.
import type { Suite } from './suite.ts';
import type { Declared } from './declared.ts';
import { advertised } from './declared.ts';
import { createPool, isPool, userBody } from './pool.ts';
import { createPagingGroups, pagingChecks, userCollection } from './paging.ts';
import { advertisedFeatureChecks, configChecks, filterOperatorChecks } from './features.ts';
import { createMemberGroup, memberSteps, membershipChecks } from './members.ts';
import { displayNameFilterChecks, groupNegativeChecks, projectionChecks } from './groups.ts';
import { clearingChecks } from './clearing.ts';
import { managerChecks } from './manager.ts';
import {
  immutableCheck,
  passwordCheck,
  patchAtomicCheck,
  putReplacesChecks,
  putUnknownCheck,
  renameCheck,
  unknownAttributeCheck,
} from './users.ts';
import { patch } from '../../scim/dialects/base.ts';
import { statusCheck } from '../protocol.ts';

export const POOL_SIZE = 52;
const PAGING_GROUPS = 11;

/**
 * Runs the pool's checks; returns the group removal checks, which the suite runs after its own
 * user's removal (a server that answers DELETE wrongly answers both the same way).
 */
export async function poolChecks(
  suite: Suite,
  declared: Declared,
  user: { id: string; full: Record<string, unknown> },
): Promise<(() => Promise<void>) | undefined> {
  const pool = await createPool(suite, POOL_SIZE, 'm');
  if (!isPool(pool)) return undefined;
  const users = userCollection(
    pool.prefix,
    pool.users.map((u) => u.id),
  );
  const groups = await createPagingGroups(suite, PAGING_GROUPS);
  await pagingChecks(suite, 'ids' in groups ? [users, groups] : [users]);
  await filterOperatorChecks(suite, pool);
  await advertisedFeatureChecks(suite, pool, declared, user);
  await configChecks(suite, pool, declared);
  await putUnknownCheck(suite, userBody(suite, 'put'));
  await passwordCheck(suite, userBody(suite, 'pw'));
  await unknownAttributeCheck(suite, userBody(suite, 'ua'));

  if (advertised(declared, 'patch') === false) {
    const sent = await suite.ctx.send(
      patch(`/Users/${encodeURIComponent(user.id)}`, [{ op: 'replace', path: 'title', value: 'x' }]),
      'patch',
    );
    statusCheck(
      suite.ctx,
      sent,
      [501],
      'discovery.patch-denied',
      'discovery.patch-denied',
      'with patch.supported false, a PATCH is refused with 501',
      suite.range,
    );
    suite.skipped(
      'group.members.add',
      'members',
      'group membership, projection, clearing, manager and rename checks',
      'the server says patch.supported false, and every one of them needs PATCH',
    );
    return undefined;
  }

  const group = await createMemberGroup(suite, `provspec members ${suite.tag}`);
  if ('members' in group) {
    const steps = memberSteps(suite, group, pool);
    await membershipChecks(suite, group, steps.slice(0, 2));
    await projectionChecks(suite, group, user, declared);
    await membershipChecks(suite, group, steps.slice(2));
    await displayNameFilterChecks(suite, group, declared);
  }
  const [subject, manager, renamed, nulled, removed, element] = pool.users.slice(POOL_SIZE - 6);
  await putReplacesChecks(suite, subject!, declared);
  await immutableCheck(suite, declared);
  await patchAtomicCheck(suite);
  await clearingChecks(suite, [nulled!, removed!, element!], declared);
  await managerChecks(suite, subject!, manager!, declared);
  await renameCheck(suite, renamed!, declared);
  return 'members' in group ? () => groupNegativeChecks(suite, group, declared) : undefined;
}
