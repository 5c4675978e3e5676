// Cleanup: delete exactly what this run created and has not removed, newest first, with the
// runner's own plain DELETE (whatever the dialect: an Okta-style client never deletes, but
// provspec must leave nothing behind). Runs after failures, timeouts and interrupts alike.
//
// Creates that never got a definite answer are looked up first, by the run-scoped name they
// were sent with: what the server did make is removed like the rest; what cannot be looked up
// is reported as possibly left, by name.
import type { ScimClient } from '../scim/client.ts';
import type { Exchange } from '../scim/exchange.ts';
import { listResources } from './protocol.ts';
import type { CleanupLedger, UnconfirmedCreate } from './ledger.ts';
import type { AuditEntry } from './result.ts';

export async function cleanUp(client: ScimClient, ledger: CleanupLedger, timeoutMs: number, runId?: string): Promise<AuditEntry[]> {
  const left: AuditEntry[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  for (const create of ledger.unconfirmedCreates()) {
    const problem = await findUnconfirmed(client, ledger, create, runId, signal);
    if (problem) {
      const orphan: AuditEntry = {
        time: new Date().toISOString(),
        action: 'left',
        resourceType: create.resourceType,
        id: '',
        display: create.value,
        scenario: create.scenario,
        reason: problem,
        unconfirmed: true,
      };
      ledger.audit.push(orphan);
      left.push(orphan);
    }
  }
  for (const entry of ledger.pending()) {
    const reason = await removeResource(client, entry.resourceType, entry.id, signal);
    if (reason === undefined) {
      ledger.removed(entry.resourceType, entry.id, 'cleanup');
    } else {
      const orphan: AuditEntry = {
        time: new Date().toISOString(),
        action: 'left',
        resourceType: entry.resourceType,
        id: entry.id,
        display: entry.display,
        scenario: entry.scenario,
        reason,
      };
      ledger.audit.push(orphan);
      left.push(orphan);
    }
  }
  return left;
}

/** DELETEs one resource; undefined when it is gone (a 404 too), else why it is not. */
export async function removeResource(
  client: ScimClient,
  resourceType: 'User' | 'Group',
  id: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const url = `/${resourceType === 'User' ? 'Users' : 'Groups'}/${encodeURIComponent(id)}`;
  const send = () => client.send({ method: 'DELETE', url, context: { scenario: 'cleanup' }, ...(signal ? { signal } : {}) });
  let exchange = await send();
  // One more try for a transient failure (a flaky server's 500, a reset).
  if (exchange.status === undefined || exchange.status >= 500) exchange = await send();
  return exchange.status !== undefined && (exchange.status < 300 || exchange.status === 404)
    ? undefined
    : (exchange.error ?? `DELETE answered ${exchange.status}`);
}

/**
 * Looks an unconfirmed create up by the name it was sent with; what the server made is written
 * into the ledger, to be removed with the rest. Returns why it may be left, or undefined when
 * the lookup settled it.
 */
async function findUnconfirmed(
  client: ScimClient,
  ledger: CleanupLedger,
  create: UnconfirmedCreate,
  runId: string | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const what = `the create (${create.reason})`;
  // Only a name carrying this run's tag is certainly this run's: anything else may be someone's.
  if (runId === undefined || !create.value.includes(`ps-${runId}`)) {
    return (
      `${what} got no definite answer, and its ${create.attribute} carries no run tag, so ` +
      `a resource of that name may be someone else's and was not looked for; check by hand`
    );
  }
  const filter = `${create.attribute} eq ${JSON.stringify(create.value)}`;
  const url = `/${create.resourceType === 'User' ? 'Users' : 'Groups'}?filter=${encodeURIComponent(filter)}`;
  let exchange: Exchange = await client.send({ method: 'GET', url, context: { scenario: 'cleanup' }, signal });
  if (exchange.status === undefined || exchange.status >= 500)
    exchange = await client.send({ method: 'GET', url, context: { scenario: 'cleanup' }, signal });
  const resources = exchange.status === 200 ? listResources(exchange) : undefined;
  if (!resources)
    return (
      `${what} got no definite answer, and looking it up (GET ${filter}) ` +
      `failed: ${exchange.error ?? `status ${exchange.status}`}; it may be on the target`
    );
  const wanted = create.value.toLowerCase();
  for (const resource of resources) {
    const r = resource as Record<string, unknown> | null;
    const id = r?.['id'];
    const value = r?.[create.attribute];
    if (typeof id !== 'string' || typeof value !== 'string' || value.toLowerCase() !== wanted) continue;
    if (!ledger.owns(create.resourceType, id)) ledger.created(create.resourceType, id, create.value, create.scenario);
  }
  return undefined;
}
