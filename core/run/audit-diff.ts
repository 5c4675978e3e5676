// What a change did, as the server shows it: the attributes of a resource read before and after,
// compared at the depth an identity team reads them (name.givenName, not "name"), lists whole.
// meta is left out: its lastModified and version change with every write and say nothing; so is
// a user's groups, which changes through the groups (the trail has those as their own entries).
import type { AuditChange } from './result.ts';
import { bounded } from '../scim/bounded.ts';

const IGNORED = new Set(['meta', 'groups']);

export function diffResources(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): AuditChange[] {
  // A hostile server's answer may nest deeper than the stack: compared (and kept) as evidence is, cut.
  const was = flatten(asObject(bounded(before ?? {})));
  const now = flatten(asObject(bounded(after ?? {})));
  const changes: AuditChange[] = [];
  for (const attribute of new Set([...was.keys(), ...now.keys()])) {
    const a = was.get(attribute);
    const b = now.get(attribute);
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ attribute, before: a ?? null, after: b ?? null });
  }
  return changes.sort((x, y) => x.attribute.localeCompare(y.attribute));
}

/** Attributes nest three deep at most (an extension's manager.value); below, values are compared whole. */
const MAX_DEPTH = 4;

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function flatten(
  value: Record<string, unknown>,
  prefix = '',
  out = new Map<string, unknown>(),
  separator = '.',
  depth = 0,
): Map<string, unknown> {
  for (const [key, child] of Object.entries(value)) {
    if (prefix === '' && IGNORED.has(key)) continue;
    const name = prefix === '' ? key : `${prefix}${separator}${key}`;
    // An extension's attributes read as the spec's mapping names them: urn:…:User:department.
    const next = prefix === '' && key.startsWith('urn:') ? ':' : '.';
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && depth < MAX_DEPTH)
      flatten(child as Record<string, unknown>, name, out, next, depth + 1);
    else out.set(name, child);
  }
  return out;
}
