// Everything a run creates is written here the moment the server confirms it (a 201 with an
// id), before any check looks at it; cleanup removes exactly these, newest first, and nothing
// else. What cannot be removed is reported by id, never silently left.
//
// A create whose answer never came (a timeout, a reset, a 5xx, the run stopped while it was in
// flight) may still have been applied by the server. It is written down as unconfirmed, with the
// run-scoped name it was sent with, so that cleanup can look it up and remove it, or say by name
// that it may be left: "nothing left behind" is never claimed unchecked.
import type { AuditEntry } from './result.ts';

/** What an audit entry says beyond what and which: who did it, in which step, from which values. */
export type AuditDetail = Pick<AuditEntry, 'dialect' | 'step' | 'group' | 'source' | 'changes'>;

export interface UnconfirmedCreate {
  resourceType: 'User' | 'Group';
  /** The attribute a lookup filters on: userName for users, displayName for groups. */
  attribute: 'userName' | 'displayName';
  value: string;
  scenario: string;
  /** What happened to the create (no answer within the timeout, reset, 503…). */
  reason: string;
}

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
  readonly #unconfirmed: UnconfirmedCreate[] = [];

  /** A create that got no definite answer; cleanup looks it up by its name. */
  unconfirmed(create: UnconfirmedCreate): void {
    this.#unconfirmed.push(create);
  }

  /** Unconfirmed creates, oldest first. */
  unconfirmedCreates(): readonly UnconfirmedCreate[] {
    return this.#unconfirmed;
  }

  created(resourceType: LedgerEntry['resourceType'], id: string, display: string, scenario: string, detail: AuditDetail = {}): void {
    if (this.#live.has(`${resourceType}/${id}`)) {
      // Written down the moment the server confirmed it (context.ts); the step knows more.
      const audited = this.audit.find((e) => e.action === 'created' && e.resourceType === resourceType && e.id === id);
      if (audited) for (const [key, value] of Object.entries(detail)) (audited as unknown as Record<string, unknown>)[key] ??= value;
      return;
    }
    const entry: LedgerEntry = { resourceType, id, display, scenario, removed: false };
    this.#live.set(`${resourceType}/${id}`, entry);
    this.#entries.push(entry);
    this.record({ action: 'created', resourceType, id, display, scenario, ...detail });
  }

  changed(resourceType: LedgerEntry['resourceType'], id: string, display: string, scenario: string, detail: AuditDetail = {}): void {
    this.record({ action: 'changed', resourceType, id, display, scenario, ...detail });
  }

  removed(resourceType: LedgerEntry['resourceType'], id: string, scenario: string, detail: AuditDetail = {}): void {
    const entry = this.#live.get(`${resourceType}/${id}`);
    if (!entry) return;
    this.#live.delete(`${resourceType}/${id}`);
    entry.removed = true;
    this.record({ action: 'removed', resourceType, id, display: entry.display, scenario, ...detail });
  }

  /** Any other entry of the trail (a deactivation, a membership change), stamped with the time. */
  record(entry: Omit<AuditEntry, 'time'>): void {
    this.audit.push({ time: new Date().toISOString(), ...entry });
  }

  owns(resourceType: LedgerEntry['resourceType'], id: string): boolean {
    return this.#entries.some((e) => e.id === id && e.resourceType === resourceType);
  }

  /** Still to be removed (created and not yet removed). */
  live(resourceType: LedgerEntry['resourceType'], id: string): boolean {
    return this.#live.has(`${resourceType}/${id}`);
  }

  /** What is still to be removed, newest first (users before the groups they were added to). */
  pending(): LedgerEntry[] {
    return this.#entries.filter((e) => !e.removed).reverse();
  }
}
