// deprovision: the dialect's way of removing a leaver. A DELETE must answer 204 and leave
// nothing behind (404 by id, absent from filters); dialects that never delete (Okta)
// deactivate instead, and the account must then stay readable and inactive.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { expectStatus } from '../protocol.ts';
import { findByUserName, storedUserName } from './verify.ts';
import { setActive } from './active.ts';
import type { Offboarding } from '../../spec/types.ts';
import { CORE_USER_URN, STANDARD_SCHEMAS, extensionSchemas, resolveAttributePath } from '../../scim-schema/index.ts';
import { getKey, getPath, type Resource } from '../../scim/resource.ts';
import { joinPointer } from '../../document/index.ts';

/** The offboarding a scenario declares (its own or the spec's), and where, for the checks' ranges. */
export interface DeclaredOffboarding extends Offboarding {
  pointer: string;
}

export async function deprovision(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  offboarding?: DeclaredOffboarding,
): Promise<void> {
  if (!state.id) return;
  noteWhatTheLeaverHeld(state);
  // An IdP that never deletes (Okta) deactivates whatever the app would prefer.
  if (ctx.dialect.deprovision === 'deactivate' || offboarding?.mode === 'deactivate') {
    const before = state.current;
    await setActive(ctx, state, step, false);
    state.deprovisioned = 'deactivated';
    if (offboarding?.keep) verifyKept(ctx, state, step, before, offboarding);
    return;
  }
  const exchange = await ctx.send(ctx.dialect.deleteUser(state.id), step.label);
  if (exchange.status === 204 || exchange.status === 200 || exchange.status === 404)
    ctx.run.ledger.removed('User', state.id, ctx.name, ctx.audit(step.label));
  if (!expectStatus(ctx, exchange, [204], 'user.delete', `${step.label}.deleted`, 'the DELETE answers 204 No Content', step.range)) {
    if (exchange.status !== 200) return;
  }
  state.exists = false;
  state.deprovisioned = 'deleted';
  await verifyGone(ctx, state, step);
}

export async function verifyGone(ctx: ScenarioContext, state: UserState, step: StepInfo): Promise<void> {
  const read = await ctx.send({ method: 'GET', url: `/Users/${state.id}` }, step.label);
  expectStatus(ctx, read, [404], 'user.deleted', `${step.label}.gone`, 'the deleted user is gone (404 by id)', step.range);
  const userName = storedUserName(state);
  if (userName) {
    const { ids, exchange, filter } = await findByUserName(ctx, userName, step.label);
    const found = ids?.includes(state.id!) ?? false;
    ctx.verdict(
      'user.deleted',
      `${step.label}.gone.filter`,
      'the deleted user is absent from filters',
      step.range,
      ids ? (found ? 'fail' : 'pass') : 'error',
      {
        message: !ids
          ? `the filter request failed (${exchange.error ?? exchange.status})`
          : found
            ? `the filter ${filter} still finds the deleted user ${state.id}`
            : '',
        evidence: [exchange],
      },
    );
  }
}

/** The groups, roles and entitlements the leaver held, for a rehire to be held against. */
function noteWhatTheLeaverHeld(state: UserState): void {
  const values = (attribute: string) => {
    const list = getKey(state.current, attribute);
    return Array.isArray(list) ? list.map((e) => getKey(e, 'value')).filter((v): v is string => typeof v === 'string') : [];
  };
  state.left = { id: state.id!, groups: new Set(state.groups), roles: values('roles'), entitlements: values('entitlements') };
}

/**
 * offboarding.keep: each attribute the deactivated account must still hold as it was before
 * (compliance keeps a leaver's history): compared with the read before the deactivation.
 */
function verifyKept(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  before: Resource | undefined,
  offboarding: DeclaredOffboarding,
): void {
  const after = state.current;
  const schemas = [...STANDARD_SCHEMAS, ...extensionSchemas(ctx.run.spec.extensions as never, 'User')];
  for (const [i, path] of (offboarding.keep ?? []).entries()) {
    const range = ctx.range(joinPointer(joinPointer(offboarding.pointer, 'keep'), i), 'value');
    const id = `${step.label}.keep.${path}`;
    const title = `the deactivated account keeps ${path}`;
    const resolved = resolveAttributePath(path, schemas, CORE_USER_URN);
    if (!resolved.ok) continue; // reported by validation
    const blocker = state.writeFailure ?? state.unreadable;
    if (blocker && (!after || after === before)) {
      ctx.blocked('offboarding.keep', id, title, range, blocker, `the account could not be deactivated and read back`);
      continue;
    }
    const was = before ? getPath(before, resolved) : undefined;
    if (was === undefined) {
      ctx.verdict('offboarding.keep', id, title, range, 'skipped', {
        message: `the account held no ${path} before the leaver was offboarded, so there was nothing to keep`,
      });
      continue;
    }
    const now = after ? getPath(after, resolved) : undefined;
    const kept = JSON.stringify(now) === JSON.stringify(was);
    const check = ctx.check('offboarding.keep', id, title, range, kept ? 'pass' : 'fail', {
      message: kept
        ? ''
        : now === undefined
          ? `after the deactivation (step ${step.index + 1}), the account no longer holds ${path} (it held ${JSON.stringify(was)})`
          : `after the deactivation (step ${step.index + 1}), ${path} is ${JSON.stringify(now)}, but it was ${JSON.stringify(was)}`,
      expected: was,
      actual: now ?? null,
      focus: [path],
    });
    if (!kept) (state.lostAtOffboarding ??= new Map()).set((resolved.parent ?? resolved.attribute).name.toLowerCase(), check);
  }
}
