// The IdP's storage: oidc-provider's adapter interface over Maps, one IdP's own (its built-in
// memory adapter is process-wide, warns on start, and cannot list what it holds). Listing is
// what removing an account needs: every session the account has, to log each out.
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch ms; undefined: until the IdP closes. */
  expiresAt: number | undefined;
}

/** Models whose entries belong to a grant, and go when it is revoked. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

const SWEEP_EVERY = 500;

export class IdpStore {
  readonly #models = new Map<string, Map<string, Entry>>();
  #writes = 0;

  /** The factory oidc-provider's `adapter` setting takes: one adapter per model name. */
  readonly adapter = (model: string): Adapter => this.#adapterFor(model);

  /** Every live session of an account, with its id (the session cookie's value). */
  sessionsOf(accountId: string): Array<{ id: string; payload: AdapterPayload }> {
    const out: Array<{ id: string; payload: AdapterPayload }> = [];
    for (const [id, entry] of this.#model('Session')) {
      if (live(entry) && entry.payload.accountId === accountId) out.push({ id, payload: entry.payload });
    }
    return out;
  }

  /** The ids of the account's grants. */
  grantsOf(accountId: string): string[] {
    return [...this.#model('Grant')].filter(([, entry]) => entry.payload.accountId === accountId).map(([id]) => id);
  }

  destroy(model: string, id: string): void {
    this.#model(model).delete(id);
  }

  /** Every token issued under the grant, and the grant itself. */
  revokeGrant(grantId: string): void {
    for (const model of GRANTABLE) {
      for (const [id, entry] of this.#model(model)) if (entry.payload.grantId === grantId) this.#model(model).delete(id);
    }
    this.#model('Grant').delete(grantId);
  }

  clear(): void {
    this.#models.clear();
  }

  #sweep(): void {
    for (const entries of this.#models.values()) for (const [id, entry] of entries) if (!live(entry)) entries.delete(id);
  }

  #model(name: string): Map<string, Entry> {
    let entries = this.#models.get(name);
    if (!entries) this.#models.set(name, (entries = new Map()));
    return entries;
  }

  #find(model: string, matches: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const entry of this.#model(model).values()) if (live(entry) && matches(entry.payload)) return entry.payload;
    return undefined;
  }

  #adapterFor(model: string): Adapter {
    const entries = this.#model(model);
    // oidc-provider only calls the adapter inside a request or an awaited call of ours; async
    // functions over synchronous Maps keep its contract (promises) without a real store.
    return {
      upsert: async (id, payload, expiresIn) => {
        // Expired entries go when read; a sweep now and then drops those never read again
        // (consumed codes, ended interactions), so a long run's store stays its live size.
        if (++this.#writes % SWEEP_EVERY === 0) this.#sweep();
        entries.set(id, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined });
      },
      find: async (id) => {
        const entry = entries.get(id);
        if (entry && !live(entry)) entries.delete(id);
        return entry && live(entry) ? entry.payload : undefined;
      },
      findByUid: async (uid) => this.#find(model, (p) => p.uid === uid),
      findByUserCode: async (userCode) => this.#find(model, (p) => p.userCode === userCode),
      consume: async (id) => {
        const entry = entries.get(id);
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        entries.delete(id);
      },
      revokeByGrantId: async (grantId) => {
        for (const [id, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(id);
      },
    };
  }
}

function live(entry: Entry): boolean {
  return entry.expiresAt === undefined || entry.expiresAt > Date.now();
}
