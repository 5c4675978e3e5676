// Cleanup: delete exactly what this run created and has not removed, newest first, with the
// runner's own plain DELETE (whatever the dialect: an Okta-style client never deletes, but
// provspec must leave nothing behind). Runs after failures, timeouts and interrupts alike.
import type { ScimClient } from '../scim/client.ts';
import type { CleanupLedger } from './ledger.ts';
import type { AuditEntry } from './result.ts';

export async function cleanUp(client: ScimClient, ledger: CleanupLedger, timeoutMs: number): Promise<AuditEntry[]> {
  const left: AuditEntry[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  for (const entry of ledger.pending()) {
    const url = `/${entry.resourceType === 'User' ? 'Users' : 'Groups'}/${encodeURIComponent(entry.id)}`;
    let exchange = await client.send({ method: 'DELETE', url, context: { scenario: 'cleanup' }, signal });
    // One more try for a transient failure (a flaky server's 500, a reset).
    if (exchange.status === undefined || exchange.status >= 500) exchange = await client.send({ method: 'DELETE', url, context: { scenario: 'cleanup' }, signal });
    if (exchange.status !== undefined && (exchange.status < 300 || exchange.status === 404)) {
      ledger.removed(entry.resourceType, entry.id, 'cleanup');
    } else {
      const reason = exchange.error ?? `DELETE answered ${exchange.status}`;
      const orphan: AuditEntry = { action: 'left', resourceType: entry.resourceType, id: entry.id, display: entry.display, scenario: entry.scenario, reason };
      ledger.audit.push(orphan);
      left.push(orphan);
    }
  }
  return left;
}
