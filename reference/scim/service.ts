// The service provider's operations on Users and Groups, independent of HTTP: each takes the
// parsed request and returns what to send, or throws a ScimError. Writes run in a transaction,
// so a request that fails half-way (a PATCH whose third operation is invalid) changes nothing.
import { ScimError } from './errors.ts';
import { coerceResource, type Resource } from '../schema/coerce.ts';
import { RESOURCE_TYPES, type ResourceType, type ResourceTypeName } from '../schema/definitions.ts';
import { foldUserName, type ResourceStore, type StoredResource } from '../store/resources.ts';
import { transaction } from '../store/database.ts';
import { applyPatch, readPatchRequest, type PatchBehaviour } from './patch.ts';
import { compileFilter, indexedEquality, parseFilter, type Predicate } from './filter.ts';
import { etagOf, represent } from './representation.ts';
import type { Misbehaviour } from '../misbehaviours.ts';

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
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
  readonly #patchBehaviour: PatchBehaviour;

  constructor(store: ResourceStore, baseUrl: string, flags: ReadonlySet<Misbehaviour>) {
    this.store = store;
    this.baseUrl = baseUrl;
    this.#flags = flags;
    this.#patchBehaviour = {
      caseSensitiveOp: flags.has('case-sensitive-op'),
      ignorePathlessPatch: flags.has('ignore-pathless-patch'),
      removeMemberWipesGroup: flags.has('remove-member-wipes-group'),
      noValuePathPatch: flags.has('no-value-path-patch'),
    };
  }

  #coerce(type: ResourceType, body: unknown): Resource {
    return coerceResource(type, body, { rejectStringBooleans: this.#flags.has('reject-string-booleans') });
  }

  #now(): string {
    return new Date().toISOString();
  }

  create(typeName: ResourceTypeName, body: unknown): Written {
    const type = RESOURCE_TYPES[typeName];
    const data = this.#coerce(type, body);
    return transaction(this.store.db, () => {
      const members = typeName === 'Group' ? this.#takeMembers(data) : undefined;
      if (typeName === 'User') this.#assertUniqueUserName(data, undefined);
      const stored = this.store.insert(typeName, data, this.#now());
      if (members) this.store.setMembers(stored.id, members);
      return { stored, resource: represent(this.store, stored, this.baseUrl) };
    });
  }

  get(typeName: ResourceTypeName, id: string): Written {
    const stored = this.#find(typeName, id);
    return { stored, resource: represent(this.store, stored, this.baseUrl) };
  }

  replace(typeName: ResourceTypeName, id: string, body: unknown, preconditions: Preconditions): Written {
    const type = RESOURCE_TYPES[typeName];
    const data = this.#coerce(type, body);
    return transaction(this.store.db, () => {
      const current = this.#find(typeName, id);
      checkIfMatch(current, preconditions);
      return this.#write(current, data);
    });
  }

  patch(typeName: ResourceTypeName, id: string, body: unknown, preconditions: Preconditions): Written {
    const type = RESOURCE_TYPES[typeName];
    const operations = readPatchRequest(body, this.#patchBehaviour);
    return transaction(this.store.db, () => {
      const current = this.#find(typeName, id);
      checkIfMatch(current, preconditions);
      const membership = typeName === 'Group' ? memberChanges(operations) : undefined;
      if (membership) {
        // Adding or removing members touches those rows only, not the whole member list.
        for (const change of membership) {
          if (change.op === 'remove') {
            this.store.removeMember(id, change.value);
            continue;
          }
          const memberType = this.store.typeOf(change.value);
          if (!memberType) throw new ScimError(400, `Member ${JSON.stringify(change.value)} is not a User or Group here.`, 'invalidValue');
          this.store.addMember(id, change.value, memberType);
        }
        const stored = this.store.update(current, current.data, this.#now());
        return { stored, resource: represent(this.store, stored, this.baseUrl) };
      }
      const before = represent(this.store, current, this.baseUrl);
      const patched = applyPatch(before, operations);
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

  /** Stores a full new representation of an existing resource (PUT, and PATCH's result). */
  #write(current: StoredResource, data: Resource): Written {
    const members = current.type === 'Group' ? this.#takeMembers(data) : undefined;
    if (current.type === 'User') this.#assertUniqueUserName(data, current.id);
    const stored = this.store.update(current, data, this.#now());
    if (current.type === 'Group') this.store.setMembers(current.id, members ?? []);
    return { stored, resource: represent(this.store, stored, this.baseUrl) };
  }

  delete(typeName: ResourceTypeName, id: string, preconditions: Preconditions): Written {
    return transaction(this.store.db, () => {
      const current = this.#find(typeName, id);
      checkIfMatch(current, preconditions);
      const resource = represent(this.store, current, this.baseUrl);
      this.store.delete(typeName, id);
      return { stored: current, resource };
    });
  }

  list(typeName: ResourceTypeName, query: ListQuery): { body: Record<string, unknown>; page: StoredResource[] } {
    const type = RESOURCE_TYPES[typeName];
    const startIndex = readInteger(query.startIndex, 'startIndex', 1);
    const count = Math.min(readInteger(query.count, 'count', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    let matches = this.#matching(type, query.filter);
    if (typeName === 'User' && this.#flags.has('hide-inactive-users')) matches = matches.filter((s) => s.data['active'] !== false);
    if (query.sortBy) matches = sortResources(matches, type, query.sortBy, query.sortOrder);
    const first = Math.max(startIndex, 1);
    const page = count <= 0 ? [] : matches.slice(first - 1, first - 1 + count);
    const body: Record<string, unknown> = {
      schemas: [LIST_SCHEMA],
      totalResults: matches.length,
      startIndex: first,
      itemsPerPage: page.length,
      Resources: page.map((stored) => represent(this.store, stored, this.baseUrl)),
    };
    return { body, page };
  }

  #matching(type: ResourceType, filterText: string | undefined): StoredResource[] {
    if (filterText === undefined || filterText.trim() === '') return this.store.all(type.name);
    const filter = parseFilter(filterText);
    const caseSensitiveUserName = this.#flags.has('case-sensitive-username');
    const predicate: Predicate = compileFilter(filter, type, { caseSensitiveUserName });
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
    return candidates.filter((stored) => predicate(represent(this.store, stored, this.baseUrl)));
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
      throw new ScimError(409, `userName ${JSON.stringify(userName)} is already taken${matching === 'case-insensitive' && clash.data['userName'] !== userName ? ` (as ${JSON.stringify(clash.data['userName'])}; userName is case-insensitive)` : ''}.`, 'uniqueness');
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
function memberChanges(operations: ReturnType<typeof readPatchRequest>): Array<{ op: 'add' | 'remove'; value: string }> | undefined {
  const out: Array<{ op: 'add' | 'remove'; value: string }> = [];
  for (const operation of operations) {
    const path = operation.path?.toLowerCase();
    if (operation.op === 'add' && path === 'members' && Array.isArray(operation.value)) {
      for (const item of operation.value as unknown[]) {
        const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['value'] : undefined;
        if (typeof value !== 'string') return undefined;
        out.push({ op: 'add', value });
      }
      continue;
    }
    const match = operation.op === 'remove' && operation.path !== undefined ? /^members\[value eq "((?:[^"\\]|\\.)*)"\]$/i.exec(operation.path) : null;
    if (match) {
      out.push({ op: 'remove', value: JSON.parse(`"${match[1]}"`) as string });
      continue;
    }
    return undefined;
  }
  return out;
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

export { foldUserName };
