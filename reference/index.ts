// The embedded reference SCIM 2.0 server: started in-process by `provspec serve`,
// `provspec run --embedded` and the tests. It never imports core/: an independent reading of the
// RFCs, so that the runner and this server can catch each other's mistakes.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openDatabase } from './store/database.ts';
import { ResourceStore } from './store/resources.ts';
import { ScimService } from './scim/service.ts';
import { BASE_PATH, createScimServer, type RequestLogLine } from './http/server.ts';
import { DEMO_APP_PATH } from './http/demo-app.ts';
import { MISBEHAVIOURS, type Misbehaviour } from './misbehaviours.ts';
import { VARIANTS, opaqueId, type Variant } from './variants.ts';
import { OidcRelyingParty, type RelyingPartyUrls } from './federation/oidc-rp.ts';
import { FEDERATION_MISBEHAVIOURS, isFederationMisbehaviour, type FederationMisbehaviour } from './federation/misbehaviours.ts';

export { MISBEHAVIOURS, MISBEHAVIOUR_DESCRIPTIONS, parseMisbehaviours, type Misbehaviour } from './misbehaviours.ts';
export { VARIANTS, VARIANT_DESCRIPTIONS, parseVariants, type Variant } from './variants.ts';
export type { RequestLogLine } from './http/server.ts';
export {
  FEDERATION_MISBEHAVIOURS,
  FEDERATION_MISBEHAVIOUR_DESCRIPTIONS,
  parseFederationMisbehaviours,
  type FederationMisbehaviour,
} from './federation/misbehaviours.ts';

export interface ReferenceServerOptions {
  /** Interface to listen on; loopback unless said otherwise. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** SQLite file; in memory when omitted. */
  db?: string;
  /** Bearer token clients must send; a random one when omitted. */
  token?: string;
  misbehave?: readonly Misbehaviour[];
  /** Legal variants: behaviours RFC 7643/7644 permit, under which a correct client reports no failure. */
  variants?: readonly Variant[];
  maxBodyBytes?: number;
  /** Latency the `slow` misbehaviour adds to each request. */
  slowMs?: number;
  log?: (line: RequestLogLine) => void;
  /**
   * Makes the demo app a relying party of this IdP, provisioning users just in time into the
   * store SCIM serves. The IdP is discovered at the first login (it may start after this server).
   */
  /** The demo app as an OIDC relying party; `issuer` a function when the IdP starts after this server (asked at each login). */
  federation?: { oidc?: { issuer: string | (() => string | undefined); clientId: string; clientSecret?: string } };
  /** The relying party's own bugs (federation/misbehaviours.ts). */
  federationMisbehave?: readonly string[];
}

export interface ReferenceServer {
  baseUrl: string;
  /** A stand-in downstream app (GET {appUrl}/api/access/{userId}: 200 while the user is active). */
  appUrl: string;
  token: string;
  port: number;
  /** The relying party's URLs (to register at the IdP, and for a user agent to visit); present when `federation.oidc` was given. */
  federation?: RelyingPartyUrls;
  close(): Promise<void>;
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? '127.0.0.1';
  for (const flag of options.misbehave ?? []) {
    if (!(MISBEHAVIOURS as readonly string[]).includes(flag)) throw new Error(`Unknown misbehaviour "${flag}".`);
  }
  for (const variant of options.variants ?? []) {
    if (!(VARIANTS as readonly string[]).includes(variant)) throw new Error(`Unknown variant "${variant}".`);
  }
  for (const flag of options.federationMisbehave ?? []) {
    if (!isFederationMisbehaviour(flag)) {
      throw new Error(`Unknown federation misbehaviour "${flag}". Known: ${FEDERATION_MISBEHAVIOURS.join(', ')}.`);
    }
  }
  const federationFlags: ReadonlySet<FederationMisbehaviour> = new Set(options.federationMisbehave as readonly FederationMisbehaviour[]);
  const oidc = options.federation?.oidc;
  if (oidc && typeof oidc.issuer === 'string' && !URL.canParse(oidc.issuer))
    throw new Error(`federation.oidc.issuer ${JSON.stringify(oidc.issuer)} is not a URL.`);
  if (oidc && oidc.clientId === '') throw new Error('federation.oidc.clientId is empty.');
  const variants: ReadonlySet<Variant> = new Set(options.variants ?? []);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const db = openDatabase(options.db);
  const store = new ResourceStore(db, variants.has('opaque-ids') ? { newId: opaqueId } : {});
  let service: ScimService | undefined;
  let rp: OidcRelyingParty | undefined;
  const server = createScimServer(() => service!, {
    token,
    flags: new Set(options.misbehave ?? []),
    variants,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    slowMs: options.slowMs ?? 200,
    log: options.log,
    federation: () => rp,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const baseUrl = `http://${urlHost}:${port}${BASE_PATH}`;
  service = new ScimService(store, baseUrl, new Set(options.misbehave ?? []), variants);
  if (oidc) {
    rp = new OidcRelyingParty({
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      origin: `http://${urlHost}:${port}`,
      // The app provisions through a service of its own over the same store: the SCIM endpoint's
      // misbehaviours are bugs of that endpoint, not of the app's JIT path (one flag, one behaviour).
      service: new ScimService(store, baseUrl, new Set(), variants),
      flags: federationFlags,
    });
  }
  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    appUrl: `http://${urlHost}:${port}${DEMO_APP_PATH}`,
    token,
    port,
    ...(rp ? { federation: { ...rp.urls } } : {}),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeIdleConnections();
        // Requests in flight get a moment to finish; then their connections are cut.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}
