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
  readonly #live = new Set<string>();
  readonly audit: AuditEntry[] = [];

  created(resourceType: LedgerEntry['resourceType'], id: string, display: string, scenario: string): void {
    if (this.#live.has(`${resourceType}/${id}`)) return;
    this.#live.add(`${resourceType}/${id}`);
    this.#entries.push({ resourceType, id, display, scenario, removed: false });
    this.audit.push({ action: 'created', resourceType, id, display, scenario });
  }

  changed(resourceType: LedgerEntry['resourceType'], id: string, display: string, scenario: string): void {
    this.audit.push({ action: 'changed', resourceType, id, display, scenario });
  }

  removed(resourceType: LedgerEntry['resourceType'], id: string, scenario: string): void {
    if (!this.#live.delete(`${resourceType}/${id}`)) return;
    for (const entry of this.#entries) {
      if (entry.id === id && entry.resourceType === resourceType && !entry.removed) {
        entry.removed = true;
        this.audit.push({ action: 'removed', resourceType, id, display: entry.display, scenario });
      }
    }
  }

  owns(resourceType: LedgerEntry['resourceType'], id: string): boolean {
    return this.#entries.some((e) => e.id === id && e.resourceType === resourceType);
  }

  /** What is still to be removed, newest first (users before the groups they were added to). */
  pending(): LedgerEntry[] {
    return this.#entries.filter((e) => !e.removed).reverse();
  }
}
