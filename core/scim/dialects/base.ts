// A dialect is how one kind of client shapes its requests. Dialects are pure: they turn intent
// (create this user, add these members) into requests, and never send anything themselves.
import type { Dialect as DialectName } from '../../spec/types.ts';
import type { Resource, MappedValue } from '../resource.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const CORE_GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the target's base URL. */
  url: string;
  body?: unknown;
}

export interface MemberRef {
  id: string;
  display?: string;
}

export interface ScimDialect {
  readonly name: DialectName;
  /** What the IdP does for "deprovision": DELETE, or a deactivation (Okta never deletes users). */
  readonly deprovision: 'delete' | 'deactivate';
  /** Operations that need the user's current representation first (GET + PUT clients). */
  readonly needsCurrent: ReadonlySet<'update' | 'deactivate' | 'reactivate'>;
  /** The lookup an IdP makes before creating, to match an existing account; none for plain clients. */
  lookupUser(userName: string): PlannedRequest | undefined;
  createUser(user: Resource): PlannedRequest;
  updateUser(id: string, changes: readonly MappedValue[], desired: Resource, current: Resource | undefined): PlannedRequest;
  setActive(id: string, active: boolean, current: Resource | undefined): PlannedRequest;
  deleteUser(id: string): PlannedRequest;
  lookupGroup(displayName: string): PlannedRequest;
  createGroup(displayName: string, externalId: string | undefined): PlannedRequest;
  /** A group renamed in the IdP, pushed to the target. */
  renameGroup(groupId: string, displayName: string): PlannedRequest;
  addMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest;
  removeMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest;
  /** The group's whole member list replaced by these members (a full push of the membership). */
  replaceMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest;
  deleteGroup(id: string): PlannedRequest;
}

export function eqFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}

export function patch(url: string, operations: unknown[]): PlannedRequest {
  return { method: 'PATCH', url, body: { schemas: [PATCH_OP_SCHEMA], Operations: operations } };
}

/** A full replacement: the current representation with the desired attributes written over it. */
export function replacement(current: Resource | undefined, desired: Resource, id: string): Resource {
  // Okta SCIM 2.0 reference, "Update a specific User (PUT)": the GET body, changed, is PUT back whole.
  return { ...current, ...desired, id };
}

/** Shapes shared by every RFC-following client; dialects override what their IdP does differently. */
export abstract class BaseDialect implements ScimDialect {
  abstract readonly name: DialectName;
  readonly deprovision: 'delete' | 'deactivate' = 'delete';
  readonly needsCurrent: ReadonlySet<'update' | 'deactivate' | 'reactivate'> = new Set();

  lookupUser(userName: string): PlannedRequest | undefined {
    return { method: 'GET', url: `/Users?filter=${encodeURIComponent(eqFilter('userName', userName))}` };
  }

  createUser(user: Resource): PlannedRequest {
    return { method: 'POST', url: '/Users', body: user };
  }

  updateUser(id: string, changes: readonly MappedValue[], _desired: Resource, _current: Resource | undefined): PlannedRequest {
    return patch(
      `/Users/${id}`,
      changes.map((c) => ({ op: 'replace', path: c.path, value: c.value })),
    );
  }

  setActive(id: string, active: boolean, _current: Resource | undefined): PlannedRequest {
    return patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: active }]);
  }

  deleteUser(id: string): PlannedRequest {
    return { method: 'DELETE', url: `/Users/${id}` };
  }

  lookupGroup(displayName: string): PlannedRequest {
    return { method: 'GET', url: `/Groups?filter=${encodeURIComponent(eqFilter('displayName', displayName))}&excludedAttributes=members` };
  }

  createGroup(displayName: string, externalId: string | undefined): PlannedRequest {
    return { method: 'POST', url: '/Groups', body: { schemas: [CORE_GROUP_URN], displayName, ...(externalId ? { externalId } : {}) } };
  }

  renameGroup(groupId: string, displayName: string): PlannedRequest {
    return patch(`/Groups/${groupId}`, [{ op: 'replace', path: 'displayName', value: displayName }]);
  }

  addMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    return patch(`/Groups/${groupId}`, [{ op: 'add', path: 'members', value: members.map((m) => ({ value: m.id })) }]);
  }

  removeMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    return patch(
      `/Groups/${groupId}`,
      members.map((m) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(m.id)}]` })),
    );
  }

  replaceMembers(groupId: string, members: readonly MemberRef[]): PlannedRequest {
    // RFC 7644 §3.5.2.3's own example: replace with path "members" and the new list.
    return patch(`/Groups/${groupId}`, [{ op: 'replace', path: 'members', value: members.map((m) => ({ value: m.id })) }]);
  }

  deleteGroup(id: string): PlannedRequest {
    return { method: 'DELETE', url: `/Groups/${id}` };
  }
}
