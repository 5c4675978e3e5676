// atomic-update: a change sent as a multi-operation PATCH whose last operation is invalid. A
// PATCH is all or nothing (RFC 7644 §3.5.2): the server must refuse it whole and leave the user
// as it was, attribute by attribute, against a read-back taken just before. A server that keeps
// the valid operations half-applies every update an IdP sends alongside one it cannot take.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import type { IdentityValue } from '../../spec/types.ts';
import { patch } from '../../scim/dialects/base.ts';
import { diffResources } from '../audit-diff.ts';
import { changedMapping } from './update.ts';
import { readUser } from './verify.ts';

/** An operation every server must refuse: `active` is a boolean (RFC 7643 §4.1.1), not an object. */
const INVALID_OPERATION = { op: 'replace', path: 'active', value: { not: 'a boolean' } };

export async function atomicUpdate(
  ctx: ScenarioContext,
  state: UserState,
  step: StepInfo,
  changes: Record<string, IdentityValue>,
): Promise<void> {
  if (!state.id) return;
  const title = 'the PATCH with an invalid operation changes nothing: the valid ones before it are not kept';
  const { next, changed } = changedMapping(ctx, state, changes);
  const shown = await readUser(ctx, state, { ...step, label: `${step.label}.before` });
  if (!shown?.resource) return; // the read's own check failed
  const url = `/Users/${encodeURIComponent(state.id)}`;
  const operations = [...changed.map((v) => ({ op: 'replace', path: v.path, value: v.value })), INVALID_OPERATION];
  const sent = await ctx.send(patch(url, operations), step.label);
  if (sent.status === undefined) {
    ctx.verdict('patch.atomic', `${step.label}.atomic`, title, step.range, 'error', {
      message: `the PATCH got no answer (${sent.error ?? 'no status'})`,
      evidence: [sent],
    });
    return;
  }
  const after = await readUser(ctx, state, step);
  if (sent.status < 300) {
    // The server took the invalid operation: nothing failed, so atomicity was not put to the test.
    // What it did apply is the source's now.
    state.identity = next;
    ctx.verdict('patch.atomic', `${step.label}.atomic`, title, step.range, 'skipped', {
      message: `the server accepted active set to an object (${sent.status}): no operation failed`,
      evidence: [sent],
    });
    return;
  }
  if (!after?.resource) return;
  const kept = diffResources(shown.resource, after.resource);
  ctx.verdict('patch.atomic', `${step.label}.atomic`, title, step.range, kept.length ? 'fail' : 'pass', {
    message: kept.length
      ? `the PATCH was refused (${sent.status}), yet the user changed: ` +
        kept.map((c) => `${c.attribute} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join('; ')
      : '',
    expected: 'unchanged',
    actual: kept.length ? kept : 'unchanged',
    focus: kept.map((c) => c.attribute),
    evidence: [shown.exchange, sent, after.exchange],
  });
}
