// Everything a run creates is written here the moment the server confirms it (a 201 with an
// id), before any check looks at it; cleanup removes exactly these, newest first, and nothing
// else. What cannot be removed is reported by id, never silently left.
import type { AuditEntry } from './result.ts';

export interface LedgerEntry {
  resourceType: 'User' | 'Group';
  id: string;
  display: string;
  scenario: string;
  /** Removed by the scenario itself (deprovision), so cleanup has nothing to do. */
  removed: boolean;
}

export class CleanupLedger {
  readonly #entries: LedgerEntry[] = [];
  /** Entries not yet removed, by type/id. */
  readonly #live = new Map<string, LedgerEntry>();
  readonly audit: AuditEntry[] = [];

  created(resourceType: LedgerEntry['resourceType'], id: string, display: string, scenario: string): void {
    if (this.#live.has(`${resourceType}/${id}`)) return;
    const entry: LedgerEntry = { resourceType, id, display, scenario, removed: false };
    this.#live.set(`${resourceType}/${id}`, entry);
    this.#entries.push(entry);
    this.audit.push({ action: 'created', resourceType, id, display, scenario });
  }

  changed(resourceType: LedgerEntry['resourceType'], id: string, display: string, scenario: string): void {
    this.audit.push({ action: 'changed', resourceType, id, display, scenario });
  }

  removed(resourceType: LedgerEntry['resourceType'], id: string, scenario: string): void {
    const entry = this.#live.get(`${resourceType}/${id}`);
    if (!entry) return;
    this.#live.delete(`${resourceType}/${id}`);
    entry.removed = true;
    this.audit.push({ action: 'removed', resourceType, id, display: entry.display, scenario });
  }

  owns(resourceType: LedgerEntry['resourceType'], id: string): boolean {
    return this.#entries.some((e) => e.id === id && e.resourceType === resourceType);
  }

  /** What is still to be removed, newest first (users before the groups they were added to). */
  pending(): LedgerEntry[] {
    return this.#entries.filter((e) => !e.removed).reverse();
  }
}
