// One SQLite file (or memory) behind the server. Migrations are numbered and applied in order
// inside a transaction; PRAGMA user_version records how far a file has come, so a file written
// by an older version is upgraded on open and a newer one is refused rather than misread.
import { DatabaseSync } from 'node:sqlite';

const MIGRATIONS: readonly string[] = [
  // 1: resources and group membership
  `CREATE TABLE resources (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     user_name TEXT,
     user_name_folded TEXT,
     display_name TEXT,
     external_id TEXT,
     created TEXT NOT NULL,
     last_modified TEXT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE INDEX resources_type ON resources(type, seq);
   CREATE INDEX resources_user_name_folded ON resources(type, user_name_folded);
   CREATE INDEX resources_user_name ON resources(type, user_name);
   CREATE INDEX resources_external_id ON resources(type, external_id);
   CREATE INDEX resources_display_name ON resources(type, display_name);
   CREATE TABLE members (
     group_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
     member_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
     member_type TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (group_id, member_id)
   );
   CREATE INDEX members_member ON members(member_id);`,
];

export function openDatabase(file: string | undefined): DatabaseSync {
  const db = new DatabaseSync(file ?? ':memory:');
  db.exec('PRAGMA foreign_keys = ON');
  if (file) {
    // WAL keeps readers and the single writer out of each other's way and makes commits cheap;
    // NORMAL sync is durable across process crashes (not power loss), right for a test server.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
  }
  migrate(db);
  return db;
}

function migrate(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const current = row.user_version;
  if (current > MIGRATIONS.length) {
    throw new Error(`The database was written by a newer provspec (schema version ${current}; this one knows ${MIGRATIONS.length}).`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** Runs `work` in a transaction: everything it wrote is kept, or nothing is. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
