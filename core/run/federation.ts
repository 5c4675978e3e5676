// The run's identity provider, for specs with a `federation` section: started once per run on
// 127.0.0.1 (by the first step that signs in), with the app registered as the spec states it (an
// OIDC client or a SAML service provider), and closed with the run. Scenarios add their people
// as accounts.
import type { IdentityValue, Spec } from '../spec/types.ts';
import { interpolate, interpolateDeep, type ExpressionScope } from '../expressions/evaluate.ts';
import { groupExpectations } from './identity.ts';
import type { SecretRegistry } from '../scim/secrets.ts';
import { startOidcIdp, type BackchannelDelivery, type OidcIdp } from '../federation/oidc-idp.ts';
import { startSamlIdp, type SamlIdp } from '../federation/saml-idp.ts';

/** What the steps ask of either IdP: people to sign in, and people gone. */
export interface FederationIdp {
  readonly protocol: 'oidc' | 'saml';
  readonly issuer: string;
  setAccount(account: { sub: string; claims: Record<string, unknown> }): void;
  /** Back-channel logout deliveries (OIDC); none for SAML, which has no back channel here. */
  removeAccount(sub: string): Promise<BackchannelDelivery[]>;
  close(): Promise<void>;
  /** The OIDC IdP itself, for the oidc-rp suite's tampered tokens. */
  readonly oidc?: OidcIdp;
  /** The SAML IdP itself: what an app must be told of it (SSO URL, certificate). */
  readonly saml?: SamlIdp;
}

/** What a run knows of the federation: the IdP it plays and the app's URLs, expressions resolved. */
export interface RunFederation {
  idp: FederationIdp;
  start: string;
  session: { url: string; userName: string };
  logout?: string;
  /** Origins the person's user agent may visit: the app's and the IdP's. */
  allowedOrigins: string[];
  groupsClaim: string | undefined;
  updatesOnLogin: boolean;
  backchannel: boolean;
}

/** Whether any scenario the run takes signs in: only then is an IdP started. */
export function signsIn(spec: Spec): boolean {
  if (!spec.federation) return false;
  if (spec.conformance?.includes('oidc-rp') || spec.conformance?.includes('saml-sp')) return true;
  return Object.values(spec.lifecycle ?? {}).some(
    (scenario) =>
      !scenario.skip &&
      scenario.steps.some(
        (step) =>
          step === 'login' || step === 'logout' || (typeof step === 'object' && ('login' in step || 'idp' in step || 'logout' in step)),
      ),
  );
}

export async function startFederation(spec: Spec, scope: ExpressionScope, secrets: SecretRegistry): Promise<RunFederation> {
  const federation = spec.federation!;
  const text = (value: string) => String(interpolate(value, scope));
  const start = text(federation.start);
  const session = { url: text(federation.session.get), userName: federation.session.userName ?? '/userName' };
  const logout = federation.logout === undefined ? undefined : text(federation.logout);
  const claims = Object.keys(federation.claims ?? {});
  const groupsClaim = federation.groupsClaim === null ? undefined : (federation.groupsClaim ?? 'groups');
  if (groupsClaim && !claims.includes(groupsClaim)) claims.push(groupsClaim);
  const port = federation.port === undefined ? {} : { port: federation.port };
  let idp: FederationIdp;
  let appUrls: string[];
  let backchannel = false;
  if (federation.protocol === 'saml') {
    const sp = federation.sp!;
    const acsUrl = text(sp.acsUrl);
    const saml = await startSamlIdp({
      sp: { entityId: text(sp.entityId), acsUrl, ...(sp.audience === undefined ? {} : { audience: text(sp.audience) }) },
      ...port,
    });
    idp = samlIdp(saml);
    appUrls = [acsUrl];
  } else {
    const client = federation.client!;
    const secret = client.secret === undefined ? undefined : text(client.secret);
    secrets.add(secret);
    const redirectUris = client.redirectUris.map(text);
    const backchannelLogoutUri = client.backchannelLogoutUri === undefined ? undefined : text(client.backchannelLogoutUri);
    const oidc = await startOidcIdp({
      client: {
        clientId: text(client.id),
        ...(secret === undefined ? {} : { clientSecret: secret }),
        redirectUris,
        ...(backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri }),
      },
      claims,
      ...port,
    });
    idp = {
      protocol: 'oidc',
      issuer: oidc.issuer,
      setAccount: (account) => oidc.setAccount(account),
      removeAccount: (sub) => oidc.removeAccount(sub),
      close: () => oidc.close(),
      oidc,
    };
    appUrls = redirectUris;
    backchannel = backchannelLogoutUri !== undefined;
  }
  const appOrigins = federation.allowedOrigins?.map((o) => new URL(text(o)).origin) ?? [
    ...new Set([start, session.url, ...(logout ? [logout] : []), ...appUrls].map((u) => new URL(u).origin)),
  ];
  return {
    idp,
    start,
    session,
    ...(logout === undefined ? {} : { logout }),
    allowedOrigins: [...new Set([...appOrigins, new URL(idp.issuer).origin])],
    groupsClaim,
    updatesOnLogin: federation.updatesOnLogin ?? true,
    backchannel,
  };
}

/**
 * The claims the spec derives from an identity: its `claims` (but `sub`, which names the account),
 * and under `groupsClaim` the groups the role rules put it in, as the target names them.
 */
export function identityClaims(
  spec: Spec,
  scope: ExpressionScope,
  identity: Readonly<Record<string, IdentityValue>>,
  groupsClaim: string | undefined,
  displayName: (group: string) => string | undefined,
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.federation?.claims ?? {})) {
    if (name !== 'sub') claims[name] = interpolateDeep(value, scope);
  }
  if (groupsClaim) {
    const { memberOf } = groupExpectations(spec.roles, identity);
    claims[groupsClaim] = [...memberOf.keys()].map((name) => displayName(name) ?? name);
  }
  return claims;
}

/** SAML attributes are strings: a claim's number or boolean is sent as its text, a list as several values. */
function samlIdp(saml: SamlIdp): FederationIdp {
  const attribute = (value: unknown): string | string[] | undefined => {
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.map((v) => String(v)) : String(value);
  };
  return {
    protocol: 'saml',
    issuer: saml.issuer,
    setAccount: ({ sub, claims }) => {
      const attributes: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(claims)) {
        const text = attribute(value);
        if (text !== undefined) attributes[name] = text;
      }
      saml.setAccount({ nameId: sub, attributes });
    },
    removeAccount: async (sub) => {
      saml.removeAccount(sub);
      return [];
    },
    close: () => saml.close(),
    saml,
  };
}
