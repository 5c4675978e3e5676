// Microsoft Entra ID's provisioning service (default behaviour), as Microsoft documents it for
// SCIM apps: look up by userName before creating; capitalised PATCH ops ("Replace", "Add",
// "Remove"); active sent as the string "False"/"True"; group members added and removed as
// [{"$ref": null, "value": id}]; groups created with Microsoft's legacy group schema alongside
// the core one.
import type { MappedValue, Resource } from '../resource.ts';
import { BaseDialect, CORE_GROUP_URN, patch, type MemberRef, type PlannedRequest } from './base.ts';

export const MICROSOFT_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export class EntraDialect extends BaseDialect {
  readonly name: 'entra' | 'entra-2020' = 'entra';

  override createUser(user: Resource): PlannedRequest {
    return { method: 'POST', url: '/Users', body: { ...user, active: user['active'] ?? true, meta: { resourceType: 'User' } } };
  }

  override updateUser(id: string, changes: readonly MappedValue[], _desired: Resource, _current: Resource | undefined): PlannedRequest {
    return patch(
      `/Users/${id}`,
      changes.map((c) => ({ op: 'Replace', path: c.path, value: entraValue(c.value) })),
    );
  }

  override setActive(id: string, active: boolean): PlannedRequest {
    return patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: active ? 'True' : 'False' }]);
  }

  override createGroup(displayName: string, externalId: string | undefined): PlannedRequest {
    // Tutorial "Create Group" request: meta.resourceType, no members key (members come by PATCH).
    return {
      method: 'POST',
      url: '/Groups',
      body: {
        schemas: [CORE_GROUP_URN, MICROSOFT_GROUP_SCHEMA],
        ...(externalId ? { externalId } : {}),
        displayName,
        meta: { resourceType: 'Group' },
      },
    };
  }

  override renameGroup(groupId: string, displayName: string): PlannedRequest {
    // Group attributes other than members change the way user attributes do: a capitalised Replace.
    return patch(`/Groups/${groupId}`, [{ op: 'Replace', path: 'displayName', value: displayName }]);
  }

  override addMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    return patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: members.map((m) => ({ $ref: null, value: m.id })) }]);
  }

  override replaceMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    // Microsoft documents no whole-list replace; this is the RFC's, in Entra's op casing and member shape.
    return patch(`/Groups/${groupId}`, [{ op: 'Replace', path: 'members', value: members.map((m) => ({ $ref: null, value: m.id })) }]);
  }

  override removeMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    // Tutorial "Update Group [Remove Members]" request carries "$ref": null like the add.
    return patch(`/Groups/${groupId}`, [{ op: 'Remove', path: 'members', value: members.map((m) => ({ $ref: null, value: m.id })) }]);
  }
}

/** Entra sends booleans of its own attributes as "True"/"False" strings. */
function entraValue(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 'True' : 'False') : value;
}
