// The demo app as a SAML 2.0 service provider: SP-initiated Web Browser SSO (AuthnRequest by the
// HTTP-Redirect binding, Response by HTTP-POST) through @node-saml/node-saml, and the same
// just-in-time provisioning as the OIDC relying party (jit.ts). The XML signature, InResponseTo,
// audience and time checks are the library's; what is left here is the app's own business: which
// login a response ends, that it ends it once, who the person is, and what a session is.
//
// Routes (under the reference server's origin):
//   GET  /app/saml/login    → 302 to the IdP's SSO URL with a SAMLRequest and a RelayState
//   POST /app/saml/acs      → validate, provision, session cookie, 302 /app/home
//   GET  /app/saml/metadata → the SP's metadata, for the IdP's administrator
// and, for a browser whose session cookie holds a SAML session (or when no OIDC relying party
// exists), the app's shared pages /app/home, /app/api/me and /app/logout (app-session.ts).
//
// SAMLResponses, assertions and cookies are never logged: the server's log line carries the path only.
import { X509Certificate } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import {
  SAML,
  ValidateInResponseTo,
  generateServiceProviderMetadata,
  type CacheItem,
  type CacheProvider,
  type Profile,
  type SamlConfig,
} from '@node-saml/node-saml';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { ScimService } from '../scim/service.ts';
import { JitProvisioner, type Identity } from './jit.ts';
import type { FederationMisbehaviour } from './misbehaviours.ts';
import type { SamlMisbehaviour } from './saml-misbehaviours.ts';
import {
  APP_PATHS,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  cookie,
  expireCookie,
  json,
  messageOf,
  notAllowed,
  randomId,
  readCookies,
  sessionEntry,
  userView,
  type AppReply,
  type AppRequest,
} from './app-session.ts';

export const SAML_PATHS = {
  login: '/app/saml/login',
  acs: '/app/saml/acs',
  metadata: '/app/saml/metadata',
} as const;

const OWN_PATHS: ReadonlySet<string> = new Set(Object.values(SAML_PATHS));
const SHARED_PATHS: ReadonlySet<string> = new Set(Object.values(APP_PATHS));

/** A value known at start-up, or asked for at each login (an IdP started after this server). */
type Late<T> = T | (() => T | undefined);

export interface ServiceProviderOptions {
  idpSsoUrl: Late<string>;
  /** The IdP's signing certificate: PEM, or the base64 of its DER as IdP metadata gives it. */
  idpCert: Late<string>;
  /** The IdP's entity ID; when absent, whatever Issuer the certificate's signature vouches for. */
  idpIssuer?: Late<string> | undefined;
  /** The SP's entity ID (and the audience its assertions must name); the metadata URL by default. */
  spEntityId?: string | undefined;
  /** The reference server's origin (http://127.0.0.1:port): the ACS URL is built on it. */
  origin: string;
  service: ScimService;
  /** The JIT provisioning bugs (misbehaviours.ts) apply whatever the protocol. */
  flags: ReadonlySet<FederationMisbehaviour>;
  samlFlags: ReadonlySet<SamlMisbehaviour>;
}

export interface ServiceProviderUrls {
  loginUrl: string;
  acsUrl: string;
  entityId: string;
  metadataUrl: string;
}

interface IdpConfig {
  ssoUrl: string;
  cert: string;
  issuer: string | undefined;
}

interface Idp {
  /** The configuration, as one string: a different one is a different IdP. */
  key: string;
  config: IdpConfig;
  saml: ServiceProviderSaml;
}

/** A login sent to the IdP and not yet answered, by the RelayState that went with it. */
interface PendingLogin {
  requestId: string;
  /** The IdP the request went to: its answer is checked against that IdP's certificate, even if another has been configured since. */
  idp: Idp;
  expires: number;
}

interface Session {
  userId: string;
  issuer: string;
  subject: string;
  expires: number;
  /** The user as at login: what `jit-session-survives-removal` keeps showing once the user is gone. */
  snapshot: Record<string, unknown>;
}

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const METADATA_TYPE = 'application/samlmetadata+xml; charset=utf-8';
const LOGIN_LIFETIME_MS = 10 * 60 * 1000;
/** Clocks differ a little between an IdP and an SP; NotBefore and NotOnOrAfter are given this much leeway, no more. */
const CLOCK_SKEW_MS = 30 * 1000;

/**
 * The library, plus the paths `saml-accepts-unsigned` and `saml-reads-first-assertion` need.
 * node-saml 5 refuses a response with no valid signature whatever its options say
 * (wantAssertionsSigned and wantAuthnResponseSigned false still require one of the two), and one
 * with several assertions, so those bugs live in app code, as they do in real apps: "verify the
 * signature when there is one", "check that an assertion is signed, then read the assertion".
 */
class ServiceProviderSaml extends SAML {
  /**
   * The checks node-saml makes after a signature verifies (InResponseTo, SubjectConfirmation,
   * Conditions, audience), run on an assertion nothing signed; the request is used up either way,
   * as the library does with the responses it refuses.
   */
  async validateUnsignedAsync(xml: string, assertionXml: string, inResponseTo: string | null): Promise<Profile> {
    try {
      await this.validateInResponseTo(inResponseTo);
      const { profile } = await this.processValidlySignedAssertionAsync(assertionXml, xml, inResponseTo);
      return profile;
    } catch (error) {
      if (inResponseTo !== null) await this.cacheProvider.removeAsync(inResponseTo);
      throw error;
    }
  }

  /**
   * `saml-reads-first-assertion`: the app's own signature check, that one of the assertions
   * carries a valid signature of the IdP, then the library's checks and reading of the first
   * Assertion of the document, whichever that is; the request is used up either way.
   */
  async validateFirstAssertionAsync(xml: string, assertions: readonly Element[], inResponseTo: string | null): Promise<Profile> {
    try {
      await this.validateInResponseTo(inResponseTo);
      const certificates = await this.getKeyInfosAsPem();
      if (!assertions.some((assertion) => signedByOneOf(xml, assertion, certificates))) {
        throw new Error('Invalid signature: no assertion carries a valid signature of the IdP');
      }
      const first = new XMLSerializer().serializeToString(assertions[0]!);
      const { profile } = await this.processValidlySignedAssertionAsync(first, xml, inResponseTo);
      return profile;
    } catch (error) {
      if (inResponseTo !== null) await this.cacheProvider.removeAsync(inResponseTo);
      throw error;
    }
  }
}

/**
 * `saml-accepts-replay`: the app's own store of the request IDs it sent, as apps write one to share
 * between instances (node-saml's lives in one process), with a remove left a stub: an answered
 * request stays answerable until it expires, so the response that answered it passes again.
 */
class RequestIdStore implements CacheProvider {
  readonly #items = new Map<string, CacheItem>();
  readonly #lifetimeMs: number;

  constructor(lifetimeMs: number) {
    this.#lifetimeMs = lifetimeMs;
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const now = Date.now();
    for (const [id, item] of this.#items) if (item.createdAt + this.#lifetimeMs <= now) this.#items.delete(id);
    if (this.#items.has(key)) return null;
    const item = { value, createdAt: now };
    this.#items.set(key, item);
    return item;
  }

  async getAsync(key: string): Promise<string | null> {
    const item = this.#items.get(key);
    return item !== undefined && item.createdAt + this.#lifetimeMs > Date.now() ? item.value : null;
  }

  async removeAsync(_key: string | null): Promise<string | null> {
    return null;
  }
}

export class SamlServiceProvider {
  readonly urls: ServiceProviderUrls;
  readonly #source: Pick<ServiceProviderOptions, 'idpSsoUrl' | 'idpCert' | 'idpIssuer'>;
  readonly #origin: string;
  readonly #service: ScimService;
  readonly #jit: JitProvisioner;
  readonly #flags: ReadonlySet<FederationMisbehaviour>;
  readonly #samlFlags: ReadonlySet<SamlMisbehaviour>;
  readonly #pending = new Map<string, PendingLogin>();
  readonly #sessions = new Map<string, Session>();
  /** Assertions already used, by issuer and ID, until they would be refused as expired anyway. */
  readonly #usedAssertions = new Map<string, number>();
  #idp: Idp | undefined;

  constructor(options: ServiceProviderOptions) {
    this.#source = { idpSsoUrl: options.idpSsoUrl, idpCert: options.idpCert, idpIssuer: options.idpIssuer };
    this.#origin = options.origin;
    this.#service = options.service;
    this.#flags = options.flags;
    this.#samlFlags = options.samlFlags;
    this.#jit = new JitProvisioner(options.service, options.flags);
    const metadataUrl = `${options.origin}${SAML_PATHS.metadata}`;
    this.urls = {
      loginUrl: `${options.origin}${SAML_PATHS.login}`,
      acsUrl: `${options.origin}${SAML_PATHS.acs}`,
      // The metadata URL is the usual SP entity ID: unique, and it says where to learn the rest.
      entityId: options.spEntityId ?? metadataUrl,
      metadataUrl,
    };
  }

  /**
   * Whether a request is this SP's: its own paths always; the app's shared pages when the
   * browser's session is a SAML one, or when there is no other protocol (`alone`) to answer them.
   */
  handles(pathname: string, cookieHeader: string | undefined, alone: boolean): boolean {
    if (OWN_PATHS.has(pathname)) return true;
    if (!SHARED_PATHS.has(pathname)) return false;
    if (alone) return true;
    const id = readCookies(cookieHeader).get(SESSION_COOKIE);
    return id !== undefined && this.#sessions.has(id);
  }

  async handle(request: AppRequest): Promise<AppReply> {
    const { method } = request;
    switch (request.url.pathname) {
      case SAML_PATHS.login:
        return method === 'GET' ? this.#login() : notAllowed('GET');
      case SAML_PATHS.acs:
        return method === 'POST' ? this.#acs(request) : notAllowed('POST');
      case SAML_PATHS.metadata:
        return method === 'GET' ? this.#metadata() : notAllowed('GET');
      case APP_PATHS.home:
        return method === 'GET' ? json(200, { signedIn: this.#sessionEntry(request) !== undefined }) : notAllowed('GET');
      case APP_PATHS.me:
        return method === 'GET' ? this.#me(request) : notAllowed('GET');
      case APP_PATHS.logout:
        return method === 'GET' || method === 'POST' ? this.#logout(request) : notAllowed('GET, POST');
      default:
        return json(404, { error: 'not found' });
    }
  }

  /** The IdP as configured now; a configuration never seen before is a new IdP, with request IDs of its own. */
  #currentIdp(): Idp {
    const ssoUrl = late(this.#source.idpSsoUrl);
    const cert = late(this.#source.idpCert);
    const issuer = late(this.#source.idpIssuer);
    if (ssoUrl === undefined || cert === undefined) throw new Error('no SAML identity provider is configured yet');
    const key = JSON.stringify([ssoUrl, cert, issuer ?? null]);
    if (this.#idp?.key === key) return this.#idp;
    if (!URL.canParse(ssoUrl)) throw new Error(`the IdP's SSO URL ${JSON.stringify(ssoUrl)} is not a URL`);
    const config: IdpConfig = { ssoUrl, cert: certificatePem(cert), issuer };
    this.#idp = { key, config, saml: new ServiceProviderSaml(this.#samlConfig(config)) };
    return this.#idp;
  }

  #samlConfig(idp: IdpConfig): SamlConfig {
    return {
      entryPoint: idp.ssoUrl,
      issuer: this.urls.entityId,
      callbackUrl: this.urls.acsUrl,
      idpCert: idp.cert,
      ...(idp.issuer === undefined ? {} : { idpIssuer: idp.issuer }),
      // `saml-accepts-wrong-audience`: the check switched off, the way the option allows.
      audience: this.#samlFlags.has('saml-accepts-wrong-audience') ? false : this.urls.entityId,
      // The assertion itself must verify, whether or not the Response around it is signed too.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      // `saml-ignores-in-response-to`: the check switched off, the way the option allows.
      // `saml-accepts-unsolicited`: the option for apps that take IdP-initiated sign-ins as well.
      validateInResponseTo: this.#samlFlags.has('saml-ignores-in-response-to')
        ? ValidateInResponseTo.never
        : this.#samlFlags.has('saml-accepts-unsolicited')
          ? ValidateInResponseTo.ifPresent
          : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: LOGIN_LIFETIME_MS,
      ...(this.#samlFlags.has('saml-accepts-replay') ? { cacheProvider: new RequestIdStore(LOGIN_LIFETIME_MS) } : {}),
      // `saml-accepts-expired`: -1 is node-saml's "no time checks", what an app sets to be rid of
      // "SAML assertion expired: clocks skewed too much" (NotBefore goes unchecked with it).
      acceptedClockSkewMs: this.#samlFlags.has('saml-accepts-expired') ? -1 : CLOCK_SKEW_MS,
      // Whatever NameID format the IdP is configured to send: asking for one (node-saml asks for
      // emailAddress by default) makes some IdPs refuse, and others send a different identifier.
      identifierFormat: null,
      // Passwordless and MFA logins are logins too; asking for PasswordProtectedTransport refuses them.
      disableRequestedAuthnContext: true,
      authnRequestBinding: 'HTTP-Redirect',
    };
  }

  async #login(): Promise<AppReply> {
    let idp: Idp;
    let target: URL;
    try {
      idp = this.#currentIdp();
      this.#sweep();
      const relayState = randomId();
      target = new URL(await idp.saml.getAuthorizeUrlAsync(relayState, undefined, {}));
      this.#pending.set(relayState, { requestId: requestIdOf(target), idp, expires: Date.now() + LOGIN_LIFETIME_MS });
    } catch (error) {
      return json(502, { error: 'idp_unavailable', error_description: `The SAML login cannot start: ${messageOf(error)}` });
    }
    return { status: 302, headers: { location: target.href, 'cache-control': 'no-store' } };
  }

  async #acs(request: AppRequest): Promise<AppReply> {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      return json(400, { error: 'invalid_request', error_description: 'Post the SAMLResponse as application/x-www-form-urlencoded.' });
    }
    const form = new URLSearchParams(request.body?.toString('utf8') ?? '');
    const samlResponse = form.get('SAMLResponse');
    if (samlResponse === null || samlResponse === '') {
      return json(400, { error: 'invalid_request', error_description: 'The form has no SAMLResponse.' });
    }
    const fail = (description: string): AppReply => json(403, { error: 'login_failed', error_description: description });
    // The RelayState names the login this response ends; one response per login, whatever it brings.
    const relayState = form.get('RelayState');
    const pending = relayState === null ? undefined : this.#pending.get(relayState);
    if (relayState !== null) this.#pending.delete(relayState);
    if (!pending || pending.expires < Date.now()) {
      return fail('No SAML login is in progress for this RelayState, or it expired: start at /app/saml/login.');
    }
    let profile: Profile;
    try {
      profile = await this.#validate(pending, samlResponse);
    } catch (error) {
      return fail(messageOf(error));
    } finally {
      // Answered, well or badly: the request ID is good for nothing more.
      await pending.idp.saml.cacheProvider.removeAsync(pending.requestId);
    }
    const outcome = await this.#jit.signIn(identityOf(profile));
    if (!outcome.ok) return json(outcome.status, { error: outcome.error, error_description: outcome.description });
    // A fresh id at every login: a session id known before the login (fixation) is worth nothing after.
    const previous = readCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (previous !== undefined) this.#sessions.delete(previous);
    const id = randomId();
    const user = this.#service.store.get('User', outcome.userId);
    this.#sessions.set(id, {
      userId: outcome.userId,
      issuer: profile.issuer,
      subject: profile.nameID,
      expires: Date.now() + SESSION_LIFETIME_MS,
      snapshot: user ? userView(this.#service, user) : { id: outcome.userId },
    });
    return {
      status: 302,
      headers: { location: `${this.#origin}${APP_PATHS.home}`, 'set-cookie': cookie(SESSION_COOKIE, id), 'cache-control': 'no-store' },
    };
  }

  /** The response, checked by the library and then for what the library leaves to the app; the assertion's profile. */
  async #validate(pending: PendingLogin, samlResponse: string): Promise<Profile> {
    const saml = pending.idp.saml;
    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    // node-saml verifies whatever algorithm a signature names; SHA-1 is broken for collisions and
    // XML Signature 1.1 discourages it, so the app takes none (`saml-accepts-sha1`: as the library does).
    if (!this.#samlFlags.has('saml-accepts-sha1')) {
      const weak = sha1AlgorithmIn(xml);
      if (weak !== undefined) throw new Error(`The response is signed with ${weak}: SHA-1 signatures are not accepted.`);
    }
    const unsigned = this.#samlFlags.has('saml-accepts-unsigned') ? unsignedAssertion(xml) : undefined;
    const wrapped = this.#samlFlags.has('saml-reads-first-assertion') ? severalAssertions(xml) : undefined;
    let profile: Profile | null;
    if (unsigned) {
      profile = await saml.validateUnsignedAsync(xml, unsigned.assertionXml, unsigned.inResponseTo);
    } else if (wrapped) {
      profile = await saml.validateFirstAssertionAsync(xml, wrapped.assertions, wrapped.inResponseTo);
    } else {
      const result = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
      // A NoPassive answer or a LogoutResponse: valid, but nobody signed in.
      if (result.loggedOut || !result.profile) throw new Error('The SAML response signs nobody in.');
      profile = result.profile;
    }
    // `saml-ignores-in-response-to` looks at no InResponseTo; `saml-accepts-replay` at one that
    // answers some request of the app's, not necessarily this login's.
    const tiedToLogin = !this.#samlFlags.has('saml-ignores-in-response-to') && !this.#samlFlags.has('saml-accepts-replay');
    const unsolicited = profile['inResponseTo'] === undefined || profile['inResponseTo'] === null;
    if (tiedToLogin && profile['inResponseTo'] !== pending.requestId && !(unsolicited && this.#samlFlags.has('saml-accepts-unsolicited'))) {
      throw new Error('The SAML response does not answer the request its RelayState went with.');
    }
    // node-saml reads the status only of a response without an assertion; one with both is still a refusal.
    const status = statusOf(xml);
    if (status !== STATUS_SUCCESS) throw new Error(`The IdP answered with status ${status ?? '(none)'}.`);
    // node-saml compares idpIssuer with the Issuer of logout messages only.
    const expected = pending.idp.config.issuer;
    if (typeof profile.issuer !== 'string' || profile.issuer === '') throw new Error('The assertion has no Issuer.');
    if (expected !== undefined && profile.issuer !== expected) {
      throw new Error(`The assertion's Issuer ${JSON.stringify(profile.issuer)} is not the IdP's (${JSON.stringify(expected)}).`);
    }
    // The bug, as DOM code writes it: nameId.firstChild.nodeValue, which stops at a comment.
    if (this.#samlFlags.has('saml-reads-name-id-text-node')) profile.nameID = firstTextOfNameId(xml) ?? profile.nameID;
    if (typeof profile.nameID !== 'string' || profile.nameID === '') throw new Error("The assertion's Subject has no NameID.");
    if (this.#samlFlags.has('saml-ignores-in-response-to')) this.#checkConfirmationWindow(profile);
    if (!this.#samlFlags.has('saml-ignores-recipient')) this.#checkDelivery(xml, profile);
    if (!this.#samlFlags.has('saml-accepts-replay')) this.#useAssertion(profile);
    return profile;
  }

  /**
   * The response was meant for this ACS (SAML profiles §4.1.4.3, bindings §3.5.5.2): node-saml
   * checks neither the Response's Destination nor the bearer confirmations' Recipient.
   */
  #checkDelivery(xml: string, profile: Profile): void {
    const acs = this.urls.acsUrl;
    const destination = parseXml(xml).documentElement?.getAttribute('Destination');
    if (destination && destination !== acs) throw new Error(`The response's Destination ${destination} is not this ACS (${acs}).`);
    const assertion = parseXml(profile.getAssertionXml?.() ?? '').documentElement;
    const recipients: string[] = [];
    for (const subject of assertion ? children(assertion, ASSERTION_NS, 'Subject') : [])
      for (const confirmation of children(subject, ASSERTION_NS, 'SubjectConfirmation'))
        for (const data of children(confirmation, ASSERTION_NS, 'SubjectConfirmationData'))
          recipients.push(data.getAttribute('Recipient') ?? '');
    if (recipients.length === 0 || recipients.some((r) => r !== acs))
      throw new Error(`The assertion's bearer Recipient ${JSON.stringify(recipients)} is not this ACS (${acs}).`);
  }

  /**
   * Under `saml-ignores-in-response-to` only: node-saml holds a bearer confirmation to its time
   * window (NotBefore, NotOnOrAfter) while it validates InResponseTo and not otherwise, so with
   * the option off that is checked here by hand: the flag lets through its own defect, no other.
   */
  #checkConfirmationWindow(profile: Profile): void {
    // Under both flags, no time limit is checked: the other flag's defect.
    if (this.#samlFlags.has('saml-accepts-expired')) return;
    const assertion = parseXml(profile.getAssertionXml?.() ?? '').documentElement;
    const now = Date.now();
    const holds = (data: Element) => {
      const notBefore = Date.parse(data.getAttribute('NotBefore') || '');
      const notOnOrAfter = Date.parse(data.getAttribute('NotOnOrAfter') || '');
      return !(now + CLOCK_SKEW_MS < notBefore) && !(now - CLOCK_SKEW_MS >= notOnOrAfter);
    };
    const confirmations = assertion
      ? children(assertion, ASSERTION_NS, 'Subject').flatMap((s) => children(s, ASSERTION_NS, 'SubjectConfirmation'))
      : [];
    const valid = confirmations.some((confirmation) => children(confirmation, ASSERTION_NS, 'SubjectConfirmationData').some(holds));
    if (confirmations.length > 0 && !valid)
      throw new Error("The assertion's subject confirmations have all expired, or are not valid yet.");
  }

  /**
   * An assertion signs in once (SAML profiles §4.1.4.5): its ID is kept until it would be refused
   * as expired anyway. Synchronous from check to record, so two copies posted at once cannot both pass.
   */
  #useAssertion(profile: Profile): void {
    const assertion = parseXml(profile.getAssertionXml?.() ?? '').documentElement;
    const id = assertion?.getAttribute('ID');
    if (!assertion || !id) throw new Error('The assertion has no ID.');
    const key = `${profile.issuer}\n${id}`;
    const now = Date.now();
    const until = this.#usedAssertions.get(key);
    if (until !== undefined && until > now) throw new Error('This assertion has been used already: a replayed response is refused.');
    this.#usedAssertions.set(key, Math.max(latestNotOnOrAfter(assertion) ?? 0, now + LOGIN_LIFETIME_MS) + CLOCK_SKEW_MS);
  }

  #metadata(): AppReply {
    // The library's standalone generator: the metadata is the SP's own and needs no IdP yet
    // (an IdP's administrator usually registers the SP from it before there is one).
    const text = generateServiceProviderMetadata({
      issuer: this.urls.entityId,
      callbackUrl: this.urls.acsUrl,
      identifierFormat: null,
      wantAssertionsSigned: true,
    });
    return { status: 200, text, contentType: METADATA_TYPE };
  }

  #me(request: AppRequest): AppReply {
    const found = this.#sessionEntry(request);
    if (!found) return json(401, { error: 'not signed in' });
    const [id, session] = found;
    const user = this.#service.store.get('User', session.userId);
    if (this.#flags.has('jit-session-survives-removal')) return json(200, user ? userView(this.#service, user) : session.snapshot);
    // A session is only as good as its user: deleted or deactivated by SCIM, it ends.
    if (!user || user.data['active'] === false) {
      this.#sessions.delete(id);
      return json(401, { error: 'not signed in' });
    }
    return json(200, userView(this.#service, user));
  }

  #logout(request: AppRequest): AppReply {
    const id = readCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (id !== undefined) this.#sessions.delete(id);
    return {
      status: 302,
      headers: { location: `${this.#origin}${APP_PATHS.home}`, 'set-cookie': expireCookie(SESSION_COOKIE), 'cache-control': 'no-store' },
    };
  }

  #sessionEntry(request: AppRequest): [string, Session] | undefined {
    return sessionEntry(this.#sessions, request);
  }

  /** Abandoned logins, old sessions and expired assertion IDs go, so the maps do not grow with every visit. */
  #sweep(): void {
    const now = Date.now();
    for (const [id, login] of this.#pending) if (login.expires < now) this.#pending.delete(id);
    for (const [id, session] of this.#sessions) if (session.expires < now) this.#sessions.delete(id);
    for (const [key, until] of this.#usedAssertions) if (until <= now) this.#usedAssertions.delete(key);
  }
}

function late<T>(value: Late<T> | undefined): T | undefined {
  return typeof value === 'function' ? (value as () => T | undefined)() : value;
}

/** The certificate as PEM, whichever of the two forms IdPs hand out; refused early when it is none. */
export function certificatePem(text: string): string {
  const trimmed = text.trim();
  const pem = trimmed.startsWith('-----BEGIN')
    ? trimmed
    : `-----BEGIN CERTIFICATE-----\n${trimmed.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new Error("the IdP's certificate is not an X.509 certificate (PEM, or base64 DER)");
  }
  return pem;
}

/**
 * The identity an assertion gives: the IdP's entity ID and the NameID, and the attributes the app
 * maps. An attribute with one AttributeValue is a one-element list like any other; a single-valued
 * field takes the first value. A SAML IdP asserts the email it releases: it is taken as verified.
 */
function identityOf(profile: Profile): Identity {
  const attributes = (profile['attributes'] ?? {}) as Record<string, unknown>;
  const values = (name: string): string[] => {
    const value = attributes[name];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  };
  const email = values('email')[0];
  return {
    issuer: profile.issuer,
    subject: profile.nameID,
    email,
    emailVerified: email !== undefined,
    preferredUsername: undefined,
    givenName: values('given_name')[0],
    familyName: values('family_name')[0],
    name: values('name')[0],
    groups: values('groups'),
    department: values('department')[0],
  };
}

/** The ID of the AuthnRequest a redirect URL carries: what the response's InResponseTo must be. */
function requestIdOf(target: URL): string {
  const encoded = target.searchParams.get('SAMLRequest');
  if (encoded === null) throw new Error('the redirect carries no SAMLRequest');
  const id = parseXml(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')).documentElement?.getAttribute('ID');
  if (!id) throw new Error('the AuthnRequest has no ID');
  return id;
}

/** A parse that fails on malformed XML instead of carrying on with what it could read. */
function parseXml(xml: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`The XML is not well-formed: ${message}`);
    },
  });
  return parser.parseFromString(xml, 'text/xml');
}

function children(parent: Element, namespace: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      const element = node as Element;
      if (element.namespaceURI === namespace && element.localName === localName) out.push(element);
    }
  }
  return out;
}

/**
 * `saml-accepts-unsigned`: the response's one assertion, when the message carries no signature at
 * all. A signature that is there but wrong still goes to the library, which refuses it.
 */
function unsignedAssertion(xml: string): { assertionXml: string; inResponseTo: string | null } | undefined {
  let doc: Document;
  try {
    doc = parseXml(xml);
  } catch {
    return undefined;
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== PROTOCOL_NS || root.localName !== 'Response') return undefined;
  if (doc.getElementsByTagNameNS(DSIG_NS, 'Signature').length > 0) return undefined;
  const assertions = children(root, ASSERTION_NS, 'Assertion');
  if (assertions.length !== 1 || children(root, ASSERTION_NS, 'EncryptedAssertion').length > 0) return undefined;
  return { assertionXml: new XMLSerializer().serializeToString(assertions[0]!), inResponseTo: root.getAttribute('InResponseTo') || null };
}

/**
 * `saml-reads-first-assertion`: the Response's assertions, wherever they are in it, in document
 * order, when there are several and the Response itself carries no signature (a valid one would
 * cover any forgery, and the library refuses several assertions anyway). With one assertion the
 * first is the one the library verifies and reads: the library's path gives the bug's result.
 */
function severalAssertions(xml: string): { assertions: Element[]; inResponseTo: string | null } | undefined {
  let doc: Document;
  try {
    doc = parseXml(xml);
  } catch {
    return undefined;
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== PROTOCOL_NS || root.localName !== 'Response') return undefined;
  if (children(root, DSIG_NS, 'Signature').length > 0 || doc.getElementsByTagNameNS(ASSERTION_NS, 'EncryptedAssertion').length > 0) {
    return undefined;
  }
  const assertions = Array.from(doc.getElementsByTagNameNS(ASSERTION_NS, 'Assertion'));
  if (assertions.length < 2) return undefined;
  return { assertions, inResponseTo: root.getAttribute('InResponseTo') || null };
}

/** Whether the element's own enveloped signature verifies with one of the certificates (xml-crypto finds what it references by ID). */
function signedByOneOf(xml: string, element: Element, certificates: readonly string[]): boolean {
  const signature = children(element, DSIG_NS, 'Signature')[0];
  if (!signature) return false;
  const text = new XMLSerializer().serializeToString(signature);
  return certificates.some((certificate) => {
    const verifier = new SignedXml({ publicCert: certificate });
    try {
      verifier.loadSignature(text);
      return verifier.checkSignature(xml);
    } catch {
      return false;
    }
  });
}

/** The Response's top-level status code. */
/**
 * `saml-reads-name-id-text-node`: the first child of the assertion's NameID in the Response as it
 * came (the library's copy of the assertion is canonical XML, comments already gone), read as text.
 */
function firstTextOfNameId(xml: string): string | undefined {
  const assertion = parseXml(xml).getElementsByTagNameNS(ASSERTION_NS, 'Assertion')[0];
  const subject = assertion ? children(assertion, ASSERTION_NS, 'Subject')[0] : undefined;
  const nameId = subject ? children(subject, ASSERTION_NS, 'NameID')[0] : undefined;
  return nameId?.firstChild?.nodeValue ?? undefined;
}

/** The first SignatureMethod or DigestMethod anywhere in the response that is SHA-1 based, if any. */
function sha1AlgorithmIn(xml: string): string | undefined {
  const doc = parseXml(xml);
  for (const name of ['SignatureMethod', 'DigestMethod']) {
    for (const element of Array.from(doc.getElementsByTagNameNS(DSIG_NS, name))) {
      const algorithm = element.getAttribute('Algorithm') ?? '';
      if (SHA1_ALGORITHMS.has(algorithm)) return algorithm;
    }
  }
  return undefined;
}

const SHA1_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#sha1',
]);

function statusOf(xml: string): string | undefined {
  const root = parseXml(xml).documentElement;
  const status = root ? children(root, PROTOCOL_NS, 'Status')[0] : undefined;
  const code = status ? children(status, PROTOCOL_NS, 'StatusCode')[0] : undefined;
  return code?.getAttribute('Value') ?? undefined;
}

/** The latest NotOnOrAfter of the assertion's Conditions and bearer confirmations: after it, the library refuses it anyway. */
function latestNotOnOrAfter(assertion: Element): number | undefined {
  const times: number[] = [];
  const add = (element: Element | undefined) => {
    const value = element?.getAttribute('NotOnOrAfter');
    const time = value ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(time)) times.push(time);
  };
  for (const conditions of children(assertion, ASSERTION_NS, 'Conditions')) add(conditions);
  for (const subject of children(assertion, ASSERTION_NS, 'Subject')) {
    for (const confirmation of children(subject, ASSERTION_NS, 'SubjectConfirmation')) {
      for (const data of children(confirmation, ASSERTION_NS, 'SubjectConfirmationData')) add(data);
    }
  }
  return times.length === 0 ? undefined : Math.max(...times);
}
