// Entra ID with the `aadOptscim062020` feature flag (the 2020 compliance fixes): lowercase ops,
// real booleans, member removes as `members[value eq "id"]`, and attribute updates as one
// path-less replace whose keys are attribute paths.
import type { MappedValue, Resource } from '../resource.ts';
import { EntraDialect } from './entra.ts';
import { patch, type MemberRef, type PlannedRequest } from './base.ts';

export class Entra2020Dialect extends EntraDialect {
  override readonly name = 'entra-2020' as const;

  override updateUser(id: string, changes: readonly MappedValue[], _desired: Resource, _current: Resource | undefined): PlannedRequest {
    const plain = changes.filter((c) => !c.path.includes('['));
    const filtered = changes.filter((c) => c.path.includes('['));
    // Compatibility page, "Requests to replace multiple attributes > With feature flag": filtered paths
    // keep their own replace and come first, then one path-less replace of the rest.
    const operations: unknown[] = filtered.map((c) => ({ op: 'replace', path: c.path, value: c.value }));
    if (plain.length > 0) operations.push({ op: 'replace', value: Object.fromEntries(plain.map((c) => [c.path, c.value])) });
    return patch(`/Users/${id}`, operations);
  }

  override setActive(id: string, active: boolean): PlannedRequest {
    return patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: active }]);
  }

  override renameGroup(groupId: string, displayName: string): PlannedRequest {
    // With the flag, ops are lowercase.
    return patch(`/Groups/${groupId}`, [{ op: 'replace', path: 'displayName', value: displayName }]);
  }

  override addMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    return patch(`/Groups/${groupId}`, [{ op: 'add', path: 'members', value: members.map((m) => ({ value: m.id })) }]);
  }

  override removeMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    return patch(
      `/Groups/${groupId}`,
      members.map((m) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(m.id)}]` })),
    );
  }
}
