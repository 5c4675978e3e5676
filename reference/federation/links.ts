// Which federated account is which SCIM user: (issuer, subject) → user id, in the same SQLite
// database as the users, so links last exactly as long as the users do. The foreign key drops a
// link with its user, so a user deleted by SCIM is provisioned anew at its next login.
//
// The table is created here, outside the numbered migrations of store/database.ts: a database
// used with federation then stays readable by a server that has none, and the other way round.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export class AccountLinks {
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #remove: StatementSync;
  readonly #linked: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(
      `CREATE TABLE IF NOT EXISTS federation_links (
         issuer TEXT NOT NULL,
         subject TEXT NOT NULL,
         user_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
         created TEXT NOT NULL,
         PRIMARY KEY (issuer, subject)
       );
       CREATE INDEX IF NOT EXISTS federation_links_user ON federation_links(user_id);`,
    );
    this.#get = db.prepare('SELECT user_id FROM federation_links WHERE issuer = ? AND subject = ?');
    this.#set = db.prepare('INSERT OR REPLACE INTO federation_links (issuer, subject, user_id, created) VALUES (?, ?, ?, ?)');
    this.#remove = db.prepare('DELETE FROM federation_links WHERE issuer = ? AND subject = ?');
    this.#linked = db.prepare('SELECT 1 AS one FROM federation_links WHERE user_id = ? LIMIT 1');
  }

  userFor(issuer: string, subject: string): string | undefined {
    const row = this.#get.get(issuer, subject) as { user_id: string } | undefined;
    return row?.user_id;
  }

  link(issuer: string, subject: string, userId: string): void {
    this.#set.run(issuer, subject, userId, new Date().toISOString());
  }

  unlink(issuer: string, subject: string): void {
    this.#remove.run(issuer, subject);
  }

  /** Whether any federated account is linked to this user. */
  isLinked(userId: string): boolean {
    return this.#linked.get(userId) !== undefined;
  }
}
