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
import { SamlServiceProvider, certificatePem, type ServiceProviderUrls } from './federation/saml-sp.ts';
import { SAML_MISBEHAVIOURS, isSamlMisbehaviour, type SamlMisbehaviour } from './federation/saml-misbehaviours.ts';

export { MISBEHAVIOURS, MISBEHAVIOUR_DESCRIPTIONS, parseMisbehaviours, type Misbehaviour } from './misbehaviours.ts';
export { VARIANTS, VARIANT_DESCRIPTIONS, parseVariants, type Variant } from './variants.ts';
export type { RequestLogLine } from './http/server.ts';
export {
  FEDERATION_MISBEHAVIOURS,
  FEDERATION_MISBEHAVIOUR_DESCRIPTIONS,
  parseFederationMisbehaviours,
  type FederationMisbehaviour,
} from './federation/misbehaviours.ts';
export {
  SAML_MISBEHAVIOURS,
  SAML_MISBEHAVIOUR_DESCRIPTIONS,
  parseSamlMisbehaviours,
  type SamlMisbehaviour,
} from './federation/saml-misbehaviours.ts';
export type { ServiceProviderUrls } from './federation/saml-sp.ts';

/**
 * The demo app as a SAML 2.0 service provider. Functions where the IdP starts after this server:
 * they are asked at each login, and a changed answer is a new IdP.
 */
export interface SamlFederationOptions {
  idpSsoUrl: string | (() => string | undefined);
  /** The IdP's signing certificate, PEM or base64 DER. */
  idpCert: string | (() => string | undefined);
  /** The IdP's entity ID, which the assertion's Issuer must be; any issuer the certificate vouches for when absent. */
  idpIssuer?: string | (() => string | undefined);
  /** The SP's entity ID, and the audience its assertions must name; the metadata URL by default. */
  spEntityId?: string;
}

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
  federation?: {
    oidc?: { issuer: string | (() => string | undefined); clientId: string; clientSecret?: string };
    saml?: SamlFederationOptions;
  };
  /** The relying party's own bugs (federation/misbehaviours.ts). */
  federationMisbehave?: readonly string[];
  /** The SAML service provider's own bugs (federation/saml-misbehaviours.ts). */
  samlMisbehave?: readonly string[];
}

export interface ReferenceServer {
  baseUrl: string;
  /** A stand-in downstream app (GET {appUrl}/api/access/{userId}: 200 while the user is active). */
  appUrl: string;
  token: string;
  port: number;
  /**
   * The demo app's URLs, to register at the IdP and for a user agent to visit: the OIDC relying
   * party's when `federation.oidc` was given, the SAML service provider's under `saml` when
   * `federation.saml` was. The OIDC fields are typed present, as before SAML, but with SAML alone
   * only `saml` is there.
   */
  federation?: RelyingPartyUrls & { saml?: ServiceProviderUrls };
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
  for (const flag of options.samlMisbehave ?? []) {
    if (!isSamlMisbehaviour(flag)) throw new Error(`Unknown SAML misbehaviour "${flag}". Known: ${SAML_MISBEHAVIOURS.join(', ')}.`);
  }
  const saml = options.federation?.saml;
  if (saml && typeof saml.idpSsoUrl === 'string' && !URL.canParse(saml.idpSsoUrl))
    throw new Error(`federation.saml.idpSsoUrl ${JSON.stringify(saml.idpSsoUrl)} is not a URL.`);
  if (saml && typeof saml.idpCert === 'string') {
    try {
      certificatePem(saml.idpCert);
    } catch {
      throw new Error('federation.saml.idpCert is not an X.509 certificate (PEM, or base64 DER).');
    }
  }
  if (saml && saml.spEntityId === '') throw new Error('federation.saml.spEntityId is empty.');
  const variants: ReadonlySet<Variant> = new Set(options.variants ?? []);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const db = openDatabase(options.db);
  const store = new ResourceStore(db, variants.has('opaque-ids') ? { newId: opaqueId } : {});
  let service: ScimService | undefined;
  let rp: OidcRelyingParty | undefined;
  let sp: SamlServiceProvider | undefined;
  const server = createScimServer(() => service!, {
    token,
    flags: new Set(options.misbehave ?? []),
    variants,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    slowMs: options.slowMs ?? 200,
    log: options.log,
    federation: () => rp,
    saml: () => sp,
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
  if (saml) {
    sp = new SamlServiceProvider({
      idpSsoUrl: saml.idpSsoUrl,
      idpCert: saml.idpCert,
      idpIssuer: saml.idpIssuer,
      spEntityId: saml.spEntityId,
      origin: `http://${urlHost}:${port}`,
      // As for the relying party: a service of the app's own, free of the SCIM endpoint's misbehaviours.
      service: new ScimService(store, baseUrl, new Set(), variants),
      flags: federationFlags,
      samlFlags: new Set(options.samlMisbehave as readonly SamlMisbehaviour[]),
    });
  }
  // Cast: with SAML alone the OIDC fields the type promises are absent (see ReferenceServer.federation).
  const federation = rp || sp ? ({ ...rp?.urls, ...(sp ? { saml: { ...sp.urls } } : {}) } as ReferenceServer['federation']) : undefined;
  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    appUrl: `http://${urlHost}:${port}${DEMO_APP_PATH}`,
    token,
    port,
    ...(federation ? { federation } : {}),
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
