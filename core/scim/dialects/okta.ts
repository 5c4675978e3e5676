// Okta's SCIM 2.0 provisioning (catalogue integrations), as Okta documents it: look up with
// startIndex=1&count=100 before creating; creates carry active, a password and "groups": []; profile
// updates are a GET followed by a PUT of what was read, changed; deactivation is a path-less replace
// of active; users are never deleted; groups are pushed with "members": [], members added with
// their display and removed by value filter.
import { randomBytes } from 'node:crypto';
import type { MappedValue, Resource } from '../resource.ts';
import { BaseDialect, CORE_GROUP_URN, eqFilter, patch, replacement, type MemberRef, type PlannedRequest } from './base.ts';

export class OktaDialect extends BaseDialect {
  readonly name: 'okta' | 'okta-wizard' = 'okta';
  override readonly deprovision = 'deactivate' as const;
  override readonly needsCurrent: ReadonlySet<'update' | 'deactivate' | 'reactivate'> = new Set(['update'] as const);

  override lookupUser(userName: string): PlannedRequest {
    return { method: 'GET', url: `/Users?filter=${encodeURIComponent(eqFilter('userName', userName))}&startIndex=1&count=100` };
  }

  override createUser(user: Resource): PlannedRequest {
    // Okta generates a password when the app does not sync one; it is never reused.
    return {
      method: 'POST',
      url: '/Users',
      body: { ...user, active: user['active'] ?? true, password: randomBytes(12).toString('base64url'), groups: [] },
    };
  }

  override updateUser(id: string, _changes: readonly MappedValue[], desired: Resource, current: Resource | undefined): PlannedRequest {
    return { method: 'PUT', url: `/Users/${id}`, body: replacement(current, desired, id) };
  }

  override setActive(id: string, active: boolean, _current: Resource | undefined): PlannedRequest {
    return patch(`/Users/${id}`, [{ op: 'replace', value: { active } }]);
  }

  override createGroup(displayName: string, _externalId: string | undefined): PlannedRequest {
    // Okta SCIM 2.0 reference, "Create Groups": core schema, displayName and "members": [], no externalId.
    return { method: 'POST', url: '/Groups', body: { schemas: [CORE_GROUP_URN], displayName, members: [] } };
  }

  override renameGroup(groupId: string, displayName: string): PlannedRequest {
    // Okta SCIM 2.0 reference, "Update a specific Group name": a path-less replace carrying id and displayName.
    return patch(`/Groups/${groupId}`, [{ op: 'replace', value: { id: groupId, displayName } }]);
  }

  override replaceMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    // Okta SCIM 2.0 reference, "Update a specific Group membership": "a full push of the membership
    // ... using the replace operation", members with their display.
    return patch(`/Groups/${groupId}`, [
      { op: 'replace', path: 'members', value: members.map((m) => ({ value: m.id, ...(m.display ? { display: m.display } : {}) })) },
    ]);
  }

  override addMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    return patch(`/Groups/${groupId}`, [
      { op: 'add', path: 'members', value: members.map((m) => ({ value: m.id, ...(m.display ? { display: m.display } : {}) })) },
    ]);
  }
}
