// Finding what provspec runs left behind when no run could clean up after itself (SIGKILL, a
// crashed machine, a cancelled CI job): every user and group on the target whose name carries
// a run tag, the `ps-<run id>` that core/run/identity.ts writes into each run-scoped value. Only
// a resource with the tag is ever listed or removed.
import type { ScimClient } from '../scim/client.ts';
import { removeResource } from './cleanup.ts';
import { listResources } from './protocol.ts';

export interface TaggedResource {
  resourceType: 'User' | 'Group';
  id: string;
  /** userName for users, displayName for groups. */
  name: string;
  runId: string;
  /** meta.created, when the server reports it. */
  created?: string;
}

export interface SweepOptions {
  /** Only this run's resources. */
  runId?: string;
  /** Only resources created longer ago than this (needs meta.created). */
  olderThanMs?: number;
  now?: number;
  signal?: AbortSignal;
  /** Resources per page. */
  pageSize?: number;
}

export interface SweepFindings {
  found: TaggedResource[];
  /** Tagged resources left out, and why (age unknown, too recent). */
  spared: Array<{ resource: TaggedResource; reason: string }>;
  /** What kept the search from being complete. */
  problems: string[];
}

/**
 * The run tag as the runner writes it: alice+ps-k3j9x2-3@example.test, "Alice Liddell ps-k3j9x2-3",
 * bob-ps-k3j9x2-3, "Sales ps-k3j9x2" (a group). A token of its own, never part of a longer word.
 */
const RUN_TAG = /(?:^|[\s+-])ps-([0-9a-z]{6})(?:-\d+)?(?=$|[\s@-])/;

export function runTagOf(value: unknown): string | undefined {
  return typeof value === 'string' ? RUN_TAG.exec(value)?.[1] : undefined;
}

const MAX_PAGES = 10_000;

export async function findTagged(client: ScimClient, options: SweepOptions = {}): Promise<SweepFindings> {
  const findings: SweepFindings = { found: [], spared: [], problems: [] };
  const now = options.now ?? Date.now();
  for (const resourceType of ['User', 'Group'] as const) {
    const endpoint = resourceType === 'User' ? 'Users' : 'Groups';
    const nameAttribute = resourceType === 'User' ? 'userName' : 'displayName';
    const seen = new Set<string>();
    const count = options.pageSize ?? 100;
    for (let page = 0, startIndex = 1; ; page++) {
      if (page >= MAX_PAGES) {
        findings.problems.push(`${endpoint}: stopped after ${MAX_PAGES} pages`);
        break;
      }
      const url = `/${endpoint}?startIndex=${startIndex}&count=${count}&attributes=${nameAttribute},externalId,displayName,meta`;
      const exchange = await client.send({
        method: 'GET',
        url,
        context: { scenario: 'cleanup' },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const json = exchange.json as { totalResults?: unknown } | undefined;
      const resources = exchange.status === 200 ? listResources(exchange) : undefined;
      if (!resources) {
        findings.problems.push(
          `GET /${endpoint} (startIndex ${startIndex}) ` +
            `failed: ${exchange.error ?? `status ${exchange.status}`}; resources on later pages were not looked at`,
        );
        break;
      }
      let fresh = 0;
      for (const item of resources) {
        const r = item as Record<string, unknown> | null;
        const id = r?.['id'];
        if (typeof id !== 'string' || seen.has(id)) continue;
        seen.add(id);
        fresh++;
        const runId = [r?.[nameAttribute], r?.['externalId'], r?.['displayName']].map(runTagOf).find((t) => t !== undefined);
        if (!runId || (options.runId !== undefined && runId !== options.runId)) continue;
        const created = (r?.['meta'] as { created?: unknown } | undefined)?.created;
        const resource: TaggedResource = {
          resourceType,
          id,
          name: String(r?.[nameAttribute] ?? r?.['displayName'] ?? id),
          runId,
          ...(typeof created === 'string' ? { created } : {}),
        };
        if (options.olderThanMs !== undefined) {
          const at = typeof created === 'string' ? Date.parse(created) : Number.NaN;
          if (Number.isNaN(at)) {
            findings.spared.push({ resource, reason: 'the server reports no meta.created, so its age is unknown' });
            continue;
          }
          if (now - at < options.olderThanMs) {
            findings.spared.push({ resource, reason: `created ${created}, more recently than asked` });
            continue;
          }
        }
        findings.found.push(resource);
      }
      const total = typeof json?.totalResults === 'number' ? json.totalResults : undefined;
      // A page with nothing new ends the walk (a server that ignores startIndex repeats page one).
      if (resources.length === 0 || fresh === 0 || (total !== undefined && startIndex - 1 + resources.length >= total)) break;
      startIndex += resources.length;
    }
  }
  return findings;
}

export interface SweepOutcome {
  removed: TaggedResource[];
  failed: Array<{ resource: TaggedResource; reason: string }>;
}

/** Deletes what findTagged found: users first (they are members of the groups). */
export async function removeTagged(client: ScimClient, resources: readonly TaggedResource[], signal?: AbortSignal): Promise<SweepOutcome> {
  const outcome: SweepOutcome = { removed: [], failed: [] };
  const ordered = [...resources.filter((r) => r.resourceType === 'User'), ...resources.filter((r) => r.resourceType === 'Group')];
  for (const resource of ordered) {
    const reason = await removeResource(client, resource.resourceType, resource.id, signal);
    if (reason === undefined) outcome.removed.push(resource);
    else outcome.failed.push({ resource, reason });
  }
  return outcome;
}
