// Just-in-time provisioning: a federated identity, once the RP has validated it, becomes a SCIM
// User in the same store the SCIM endpoint serves, through ScimService, so a JIT-created user is
// exactly what a SCIM client would have created (same validation, versions, uniqueness).
//   - accounts are keyed by (iss, sub); the email is only used once, to adopt a user that SCIM
//     pre-provisioned, and only when the IdP says the email is verified;
//   - the claims are the source of truth: every login writes them over the user's attributes;
//   - group membership follows the groups claim, limited to groups that exist: the app maps
//     groups to its roles, it never creates them.
import { ScimError } from '../scim/errors.ts';
import { foldUserName, type ScimService } from '../scim/service.ts';
import type { StoredResource } from '../store/resources.ts';
import { AccountLinks } from './links.ts';
import type { FederationMisbehaviour } from './misbehaviours.ts';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** What the RP read from the ID token (and userinfo) about who signed in. */
export interface Identity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  preferredUsername: string | undefined;
  givenName: string | undefined;
  familyName: string | undefined;
  name: string | undefined;
  /** Group displayNames; empty when the claim is absent. */
  groups: string[];
  department: string | undefined;
}

export type SignIn = { ok: true; userId: string } | { ok: false; status: number; error: string; description: string };

/** The claims this module maps; a login whose ID token lacks one of them asks userinfo. */
export const MAPPED_CLAIMS = ['email', 'email_verified', 'preferred_username', 'given_name', 'family_name', 'name', 'groups', 'department'];

export function identityFromClaims(issuer: string, subject: string, claims: Record<string, unknown>): Identity {
  const text = (name: string): string | undefined => {
    const value = claims[name];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const groups = claims['groups'];
  const verified = claims['email_verified'];
  return {
    issuer,
    subject,
    email: text('email'),
    // Some IdPs (Cognito) send the boolean as a string; "true" says the same thing.
    emailVerified: verified === true || (typeof verified === 'string' && verified.toLowerCase() === 'true'),
    preferredUsername: text('preferred_username'),
    givenName: text('given_name'),
    familyName: text('family_name'),
    name: text('name'),
    // A lone string is what some IdPs send for a user in exactly one group.
    groups: Array.isArray(groups)
      ? groups.filter((g): g is string => typeof g === 'string' && g !== '')
      : typeof groups === 'string' && groups !== ''
        ? [groups]
        : [],
    department: text('department'),
  };
}

/** How long a `jit-race-duplicates` first sign-in waits for a second of the same person (a loaded machine included). */
const RACE_WINDOW_MS = 1500;

export class JitProvisioner {
  readonly #service: ScimService;
  readonly #links: AccountLinks;
  readonly #flags: ReadonlySet<FederationMisbehaviour>;
  /** `jit-race-duplicates`: first sign-ins waiting in the gap, by account key, each ended by the next that arrives. */
  readonly #waiting = new Map<string, () => void>();

  constructor(service: ScimService, flags: ReadonlySet<FederationMisbehaviour>) {
    this.#service = service;
    this.#links = new AccountLinks(service.store.db);
    this.#flags = flags;
  }

  /**
   * Finds, adopts or creates the user behind a validated identity and brings it up to date.
   * Every step is synchronous, so no other request sees a half-provisioned user; only
   * `jit-race-duplicates` waits (as an app's database round trip would) between the lookup and the
   * create, so that a second sign-in of the same person in that gap finds no account either.
   */
  async signIn(identity: Identity): Promise<SignIn> {
    const key = `${identity.issuer}\n${this.#accountKey(identity)}`;
    if (this.#flags.has('jit-race-duplicates') && !this.#links.userFor(identity.issuer, this.#accountKey(identity))) {
      // The bug: what the lookup said is trusted after the wait, when another sign-in may have made
      // the account. The wait is the app's I/O, made wide enough that a second sign-in of the same
      // person sent at the same moment lands in it (it ends as soon as one does).
      const partner = this.#waiting.get(key);
      if (partner) partner();
      else
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, RACE_WINDOW_MS);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.#waiting.set(key, done);
        }).finally(() => this.#waiting.delete(key));
      return this.#signInNow(identity, true);
    }
    return this.#signInNow(identity, false);
  }

  #signInNow(identity: Identity, lookedUpUnlinked: boolean): SignIn {
    const userName = identity.preferredUsername ?? identity.email;
    if (userName === undefined) {
      return refused(
        403,
        'missing_claims',
        'The IdP released neither preferred_username nor email, so there is no userName to give the user.',
      );
    }
    const store = this.#service.store;
    const key = this.#accountKey(identity);
    const linkedId = lookedUpUnlinked ? undefined : this.#links.userFor(identity.issuer, key);
    const linked = linkedId === undefined ? undefined : store.get('User', linkedId);
    // The foreign key normally drops the link with its user; a stale one is only a leftover.
    if (linkedId !== undefined && !linked) this.#links.unlink(identity.issuer, key);
    try {
      if (linked) {
        if (linked.data['active'] === false) return disabled();
        if (!this.#flags.has('jit-no-update')) {
          this.#update(linked, identity, userName);
          this.#syncGroups(linked.id, identity.groups);
        }
        return { ok: true, userId: linked.id };
      }
      const adopted = this.#adoptable(identity);
      if (adopted === 'ambiguous') {
        return refused(
          409,
          'account_conflict',
          'Several users not yet linked to an account hold this email; which one is meant is unclear.',
        );
      }
      if (adopted) {
        if (adopted.data['active'] === false) return disabled();
        this.#update(adopted, identity, userName);
        this.#links.link(identity.issuer, key, adopted.id);
        this.#syncGroups(adopted.id, identity.groups);
        return { ok: true, userId: adopted.id };
      }
      const created = this.#service.create('User', newUser(identity, userName));
      this.#links.link(identity.issuer, key, created.stored.id);
      this.#syncGroups(created.stored.id, identity.groups);
      return { ok: true, userId: created.stored.id };
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      // A userName or email another user holds, or claims that make no valid user.
      if (error.status === 409) return refused(409, 'account_conflict', error.message);
      return refused(403, 'invalid_claims', error.message);
    }
  }

  /** `jit-links-by-email`: the bug keys accounts by the mutable email instead of the stable (iss, sub). */
  #accountKey(identity: Identity): string {
    if (this.#flags.has('jit-links-by-email') && identity.email !== undefined) return `email:${foldUserName(identity.email)}`;
    return identity.subject;
  }

  /** An existing user no account is linked to yet, whose userName or an email is this identity's verified email. */
  #adoptable(identity: Identity): StoredResource | 'ambiguous' | undefined {
    const email = identity.email;
    if (email === undefined) return undefined;
    // An unverified email proves nothing: adopting on it hands an existing account to whoever typed the address.
    if (!identity.emailVerified && !this.#flags.has('jit-links-unverified-email')) return undefined;
    const store = this.#service.store;
    const ids = new Set([...store.usersByUserName(email, 'case-insensitive').map((u) => u.id), ...store.usersWithEmail(email)]);
    const candidates = [...ids]
      .filter((id) => !this.#links.isLinked(id))
      .map((id) => store.get('User', id))
      .filter((u): u is StoredResource => u !== undefined);
    if (candidates.length > 1) return 'ambiguous';
    return candidates[0];
  }

  /** Writes the claims over the user's attributes: one PATCH of what differs, none when nothing does. */
  #update(user: StoredResource, identity: Identity, userName: string): void {
    const data = user.data;
    const operations: { op: 'replace'; path: string; value: unknown }[] = [];
    const replace = (path: string, now: unknown, wanted: string | undefined) => {
      if (wanted !== undefined && now !== wanted) operations.push({ op: 'replace', path, value: wanted });
    };
    const name = (data['name'] ?? {}) as Record<string, unknown>;
    const enterprise = (data[ENTERPRISE_URN] ?? {}) as Record<string, unknown>;
    replace('userName', data['userName'], userName);
    replace('name.givenName', name['givenName'], identity.givenName);
    replace('name.familyName', name['familyName'], identity.familyName);
    replace('displayName', data['displayName'], identity.name);
    replace(`${ENTERPRISE_URN}:department`, enterprise['department'], identity.department);
    if (identity.email !== undefined) {
      const current = Array.isArray(data['emails']) ? (data['emails'] as Record<string, unknown>[]) : [];
      const emails = withPrimaryEmail(current, identity.email);
      if (!sameEmails(current, emails)) operations.push({ op: 'replace', path: 'emails', value: emails });
    }
    if (operations.length === 0) return;
    this.#service.patch('User', user.id, { schemas: [PATCH_SCHEMA], Operations: operations }, {});
  }

  /** Makes the user a direct member of exactly the existing groups the claim names (case-insensitively). */
  #syncGroups(userId: string, claimed: readonly string[]): void {
    const names = this.#flags.has('jit-single-group-dropped') && claimed.length === 1 ? [] : claimed;
    const wanted = new Set(names.map(foldUserName));
    const store = this.#service.store;
    const memberOf = new Set(store.groupsOf(userId).map((g) => g.value));
    for (const group of store.all('Group')) {
      const displayName = group.data['displayName'];
      const match = typeof displayName === 'string' && wanted.has(foldUserName(displayName));
      if (match === memberOf.has(group.id)) continue;
      const operation = match
        ? { op: 'add', path: 'members', value: [{ value: userId }] }
        : { op: 'remove', path: `members[value eq ${JSON.stringify(userId)}]` };
      this.#service.patch('Group', group.id, { schemas: [PATCH_SCHEMA], Operations: [operation] }, {});
    }
  }
}

function refused(status: number, error: string, description: string): SignIn {
  return { ok: false, status, error, description };
}

function disabled(): SignIn {
  return refused(403, 'account_disabled', 'The account is deactivated.');
}

function newUser(identity: Identity, userName: string): Record<string, unknown> {
  const user: Record<string, unknown> = { schemas: [USER_SCHEMA], userName, active: true };
  const name: Record<string, string> = {};
  if (identity.givenName !== undefined) name['givenName'] = identity.givenName;
  if (identity.familyName !== undefined) name['familyName'] = identity.familyName;
  if (Object.keys(name).length > 0) user['name'] = name;
  if (identity.name !== undefined) user['displayName'] = identity.name;
  if (identity.email !== undefined) user['emails'] = [{ value: identity.email, type: 'work', primary: true }];
  if (identity.department !== undefined) {
    user['schemas'] = [USER_SCHEMA, ENTERPRISE_URN];
    user[ENTERPRISE_URN] = { department: identity.department };
  }
  return user;
}

/**
 * The IdP's email as the primary one, in place of the old primary (an email changed at the IdP
 * replaces it); other addresses a SCIM client gave the user stay, as the claims say nothing of them.
 */
function withPrimaryEmail(current: readonly Record<string, unknown>[], email: string): Record<string, unknown>[] {
  const folded = foldUserName(email);
  const same = (entry: Record<string, unknown>) => typeof entry['value'] === 'string' && foldUserName(entry['value']) === folded;
  const primary = current.find((e) => e['primary'] === true) ?? current.find(same);
  const others = current.filter((e) => e !== primary && !same(e)).map((e) => (e['primary'] === true ? { ...e, primary: false } : e));
  const type = typeof primary?.['type'] === 'string' ? primary['type'] : 'work';
  return [{ value: email, type, primary: true }, ...others];
}

function sameEmails(a: readonly Record<string, unknown>[], b: readonly Record<string, unknown>[]): boolean {
  if (a.length !== b.length) return false;
  const fields = ['value', 'type', 'primary', 'display'];
  return a.every((entry, i) => fields.every((f) => (entry[f] ?? null) === (b[i]![f] ?? null)));
}
