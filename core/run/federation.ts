// The run's identity provider, for specs with a `federation` section: started once per run on
// 127.0.0.1 (before the first scenario that signs in), with the app's client registered as the
// spec states it, and closed with the run. Scenarios add their people as accounts.
import type { Spec } from '../spec/types.ts';
import { interpolate, type ExpressionScope } from '../expressions/evaluate.ts';
import type { SecretRegistry } from '../scim/secrets.ts';
import { startOidcIdp, type OidcIdp } from '../federation/oidc-idp.ts';

/** What a run knows of the federation: the IdP it plays and the app's URLs, expressions resolved. */
export interface RunFederation {
  idp: OidcIdp;
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
  if (spec.conformance?.includes('oidc-rp')) return true;
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
  const secret = federation.client.secret === undefined ? undefined : text(federation.client.secret);
  secrets.add(secret);
  const redirectUris = federation.client.redirectUris.map(text);
  const backchannelLogoutUri =
    federation.client.backchannelLogoutUri === undefined ? undefined : text(federation.client.backchannelLogoutUri);
  const start = text(federation.start);
  const session = { url: text(federation.session.get), userName: federation.session.userName ?? '/userName' };
  const logout = federation.logout === undefined ? undefined : text(federation.logout);
  const claims = Object.keys(federation.claims ?? {});
  const groupsClaim = federation.groupsClaim === null ? undefined : (federation.groupsClaim ?? 'groups');
  if (groupsClaim && !claims.includes(groupsClaim)) claims.push(groupsClaim);
  const idp = await startOidcIdp({
    client: {
      clientId: text(federation.client.id),
      ...(secret === undefined ? {} : { clientSecret: secret }),
      redirectUris,
      ...(backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri }),
    },
    claims,
    ...(federation.port === undefined ? {} : { port: federation.port }),
  });
  const appOrigins = federation.allowedOrigins?.map((o) => new URL(text(o)).origin) ?? [
    ...new Set([start, session.url, ...(logout ? [logout] : []), ...redirectUris].map((u) => new URL(u).origin)),
  ];
  return {
    idp,
    start,
    session,
    ...(logout === undefined ? {} : { logout }),
    allowedOrigins: [...new Set([...appOrigins, new URL(idp.issuer).origin])],
    groupsClaim,
    updatesOnLogin: federation.updatesOnLogin ?? true,
    backchannel: backchannelLogoutUri !== undefined,
  };
}
