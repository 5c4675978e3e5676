// The audit trail identity teams can file: one JSON object per line for everything a run did to
// the target (created, changed, deactivated, reactivated, added to or removed from a group,
// removed, left), when, by whom (the run, and the IdP whose requests it sent), from which source
// values (redacted), and for changes what the server showed before and after.
import type { AuditChange, AuditEntry, SpecResult } from '../run/result.ts';

/** "entra-shaped run k3j9x2": who acted, as an identity team's log names it. */
export function actorOf(runId: string, dialect: string): string {
  return `${dialect}-shaped run ${runId}`;
}

export function toAuditNdjson(specs: readonly SpecResult[]): string {
  const lines: string[] = [];
  for (const spec of specs)
    for (const entry of spec.audit) {
      const dialect = entry.dialect ?? spec.dialect;
      lines.push(
        JSON.stringify({
          ...(entry.time ? { time: entry.time } : {}),
          runId: spec.runId,
          actor: actorOf(spec.runId, dialect),
          file: spec.file,
          action: entry.action,
          resourceType: entry.resourceType,
          id: entry.id,
          display: entry.display,
          scenario: entry.scenario,
          ...(entry.step ? { step: entry.step } : {}),
          ...(entry.group ? { group: entry.group } : {}),
          ...(entry.source ? { source: entry.source } : {}),
          ...(entry.changes ? { changes: entry.changes } : {}),
          ...(entry.reason ? { reason: entry.reason } : {}),
          ...(entry.unconfirmed ? { unconfirmed: true } : {}),
        }),
      );
    }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** One line on what an entry did beyond its action: the group, the attributes changed, why it was left. */
export function auditDetails(entry: AuditEntry): string {
  const parts: string[] = [];
  if (entry.group) parts.push(entry.group);
  if (entry.changes?.length) parts.push(entry.changes.map(changeText).join('; '));
  if (entry.reason) parts.push(entry.reason);
  return parts.join(' · ');
}

function changeText(change: AuditChange): string {
  return `${change.attribute}: ${short(change.before)} → ${short(change.after)}`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
