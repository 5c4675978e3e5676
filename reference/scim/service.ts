// The service provider's operations on Users and Groups, independent of HTTP: each takes the
// parsed request and returns what to send, or throws a ScimError. Writes run in a transaction,
// so a request that fails half-way (a PATCH whose third operation is invalid) changes nothing.
import { ScimError } from './errors.ts';
import { coerceResource, type Resource } from '../schema/coerce.ts';
import { RESOURCE_TYPES, type ResourceType, type ResourceTypeName } from '../schema/definitions.ts';
import { foldUserName, type ResourceStore, type StoredResource } from '../store/resources.ts';
import { transaction } from '../store/database.ts';
import { applyPatch, readPatchRequest, type Operation, type PatchBehaviour } from './patch.ts';
import { compileFilter, indexedEquality, parseFilter, type Predicate } from './filter.ts';
import { etagOf, represent } from './representation.ts';
import type { Misbehaviour } from '../misbehaviours.ts';
import { ACME_SCHEMAS, MINIMAL_MAX_RESULTS, SMALL_PAGE_SIZE, type Variant } from '../variants.ts';
import { parse as parseFilterText, stringify as stringifyFilter, type Filter } from 'scim2-parse-filter';

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** `big-groups-truncated`: where the buggy server stops keeping members. */
const TRUNCATED_GROUP_SIZE = 20;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface Preconditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
}

export interface ListQuery {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
  sortBy?: string | undefined;
  sortOrder?: string | undefined;
}

export interface Written {
  resource: Record<string, unknown>;
  stored: StoredResource;
}

export class ScimService {
  readonly store: ResourceStore;
  readonly baseUrl: string;
  readonly #flags: ReadonlySet<Misbehaviour>;
  readonly #variants: ReadonlySet<Variant>;
  readonly #patchBehaviour: PatchBehaviour;
  /** `deleted-username-reserved`: the userNames of deleted users, folded. */
  readonly #deletedUserNames = new Set<string>();
  /** `delete-keeps-unique-values`: the externalIds and email values of deleted users, folded. */
  readonly #deletedUniqueValues = new Set<string>();

  constructor(store: ResourceStore, baseUrl: string, flags: ReadonlySet<Misbehaviour>, variants: ReadonlySet<Variant> = new Set()) {
    this.store = store;
    this.baseUrl = baseUrl;
    this.#flags = flags;
    this.#variants = variants;
    this.#patchBehaviour = {
      caseSensitiveOp: flags.has('case-sensitive-op'),
      ignorePathlessPatch: flags.has('ignore-pathless-patch'),
      removeMemberWipesGroup: flags.has('remove-member-wipes-group'),
      noValuePathPatch: flags.has('no-value-path-patch'),
    };
  }

  #coerce(type: ResourceType, body: unknown, creating = false): Resource {
    const flags = this.#flags;
    const data = coerceResource(type, this.#withoutOwnExtension(type, body), {
      rejectStringBooleans: flags.has('reject-string-booleans') || (creating && flags.has('reject-string-booleans-on-create')),
      rejectBareManager: flags.has('manager-bare-string-refused'),
      crashOnUnknown: creating && flags.has('unknown-attribute-500'),
    });
    if (type.name === 'User' && this.#variants.has('normalised-emails')) normaliseEmails(data);
    if (type.name === 'User' && flags.has('manager-dropped')) {
      const enterprise = data[ENTERPRISE_URN] as Record<string, unknown> | undefined;
      if (enterprise) delete enterprise['manager'];
    }
    return data;
  }

  /** What a client sees; `returns-password` lets the stored hash out. */
  #represent(stored: StoredResource): Record<string, unknown> {
    const out = represent(this.store, stored, this.baseUrl);
    if (this.#flags.has('returns-password') && stored.data['password'] !== undefined) out['password'] = stored.data['password'];
    return out;
  }

  /** Groups whose displayName equals `name` (case-insensitively), for `unique-group-names`. */
  #assertUniqueGroupName(data: Resource, exceptId: string | undefined): void {
    if (!this.#variants.has('unique-group-names')) return;
    const name = data['displayName'];
    if (typeof name !== 'string') return;
    const clash = this.store
      .all('Group')
      .find((g) => g.id !== exceptId && String(g.data['displayName']).toLowerCase() === name.toLowerCase());
    if (clash) throw new ScimError(409, `A group named ${JSON.stringify(name)} already exists; group names are unique here.`, 'uniqueness');
  }

  /**
   * `extra-attributes`: the provider's own extension is read-only, so a client that sends it back
   * (a GET-then-PUT) has it ignored (RFC 7644 §3.3, §3.5.1), URN in "schemas" included.
   */
  #withoutOwnExtension(type: ResourceType, body: unknown): unknown {
    if (!this.#variants.has('extra-attributes') || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    const urn = ACME_SCHEMAS[type.name].id.toLowerCase();
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key.toLowerCase() === urn) continue;
      out[key] = key === 'schemas' && Array.isArray(value) ? value.filter((s) => typeof s !== 'string' || s.toLowerCase() !== urn) : value;
    }
    return out;
  }

  #now(): string {
    return new Date().toISOString();
  }

  /** Refuses a create now, as create would (the check-then-insert of `retry-creates-duplicate`). */
  assertCreatable(typeName: ResourceTypeName, body: unknown): void {
    this.#assertUniqueUserName(this.#coerce(RESOURCE_TYPES[typeName], body, true), undefined);
  }

  /** `unchecked`: userName uniqueness was checked earlier (`retry-creates-duplicate`), not at the insert. */
  create(typeName: ResourceTypeName, body: unknown, { unchecked = false } = {}): Written {
    const type = RESOURCE_TYPES[typeName];
    const data = this.#coerce(type, body, true);
    return transaction(this.store.db, () => {
      const members = typeName === 'Group' ? this.#takeMembers(data) : undefined;
      if (typeName === 'Group') this.#assertUniqueGroupName(data, undefined);
      if (typeName === 'User' && this.#flags.has('deleted-username-reserved')) {
        const userName = String(data['userName'] ?? '').toLowerCase();
        if (this.#deletedUserNames.has(userName))
          throw new ScimError(409, `userName ${JSON.stringify(data['userName'])} is already taken.`, 'uniqueness');
      }
      if (typeName === 'User' && this.#flags.has('delete-keeps-unique-values')) {
        const reserved = uniqueValues(data).find((v) => this.#deletedUniqueValues.has(v.toLowerCase()));
        if (reserved !== undefined) throw new ScimError(409, `${JSON.stringify(reserved)} is already taken.`, 'uniqueness');
      }
      if (typeName === 'User' && this.#flags.has('reorder-loses-update') && typeof data['userName'] === 'string') {
        const existing = this.store.usersByUserName(data['userName'], 'case-insensitive')[0];
        // An exact repeat is refused as a duplicate; a create with other values "syncs" over the user.
        if (existing && !sameValues(existing.data, data)) return this.#write(existing, data);
      }
      if (typeName === 'User' && !unchecked) this.#assertUniqueUserName(data, undefined);
      if (typeName === 'User') this.#assertUniqueEmails(data, undefined);
      const stored = this.store.insert(typeName, data, this.#now());
      if (members)
        this.store.setMembers(stored.id, this.#flags.has('big-groups-truncated') ? members.slice(0, TRUNCATED_GROUP_SIZE) : members);
      return { stored, resource: this.#represent(stored) };
    });
  }

  get(typeName: ResourceTypeName, id: string): Written {
    const stored = this.#find(typeName, id);
    return { stored, resource: this.#represent(stored) };
  }

  replace(typeName: ResourceTypeName, id: string, body: unknown, preconditions: Preconditions): Written {
    const type = RESOURCE_TYPES[typeName];
    return transaction(this.store.db, () => {
      const current = this.#find(typeName, id);
      checkIfMatch(current, preconditions);
      let sent = body;
      // `put-merges`: what the PUT sends as null keeps its old value.
      if (typeName === 'User' && this.#flags.has('put-merges') && typeof body === 'object' && body !== null) {
        sent = { ...(body as Record<string, unknown>) };
        for (const [key, value] of Object.entries(sent as Record<string, unknown>)) {
          if (value === null && current.data[key] !== undefined) (sent as Record<string, unknown>)[key] = current.data[key];
        }
      }
      const data = this.#coerce(type, sent);
      // `put-members-merges`: the members a PUT sends join the ones the group had.
      if (typeName === 'Group' && this.#flags.has('put-members-merges')) {
        const had = this.store.membersOf(id).map((m) => ({ value: m.value }));
        data['members'] = [...had, ...((data['members'] as unknown[] | undefined) ?? [])];
      }
      return this.#write(current, data);
    });
  }

  patch(typeName: ResourceTypeName, id: string, body: unknown, preconditions: Preconditions): Written {
    const type = RESOURCE_TYPES[typeName];
    const operations = this.#buggyOperations(typeName, this.#variantOperations(type, readPatchRequest(body, this.#patchBehaviour)));
    if (typeName === 'User' && this.#flags.has('patch-not-atomic') && operations.length > 1)
      return this.#patchOneByOne(type, id, operations, preconditions);
    return transaction(this.store.db, () => {
      const current = this.#find(typeName, id);
      checkIfMatch(current, preconditions);
      const before = this.#represent(current);
      const membership = typeName === 'Group' ? memberChanges(operations, this.#flags.has('replace-members-merges')) : undefined;
      if (membership) {
        // Adding or removing members touches those rows only, not the whole member list.
        for (const change of membership) {
          if (change.op === 'remove') {
            if (!this.#flags.has('remove-member-filter-ignored')) this.store.removeMember(id, change.value);
            continue;
          }
          const memberType = this.store.typeOf(change.value);
          if (!memberType) {
            if (this.#flags.has('member-unknown-accepted')) continue;
            throw new ScimError(400, `Member ${JSON.stringify(change.value)} is not a User or Group here.`, 'invalidValue');
          }
          if (this.#flags.has('big-groups-truncated') && this.store.membersOf(id).length >= TRUNCATED_GROUP_SIZE) continue;
          this.store.addMember(id, change.value, memberType);
        }
        const stored = this.store.update(current, current.data, this.#now());
        return { stored, resource: this.#represent(stored) };
      }
      const patched = applyPatch(before, this.#valuePathAdds(before, operations));
      if (typeName === 'User' && this.#flags.has('manager-empty-string')) {
        const had = (before[ENTERPRISE_URN] as Record<string, unknown> | undefined)?.['manager'];
        const extension = (patched[ENTERPRISE_URN] ?? {}) as Record<string, unknown>;
        const now = extension['manager'];
        if (had !== undefined && (now === undefined || now === '')) patched[ENTERPRISE_URN] = { ...extension, manager: { value: '' } };
      }
      let data: Resource;
      try {
        data = this.#coerce(type, patched);
      } catch (error) {
        // An operation that names no attribute of the schema is a bad path, not a bad body.
        if (error instanceof ScimError && error.scimType === 'invalidSyntax') throw new ScimError(400, error.message, 'invalidPath');
        throw error;
      }
      return this.#write(current, data);
    });
  }

  /**
   * `patch-not-atomic`, the way the bug is written: each operation applied and stored on its own,
   * so that when one fails, those before it have been kept. The error is answered all the same.
   */
  #patchOneByOne(
    type: (typeof RESOURCE_TYPES)[ResourceTypeName],
    id: string,
    operations: Operation[],
    preconditions: Preconditions,
  ): Written {
    let failure: unknown;
    const written = transaction(this.store.db, () => {
      let current = this.#find('User', id);
      checkIfMatch(current, preconditions);
      let last: Written | undefined;
      for (const operation of operations) {
        try {
          last = this.#write(current, this.#coerce(type, applyPatch(this.#represent(current), [operation])));
          current = last.stored;
        } catch (error) {
          failure = error;
          break;
        }
      }
      return last;
    });
    if (failure !== undefined || written === undefined)
      throw failure ?? new ScimError(400, 'No operation could be applied.', 'invalidValue');
    return written;
  }

  /** The misbehaviours that change what a PATCH's operations do before they are applied. */
  #buggyOperations(typeName: ResourceTypeName, operations: Operation[]): Operation[] {
    const flags = this.#flags;
    const out: Operation[] = [];
    for (const operation of operations) {
      const path = operation.path?.toLowerCase();
      if (flags.has('null-not-cleared') && operation.op === 'replace' && operation.value === null) continue;
      if (flags.has('rename-ignored') && operation.op === 'replace' && path === 'username') continue;
      if (flags.has('rename-ignored') && operation.op === 'replace' && path === undefined && hasUserName(operation.value)) {
        // Only the userName of a path-less replace is dropped; the rest of it still applies.
        const rest = Object.fromEntries(Object.entries(operation.value as object).filter(([k]) => k.toLowerCase() !== 'username'));
        if (Object.keys(rest).length > 0) out.push({ ...operation, value: rest });
        continue;
      }
      if (
        typeName === 'User' &&
        flags.has('remove-simple-ignored') &&
        operation.op === 'remove' &&
        path !== undefined &&
        !path.includes('[') &&
        !path.startsWith('urn:') &&
        !RESOURCE_TYPES.User.schema.attributes.find((a) => a.name.toLowerCase() === path.split('.')[0])?.multiValued
      )
        continue;
      if (
        typeName === 'Group' &&
        flags.has('remove-members-needs-filter') &&
        operation.op === 'remove' &&
        path === 'members' &&
        operation.value === undefined
      )
        throw new ScimError(400, 'Say which members to remove.', 'noTarget');
      if (
        flags.has('remove-filter-wipes') &&
        operation.op === 'remove' &&
        path !== undefined &&
        !path.startsWith('members') &&
        /^[a-z]+\[/.test(path)
      ) {
        out.push({ op: 'remove', path: operation.path!.slice(0, operation.path!.indexOf('[')) });
        continue;
      }
      out.push(operation);
    }
    return out;
  }

  /** `value-path-adds`: a replace through `attr[type eq "x"].sub` that matches nothing becomes an add. */
  #valuePathAdds(resource: Record<string, unknown>, operations: Operation[]): Operation[] {
    if (!this.#flags.has('value-path-adds')) return operations;
    return operations.map((operation) => {
      const match = operation.op === 'replace' && operation.path ? /^(\w+)\[type eq "([^"]*)"\]\.(\w+)$/i.exec(operation.path) : null;
      if (!match) return operation;
      const [, attribute, kind, sub] = match;
      const list = resource[attribute!];
      const matched =
        Array.isArray(list) && list.some((e) => typeof e === 'object' && e !== null && (e as Record<string, unknown>)['type'] === kind);
      return matched ? operation : { op: 'add', path: attribute!, value: [{ type: kind, [sub!]: operation.value }] };
    });
  }

  /** Stores a full new representation of an existing resource (PUT, and PATCH's result). */
  #write(current: StoredResource, data: Resource): Written {
    if (
      current.type === 'User' &&
      this.#flags.has('deactivate-clears-attributes') &&
      current.data['active'] !== false &&
      data['active'] === false
    )
      delete data['emails'];
    const members = current.type === 'Group' ? this.#takeMembers(data) : undefined;
    if (current.type === 'User' && this.#variants.has('immutable-employee-number')) keepImmutable(current.data, data);
    if (current.type === 'Group') this.#assertUniqueGroupName(data, current.id);
    if (current.type === 'User') this.#assertUniqueUserName(data, current.id);
    if (current.type === 'User') this.#assertUniqueEmails(data, current.id);
    const stored = this.store.update(current, data, this.#now());
    if (current.type === 'Group') {
      const kept = this.#flags.has('big-groups-truncated') ? (members ?? []).slice(0, TRUNCATED_GROUP_SIZE) : (members ?? []);
      this.store.setMembers(current.id, kept);
    }
    return { stored, resource: this.#represent(stored) };
  }

  delete(typeName: ResourceTypeName, id: string, preconditions: Preconditions): Written {
    return transaction(this.store.db, () => {
      const current = this.#find(typeName, id);
      checkIfMatch(current, preconditions);
      const resource = this.#represent(current);
      if (typeName === 'User' && typeof current.data['userName'] === 'string')
        this.#deletedUserNames.add(current.data['userName'].toLowerCase());
      if (typeName === 'User') for (const value of uniqueValues(current.data)) this.#deletedUniqueValues.add(value.toLowerCase());
      this.store.delete(typeName, id);
      return { stored: current, resource };
    });
  }

  list(typeName: ResourceTypeName, query: ListQuery): { body: Record<string, unknown>; page: StoredResource[] } {
    const type = RESOURCE_TYPES[typeName];
    const flags = this.#flags;
    if (flags.has('paging-start-index-below-one-refused') && query.startIndex !== undefined && Number(query.startIndex) < 1) {
      throw new ScimError(400, '"startIndex" must be at least 1.', 'invalidValue');
    }
    const startIndex = readInteger(query.startIndex, 'startIndex', 1);
    let count = Math.min(readInteger(query.count, 'count', DEFAULT_PAGE_SIZE), this.maxPageSize);
    if (count === 0 && flags.has('paging-count-zero-returns-page')) count = DEFAULT_PAGE_SIZE;
    let matches = this.#matching(type, query.filter);
    if (typeName === 'User' && flags.has('hide-inactive-users')) matches = matches.filter((s) => s.data['active'] !== false);
    if (flags.has('paging-ignores-count')) count = Math.max(matches.length, 1);
    // `minimal-config` says sort.supported false, and ignores a sortBy sent anyway.
    if (query.sortBy && !this.#variants.has('minimal-config') && !flags.has('sort-ignored'))
      matches = sortResources(matches, type, query.sortBy, query.sortOrder);
    const first = Math.max(startIndex, 1);
    // `paging-start-index-as-page`: the classic mix-up of an index with a page number.
    const offset = flags.has('paging-start-index-as-page') ? (first - 1) * Math.max(count, 1) : first - 1;
    const page = count <= 0 ? [] : matches.slice(offset, offset + count);
    const body: Record<string, unknown> = {
      schemas: [LIST_SCHEMA],
      totalResults: flags.has('paging-totals-wrong') ? page.length : matches.length,
      startIndex: flags.has('paging-start-index-unechoed') ? 1 : first,
      itemsPerPage: flags.has('paging-items-per-page-wrong') ? readInteger(query.count, 'count', DEFAULT_PAGE_SIZE) : page.length,
      Resources: page.map((stored) => this.#represent(stored)),
    };
    return { body, page };
  }

  /** The most resources one list response carries (`minimal-config`: its maxResults; `small-pages`: 2). */
  get maxPageSize(): number {
    let max = this.#variants.has('minimal-config') ? MINIMAL_MAX_RESULTS : MAX_PAGE_SIZE;
    if (this.#variants.has('small-pages')) max = Math.min(max, SMALL_PAGE_SIZE);
    return max;
  }

  /** A PATCH's operations as the variants read them: the provider's extension is read-only, stored emails are lower-case. */
  #variantOperations(type: ResourceType, operations: Operation[]): Operation[] {
    let out = operations;
    if (this.#variants.has('extra-attributes')) {
      const urn = ACME_SCHEMAS[type.name].id.toLowerCase();
      out = out.map((operation) => {
        const path = operation.path?.toLowerCase();
        if (path === urn || path?.startsWith(`${urn}:`)) {
          throw new ScimError(400, `"${operation.path}" is read-only: the provider sets it.`, 'mutability');
        }
        const value = operation.value;
        if (operation.path !== undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return operation;
        // A path-less value that repeats the extension (a client echoing the resource) ignores it, as it ignores meta.
        const kept = Object.fromEntries(Object.entries(value).filter(([key]) => key.toLowerCase() !== urn));
        return { ...operation, value: kept };
      });
    }
    if (this.#variants.has('normalised-emails') && type.name === 'User') {
      // Stored emails are lower-case; a value filter in a path compares case-insensitively (caseExact false).
      out = out.map((operation) =>
        operation.path === undefined ? operation : { ...operation, path: lowerEmailValueFilters(operation.path) },
      );
    }
    return out;
  }

  #matching(type: ResourceType, filterText: string | undefined): StoredResource[] {
    if (filterText === undefined || filterText.trim() === '') return this.store.all(type.name);
    const filter = parseFilter(filterText);
    const caseSensitiveUserName = this.#flags.has('case-sensitive-username');
    const predicate: Predicate = compileFilter(filter, type, {
      caseSensitiveUserName,
      gtAsGe: this.#flags.has('filter-gt-as-ge'),
      displayNamePrefix: this.#flags.has('group-filter-prefix'),
      caseSensitiveDisplayName: this.#flags.has('group-filter-case-sensitive'),
    });
    const indexed = indexedEquality(filter);
    let candidates: StoredResource[];
    if (indexed?.attribute === 'userName' && type.name === 'User') {
      candidates = this.store.usersByUserName(indexed.value, caseSensitiveUserName ? 'case-sensitive' : 'case-insensitive');
    } else if (indexed?.attribute === 'externalId') {
      candidates = this.store.byExternalId(type.name, indexed.value);
    } else if (indexed?.attribute === 'id') {
      const one = this.store.get(type.name, indexed.value);
      candidates = one ? [one] : [];
    } else {
      candidates = this.store.all(type.name);
    }
    // The predicate runs on what a client would see, so filters on members, groups and meta work.
    return candidates.filter((stored) => predicate(this.#represent(stored)));
  }

  #find(typeName: ResourceTypeName, id: string): StoredResource {
    const stored = this.store.get(typeName, id);
    if (!stored) throw new ScimError(404, `${typeName} ${JSON.stringify(id)} not found.`);
    return stored;
  }

  #assertUniqueUserName(data: Resource, exceptId: string | undefined): void {
    const userName = data['userName'];
    if (typeof userName !== 'string') return;
    const matching = this.#flags.has('case-sensitive-username') ? 'case-sensitive' : 'case-insensitive';
    const clash = this.store.usersByUserName(userName, matching).find((s) => s.id !== exceptId);
    if (clash) {
      const folded =
        matching === 'case-insensitive' && clash.data['userName'] !== userName
          ? ` (as ${JSON.stringify(clash.data['userName'])}; userName is case-insensitive)`
          : '';
      throw new ScimError(409, `userName ${JSON.stringify(userName)} is already taken${folded}.`, 'uniqueness');
    }
  }

  /** `unique-emails`: no email value (any case) may be held by two users, deactivated ones included. */
  #assertUniqueEmails(data: Resource, exceptId: string | undefined): void {
    if (!this.#variants.has('unique-emails') || !Array.isArray(data['emails'])) return;
    for (const email of data['emails'] as Record<string, unknown>[]) {
      const value = email['value'];
      if (typeof value !== 'string' || value === '') continue;
      if (this.store.usersWithEmail(value).some((id) => id !== exceptId)) {
        throw new ScimError(
          409,
          `The email ${JSON.stringify(value)} is already used by another user; emails are unique here.`,
          'uniqueness',
        );
      }
    }
  }

  /** Members live in their own table; each must name an existing user or group. */
  #takeMembers(data: Resource): { value: string; type: ResourceTypeName }[] {
    const raw = data['members'];
    delete data['members'];
    if (!Array.isArray(raw)) return [];
    const seen = new Set<string>();
    const members: { value: string; type: ResourceTypeName }[] = [];
    for (const member of raw as Record<string, unknown>[]) {
      const value = member['value'];
      if (typeof value !== 'string') throw new ScimError(400, 'Every member needs a "value" (the member\'s id).', 'invalidValue');
      if (seen.has(value)) continue;
      seen.add(value);
      const type = this.store.typeOf(value);
      if (!type && this.#flags.has('member-unknown-accepted')) continue;
      if (!type) throw new ScimError(400, `Member ${JSON.stringify(value)} is not a User or Group here.`, 'invalidValue');
      members.push({ value, type });
    }
    return members;
  }
}

/**
 * The operations as single-member changes, when that is all they are: `add members [{value}]`
 * and `remove members[value eq "id"]` (Entra's value-array removes arrive already split).
 */
function memberChanges(
  operations: ReturnType<typeof readPatchRequest>,
  replaceAdds = false,
): Array<{ op: 'add' | 'remove'; value: string }> | undefined {
  const out: Array<{ op: 'add' | 'remove'; value: string }> = [];
  for (const operation of operations) {
    const path = operation.path?.toLowerCase();
    // `replace-members-merges`: the bug reads a replace of members as an add.
    const adds = operation.op === 'add' || (replaceAdds && operation.op === 'replace');
    if (adds && path === 'members' && Array.isArray(operation.value)) {
      for (const item of operation.value as unknown[]) {
        const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['value'] : undefined;
        if (typeof value !== 'string') return undefined;
        out.push({ op: 'add', value });
      }
      continue;
    }
    const match =
      operation.op === 'remove' && operation.path !== undefined ? /^members\[value eq "((?:[^"\\]|\\.)*)"\]$/i.exec(operation.path) : null;
    if (match) {
      out.push({ op: 'remove', value: JSON.parse(`"${match[1]}"`) as string });
      continue;
    }
    return undefined;
  }
  return out;
}

/** `normalised-emails`: values lower-cased, duplicates that leaves dropped, sorted by value then type. */
function normaliseEmails(data: Resource): void {
  const emails = data['emails'];
  if (!Array.isArray(emails)) return;
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const email of emails as Record<string, unknown>[]) {
    const copy = { ...email };
    if (typeof copy['value'] === 'string') copy['value'] = foldUserName(copy['value']);
    const key = JSON.stringify(Object.entries(copy).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(copy);
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  out.sort((a, b) => text(a['value']).localeCompare(text(b['value'])) || text(a['type']).localeCompare(text(b['type'])));
  data['emails'] = out;
}

/** `emails[value eq "Ann@X"].primary` → `emails[value eq "ann@x"].primary`; anything else unchanged. */
function lowerEmailValueFilters(path: string): string {
  const match = /^((?:urn:ietf:params:scim:schemas:core:2\.0:user:)?emails)\[/i.exec(path);
  if (!match) return path;
  const open = match[0].length - 1;
  let close = -1;
  let quoted = false;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ']') {
      close = i;
      break;
    }
  }
  if (close < 0) return path;
  let filter: Filter;
  try {
    filter = parseFilterText(path.slice(open + 1, close));
  } catch {
    return path; // the PATCH itself reports the bad filter
  }
  const lower = (f: Filter): Filter => {
    switch (f.op) {
      case 'and':
      case 'or':
        return { ...f, filters: f.filters.map(lower) };
      case 'not':
        return { ...f, filter: lower(f.filter) };
      case '[]':
      case 'pr':
        return f;
      default:
        return f.attrPath.toLowerCase() === 'value' && typeof f.compValue === 'string' ? { ...f, compValue: foldUserName(f.compValue) } : f;
    }
  };
  return `${path.slice(0, open)}[${stringifyFilter(lower(filter))}]${path.slice(close + 1)}`;
}

function checkIfMatch(stored: StoredResource, preconditions: Preconditions): void {
  const header = preconditions.ifMatch;
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const current = etagOf(stored);
  // Weak comparison (RFC 9110 §8.8.3.2): W/"3" and "3" name the same version.
  const strip = (tag: string) => tag.replace(/^W\//, '');
  if (!tags.some((t) => strip(t) === strip(current))) {
    throw new ScimError(412, `The resource has changed: its version is ${current}, If-Match asked for ${header}.`);
  }
}

export function etagMatches(stored: StoredResource, ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  const current = strip(etagOf(stored));
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || strip(t) === current);
}

function readInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^-?\d+$/.test(text)) throw new ScimError(400, `"${name}" must be an integer, not ${JSON.stringify(text)}.`, 'invalidValue');
  // RFC 7644 §3.4.2.4: values below the minimum are treated as the minimum.
  return Math.max(Number(text), name === 'startIndex' ? 1 : 0);
}

function sortResources(list: StoredResource[], type: ResourceType, sortBy: string, sortOrder: string | undefined): StoredResource[] {
  const descending = sortOrder?.toLowerCase() === 'descending';
  const [head = '', sub] = sortBy.split('.');
  const key = (s: StoredResource): string => {
    if (head.toLowerCase() === 'id') return s.id;
    if (head.toLowerCase() === 'meta') return sub?.toLowerCase() === 'created' ? s.created : s.lastModified;
    const attribute = Object.keys(s.data).find((k) => k.toLowerCase() === head.toLowerCase());
    let value = attribute === undefined ? undefined : s.data[attribute];
    if (Array.isArray(value)) value = value.find((v) => (v as Record<string, unknown>)['primary'] === true) ?? value[0];
    if (sub !== undefined && typeof value === 'object' && value !== null) {
      const subKey = Object.keys(value).find((k) => k.toLowerCase() === sub.toLowerCase());
      value = subKey === undefined ? undefined : (value as Record<string, unknown>)[subKey];
    } else if (typeof value === 'object' && value !== null) value = (value as Record<string, unknown>)['value'];
    return typeof value === 'string' ? value.toLowerCase() : value === undefined ? '' : String(value);
  };
  void type;
  // Stable: equal keys keep storage order; resources without the attribute sort last.
  return [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) return a.seq - b.seq;
    if (ka === '') return 1;
    if (kb === '') return -1;
    return (ka < kb ? -1 : 1) * (descending ? -1 : 1);
  });
}

/**
 * `immutable-employee-number`: a value once set stays; a write that leaves it out keeps it, one
 * that changes it is refused (RFC 7644 §3.5.1: "the input value(s) MUST match, or HTTP status
 * code 400 SHOULD be returned with a "scimType" error code of "mutability"").
 */
function keepImmutable(before: Resource, after: Resource): void {
  const had = (before[ENTERPRISE_URN] as Record<string, unknown> | undefined)?.['employeeNumber'];
  if (had === undefined) return;
  const extension = (after[ENTERPRISE_URN] ?? {}) as Record<string, unknown>;
  const now = extension['employeeNumber'];
  if (now === undefined) {
    after[ENTERPRISE_URN] = { ...extension, employeeNumber: had };
    const schemas = after['schemas'];
    if (Array.isArray(schemas) && !schemas.includes(ENTERPRISE_URN)) schemas.push(ENTERPRISE_URN);
    return;
  }
  if (now !== had) throw new ScimError(400, `employeeNumber is immutable: it is ${JSON.stringify(had)} and stays so.`, 'mutability');
}

function hasUserName(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).some((k) => k.toLowerCase() === 'username');
}

export { foldUserName };

/** A user's externalId and email values: what `delete-keeps-unique-values` keeps reserved. */
function uniqueValues(data: Resource): string[] {
  const out = typeof data['externalId'] === 'string' ? [data['externalId']] : [];
  if (Array.isArray(data['emails']))
    for (const email of data['emails'] as Record<string, unknown>[]) if (typeof email?.['value'] === 'string') out.push(email['value']);
  return out;
}

/** Whether a create repeats what a user holds: every attribute it sends (schemas aside) is stored as sent. */
function sameValues(stored: Resource, sent: Resource): boolean {
  return Object.entries(sent).every(([key, value]) => key === 'schemas' || JSON.stringify(stored[key]) === JSON.stringify(value));
}
