// Group push, as the IdP does it: a group created under one name, then renamed in the IdP and the
// new name pushed in that IdP's shape (Okta's path-less replace carrying id and displayName,
// Entra's capitalised Replace). The target must keep the id and show the new name.
import type { ScenarioContext } from '../context.ts';
import { effectCheck, expectStatus, idOf } from '../protocol.ts';
import { getKey } from '../../scim/resource.ts';

export async function groupPushRename(ctx: ScenarioContext, tag: string): Promise<void> {
  const range = ctx.planned.range;
  const original = `provspec push ${tag}`;
  const renamed = `${original} renamed`;
  const created = await ctx.send(ctx.dialect.createGroup(original, undefined), 'group-push');
  const id = created.status === 201 ? idOf(created) : undefined;
  if (id) ctx.run.ledger.created('Group', id, original, ctx.name);
  if (!expectStatus(ctx, created, [201], 'group.setup', 'group-push.create', 'a pushed group is created', range) || !id) return;
  const rename = await ctx.send(ctx.dialect.renameGroup(id, renamed), 'group-push');
  if (!expectStatus(ctx, rename, [200, 204], 'group.rename', 'group-push.rename', 'a pushed rename is accepted', range)) return;
  ctx.run.ledger.changed('Group', id, renamed, ctx.name);
  const read = await ctx.send({ method: 'GET', url: `/Groups/${encodeURIComponent(id)}?excludedAttributes=members` }, 'group-push');
  const actual = read.status === 200 ? getKey(read.json, 'displayName') : undefined;
  const title = 'the renamed group reads back, same id, with its new name';
  const message =
    read.status === 200
      ? `GET /Groups/${id} shows displayName ${JSON.stringify(actual ?? null)}`
      : `GET /Groups/${id} answered ${read.status ?? read.error}`;
  effectCheck(
    ctx,
    rename,
    actual === renamed,
    () =>
      ctx.check('group.rename', 'group-push.renamed', title, range, actual === renamed ? 'pass' : 'fail', {
        message: actual === renamed ? '' : message,
        expected: renamed,
        actual: actual ?? null,
        evidence: [rename, read],
      }),
    (by) =>
      ctx.blocked('group.rename', 'group-push.renamed', title, range, by, `${message}: the server ignored a write of this shape before`, [
        rename,
        read,
      ]),
  );
}
