// Users and groups in SQLite. A resource's own attributes are one JSON column; what other
// resources say about it (a user's groups) lives in the members table, so it cannot drift.
// Every method is synchronous: Node runs one at a time, so check-then-write sequences (userName
// uniqueness) are atomic without locks.
import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ResourceTypeName } from '../schema/definitions.ts';
import type { Resource } from '../schema/coerce.ts';

export interface StoredResource {
  seq: number;
  id: string;
  type: ResourceTypeName;
  data: Resource;
  created: string;
  lastModified: string;
  version: number;
}

export interface MemberRow {
  value: string;
  type: ResourceTypeName;
  display: string | undefined;
}

export interface GroupRef {
  value: string;
  display: string | undefined;
}

interface Row {
  seq: number;
  id: string;
  type: string;
  data: string;
  created: string;
  last_modified: string;
  version: number;
}

export interface StoreOptions {
  /** Issues the id of a new resource (RFC 7643 §3.1: ids are the provider's own); UUIDs by default. */
  newId?: (type: ResourceTypeName) => string;
}

/** How userName compares: as SCIM says (case-insensitive), or as a buggy server does. */
export type UserNameMatching = 'case-insensitive' | 'case-sensitive';

export function foldUserName(userName: string): string {
  return userName.normalize('NFC').toLowerCase();
}

export class ResourceStore {
  readonly #db: DatabaseSync;
  readonly #byId: StatementSync;
  readonly #insert: StatementSync;
  readonly #update: StatementSync;
  readonly #delete: StatementSync;
  readonly #all: StatementSync;
  readonly #count: StatementSync;
  readonly #byUserNameFolded: StatementSync;
  readonly #byUserName: StatementSync;
  readonly #byExternalId: StatementSync;
  readonly #byDisplayName: StatementSync;
  readonly #membersOf: StatementSync;
  readonly #groupsOf: StatementSync;
  readonly #addMember: StatementSync;
  readonly #clearMembers: StatementSync;
  readonly #appendMember: StatementSync;
  readonly #removeMember: StatementSync;
  readonly #usersByEmail: StatementSync;
  readonly #newId: (type: ResourceTypeName) => string;

  constructor(db: DatabaseSync, options: StoreOptions = {}) {
    this.#db = db;
    this.#newId = options.newId ?? (() => randomUUID());
    // Unicode case folding for SQL, the same as foldUserName (SQLite's lower() folds ASCII only).
    db.function('provspec_fold', { deterministic: true }, (value) => (typeof value === 'string' ? foldUserName(value) : null));
    const columns = 'seq, id, type, data, created, last_modified, version';
    this.#byId = db.prepare(`SELECT ${columns} FROM resources WHERE id = ? AND type = ?`);
    this.#insert = db.prepare(
      `INSERT INTO resources (id, type, data, user_name, user_name_folded, display_name, external_id, created, last_modified, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING seq`,
    );
    this.#update = db.prepare(
      `UPDATE resources SET data = ?, user_name = ?, user_name_folded = ?, display_name = ?, external_id = ?, ` +
        `last_modified = ?, version = version + 1
       WHERE id = ?`,
    );
    this.#delete = db.prepare('DELETE FROM resources WHERE id = ? AND type = ?');
    this.#all = db.prepare(`SELECT ${columns} FROM resources WHERE type = ? ORDER BY seq`);
    this.#count = db.prepare('SELECT count(*) AS n FROM resources WHERE type = ?');
    this.#byUserNameFolded = db.prepare(`SELECT ${columns} FROM resources WHERE type = 'User' AND user_name_folded = ? ORDER BY seq`);
    this.#byUserName = db.prepare(`SELECT ${columns} FROM resources WHERE type = 'User' AND user_name = ? ORDER BY seq`);
    this.#byExternalId = db.prepare(`SELECT ${columns} FROM resources WHERE type = ? AND external_id = ? ORDER BY seq`);
    this.#byDisplayName = db.prepare(`SELECT ${columns} FROM resources WHERE type = ? AND display_name = ? ORDER BY seq`);
    this.#membersOf = db.prepare(
      `SELECT m.member_id AS value, m.member_type AS type, r.display_name AS display_name, r.user_name AS user_name
       FROM members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = ? ORDER BY m.seq`,
    );
    this.#groupsOf = db.prepare(
      `SELECT m.group_id AS value, r.display_name AS display FROM members m JOIN resources r ON r.id = m.group_id
       WHERE m.member_id = ? ORDER BY r.seq`,
    );
    this.#addMember = db.prepare(`INSERT OR IGNORE INTO members (group_id, member_id, member_type, seq) VALUES (?, ?, ?, ?)`);
    this.#clearMembers = db.prepare('DELETE FROM members WHERE group_id = ?');
    this.#appendMember = db.prepare(
      `INSERT OR IGNORE INTO members (group_id, member_id, member_type, seq)
       VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), -1) + 1 FROM members WHERE group_id = ?1))`,
    );
    this.#removeMember = db.prepare('DELETE FROM members WHERE group_id = ? AND member_id = ?');
    this.#usersByEmail = db.prepare(
      `SELECT DISTINCT r.id AS id FROM resources r, json_each(r.data, '$.emails') e
       WHERE r.type = 'User' AND provspec_fold(json_extract(e.value, '$.value')) = ? ORDER BY r.seq`,
    );
  }

  get(type: ResourceTypeName, id: string): StoredResource | undefined {
    const row = this.#byId.get(id, type) as Row | undefined;
    return row && toStored(row);
  }

  /** Any resource with this id, whatever its type (group members may be users or groups). */
  typeOf(id: string): ResourceTypeName | undefined {
    for (const type of ['User', 'Group'] as const) if (this.#byId.get(id, type)) return type;
    return undefined;
  }

  insert(type: ResourceTypeName, data: Resource, now: string): StoredResource {
    const id = this.#newId(type);
    const row = this.#insert.get(id, type, JSON.stringify(data), ...indexColumns(data), now, now) as { seq: number };
    return { seq: row.seq, id, type, data, created: now, lastModified: now, version: 1 };
  }

  update(stored: StoredResource, data: Resource, now: string): StoredResource {
    this.#update.run(JSON.stringify(data), ...indexColumns(data), now, stored.id);
    return { ...stored, data, lastModified: now, version: stored.version + 1 };
  }

  delete(type: ResourceTypeName, id: string): boolean {
    return this.#delete.run(id, type).changes > 0;
  }

  all(type: ResourceTypeName): StoredResource[] {
    return (this.#all.all(type) as unknown as Row[]).map(toStored);
  }

  count(type: ResourceTypeName): number {
    return (this.#count.get(type) as { n: number }).n;
  }

  usersByUserName(userName: string, matching: UserNameMatching): StoredResource[] {
    const rows = matching === 'case-insensitive' ? this.#byUserNameFolded.all(foldUserName(userName)) : this.#byUserName.all(userName);
    return (rows as unknown as Row[]).map(toStored);
  }

  /** Ids of the users holding this email value, compared case-insensitively (emails.value is caseExact false). */
  usersWithEmail(email: string): string[] {
    return (this.#usersByEmail.all(foldUserName(email)) as { id: string }[]).map((r) => r.id);
  }

  byExternalId(type: ResourceTypeName, externalId: string): StoredResource[] {
    return (this.#byExternalId.all(type, externalId) as unknown as Row[]).map(toStored);
  }

  byDisplayName(type: ResourceTypeName, displayName: string): StoredResource[] {
    return (this.#byDisplayName.all(type, displayName) as unknown as Row[]).map(toStored);
  }

  membersOf(groupId: string): MemberRow[] {
    return (
      this.#membersOf.all(groupId) as { value: string; type: ResourceTypeName; display_name: string | null; user_name: string | null }[]
    ).map((m) => ({ value: m.value, type: m.type, display: m.display_name ?? m.user_name ?? undefined }));
  }

  groupsOf(memberId: string): GroupRef[] {
    return (this.#groupsOf.all(memberId) as { value: string; display: string | null }[]).map((g) => ({
      value: g.value,
      display: g.display ?? undefined,
    }));
  }

  /** Replaces a group's member list, keeping the order given. */
  setMembers(groupId: string, members: readonly { value: string; type: ResourceTypeName }[]): void {
    this.#clearMembers.run(groupId);
    members.forEach((m, i) => this.#addMember.run(groupId, m.value, m.type, i));
  }

  /** Adds one member at the end (no-op if already a member): a membership PATCH touches one row. */
  addMember(groupId: string, memberId: string, type: ResourceTypeName): void {
    this.#appendMember.run(groupId, memberId, type);
  }

  removeMember(groupId: string, memberId: string): void {
    this.#removeMember.run(groupId, memberId);
  }

  get db(): DatabaseSync {
    return this.#db;
  }
}

function indexColumns(data: Resource): [string | null, string | null, string | null, string | null] {
  const userName = typeof data['userName'] === 'string' ? data['userName'] : null;
  const displayName = typeof data['displayName'] === 'string' ? data['displayName'] : null;
  const externalId = typeof data['externalId'] === 'string' ? data['externalId'] : null;
  return [userName, userName === null ? null : foldUserName(userName), displayName, externalId];
}

function toStored(row: Row): StoredResource {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type as ResourceTypeName,
    data: JSON.parse(row.data) as Resource,
    created: row.created,
    lastModified: row.last_modified,
    version: row.version,
  };
}
