// provspec's own SAML 2.0 identity provider, for testing an app's federation over SAML (web
// browser SSO, SAML profiles §4.1): node:http on 127.0.0.1 with one service provider (the app),
// the accounts the tester sets, and a sign-in page shaped as the OIDC IdP's (interaction.ts), so
// that the same user agent and the same login() drive both. The SP's AuthnRequest comes by
// HTTP-Redirect or HTTP-POST; the answer goes back by HTTP-POST (a self-submitting form to the
// ACS), signed on the Assertion and on the Response. Removing an account is what deleting a
// user at a real IdP does: its next sign-in is refused (a Responder/RequestDenied status, no
// assertion).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { readBounded } from './body.ts';
import { createSigningCredential, type SigningCredential } from './certificate.ts';
import {
  MAX_SAML_MESSAGE_BYTES,
  NAMEID_FORMAT,
  SAML_BINDING,
  SAML_STATUS,
  SamlMessageError,
  buildResponseXml,
  buildStatusResponseXml,
  idpMetadataXml,
  isXmlSafe,
  parseAuthnRequest,
  samlId,
  signResponse,
  type AuthnRequest,
} from './saml-xml.ts';

export interface SamlSp {
  entityId: string;
  /** The one Assertion Consumer Service URL (HTTP-POST binding) the IdP answers to. */
  acsUrl: string;
  /** Audience the assertion names; default entityId. */
  audience?: string;
  /** The NameID's Format; default NAMEID_FORMAT.unspecified. */
  nameIdFormat?: string;
}

export interface SamlAccount {
  nameId: string;
  /** One saml:Attribute per key (NameFormat basic), one AttributeValue (xs:string) per value. */
  attributes: Record<string, string | string[]>;
}

export interface SamlIdpOptions {
  sp: SamlSp;
  /** 0 (default): a free port on 127.0.0.1. */
  port?: number;
  signal?: AbortSignal;
  /** The IdP's own failures (a 500 it answered); it never logs to the console. */
  onServerError?: (error: Error) => void;
}

export interface SamlIdp {
  /** The IdP's entity id, http://127.0.0.1:PORT/saml/metadata (where its metadata is, too). */
  readonly issuer: string;
  /** Single sign-on: HTTP-Redirect (GET) and HTTP-POST. */
  readonly ssoUrl: string;
  /** GET → the EntityDescriptor (IDPSSODescriptor, the signing certificate, SingleSignOnService in both bindings). */
  readonly metadataUrl: string;
  /** The certificate of the key that signs responses (self-signed, made at start). */
  readonly certificatePem: string;
  /** Adds or replaces an account; its next sign-in carries the new attributes. */
  setAccount(account: SamlAccount): void;
  /** Its next sign-in is refused: a Response with status Responder/RequestDenied and no assertion, POSTed to the ACS. */
  removeAccount(nameId: string): void;
  /** The account's next Response comes with this one defect (the saml-sp suite's cases). */
  tamperNextResponse(nameId: string, tamper: SamlTamper): void;
  close(): Promise<void>;
}

/**
 * Responses with one defect each, all else as a correct IdP sends it: no signature at all, one by a
 * key the app never saw, a signed assertion edited afterwards (its NameID), an assertion for
 * another audience, for another ACS (Destination and Recipient), expired an hour ago, answering a
 * request the app never made, the account's previous Response sent again, (signature wrapping)
 * an unsigned forged assertion placed before the signed one, for `evil.`-prefixed values, or an XML
 * comment put into the signed NameID before its last dot: exclusive c14n leaves comments out, so
 * the signature still holds, and an app that reads only the NameID's first text node reads a
 * shorter name, another person's (`a.b.c<!---->.d` read as `a.b.c`). `unsolicited` is a Response
 * as an IdP-initiated sign-in sends it (SAML profiles §4.1.5): no InResponseTo anywhere in it;
 * `sha1`, one signed with RSA-SHA1 over SHA-1 digests, as old IdPs still sign.
 */
export const SAML_TAMPERS = [
  'unsigned',
  'other-key',
  'modified',
  'wrong-audience',
  'wrong-recipient',
  'expired',
  'unknown-in-response-to',
  'replayed',
  'wrapped',
  'comment-in-name-id',
  'unsolicited',
  'sha1',
] as const;
export type SamlTamper = (typeof SAML_TAMPERS)[number];

const SSO_PATH = '/saml/sso';
const LOGIN_PATH = '/saml/login';
const METADATA_PATH = '/saml/metadata';
/** Ties a pending sign-in to the browser that started it, as oidc-provider's interaction cookie does. */
const BROWSER_COOKIE = 'provspec_saml_browser';
/** Long enough for a person at the form, short enough that a stale request is not kept. */
const PENDING_TTL_MS = 5 * 60_000;
/** Pending sign-ins kept at most; past it the oldest goes (memory stays bounded whatever arrives). */
const MAX_PENDING = 1000;
/** A POSTed AuthnRequest: its base64 (4/3 of the message), urlencoded (+ up to 2/3), and a RelayState. */
const MAX_SSO_FORM_BYTES = 4 * MAX_SAML_MESSAGE_BYTES;
/** A sign-in form is a few bytes; more is not one. */
const MAX_LOGIN_FORM_BYTES = 16 * 1024;
/** SAML bindings §3.4.3 caps RelayState at 80 bytes; SPs send more, and real IdPs take it: a bound, not that one. */
const MAX_RELAY_STATE = 1024;
/** Base64 as the bindings carry it (line breaks taken out first). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface Pending {
  request: AuthnRequest;
  acsUrl: string;
  relayState?: string;
  browser: string;
  expires: number;
}

export async function startSamlIdp(options: SamlIdpOptions): Promise<SamlIdp> {
  options.signal?.throwIfAborted();
  const sp = checkedSp(options.sp);
  const onServerError = options.onServerError ?? (() => {});
  const accounts = new Map<string, SamlAccount['attributes']>();
  const tampers = new Map<string, SamlTamper>();
  /** Each account's last Response as sent: what `replayed` sends again. */
  const sent = new Map<string, string>();
  /** A key the app never saw, made at the first `other-key` case. */
  let otherKey: Promise<SigningCredential> | undefined;
  /** The Response as the case wants it signed: not at all, by the other key, or signed and then edited. */
  const signedAs = async (xml: string, tamper: SamlTamper | undefined): Promise<string> => {
    if (tamper === 'unsigned') return xml;
    if (tamper === 'other-key') {
      otherKey ??= createSigningCredential({ commonName: 'not the IdP' });
      return signResponse(xml, await otherKey);
    }
    // Wrapping needs the assertion's own signature alone: one over the Response would cover the forgery.
    if (tamper === 'wrapped') return wrapped(signResponse(xml, credential, { response: false }));
    const signed = signResponse(xml, credential, { sha1: tamper === 'sha1' });
    // After signing: the signatures now cover a NameID the document no longer has.
    if (tamper === 'modified') return signed.replace(/(<saml:NameID\b[^>]*>)([^<]*)(<\/saml:NameID>)/, '$1$2-modified$3');
    // After signing too, but the signatures, over comment-free canonical XML, still verify.
    if (tamper === 'comment-in-name-id') return signed.replace(/(<saml:NameID\b[^>]*>[^<]*)(\.[^.<]*<\/saml:NameID>)/, '$1<!---->$2');
    return signed;
  };
  const pending = new Map<string, Pending>();

  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    if (!handle) return void res.writeHead(503).end();
    handle(req, res).catch((error: unknown) => {
      onServerError(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent && !res.destroyed) json(res, 500, 'server_error', 'the identity provider failed');
    });
  });
  // Listen first: the entity id and endpoints are the real URLs, port and all. The key is made
  // meanwhile.
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let credential: SigningCredential;
  try {
    [credential] = await Promise.all([createSigningCredential({ commonName: 'provspec test SAML IdP' }), listening]);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${METADATA_PATH}`;
  const ssoUrl = `${origin}${SSO_PATH}`;
  const metadata = idpMetadataXml({ entityId: issuer, ssoUrl, certificatePem: credential.certificatePem });

  /** The AuthnRequest as the SP sent it, checked against the SP's registration; a 400 page otherwise. */
  const takeRequest = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let params: URLSearchParams;
    if (req.method === 'POST') {
      const body = await readBounded(req, MAX_SSO_FORM_BYTES);
      if (body.truncated) return json(res, 413, 'invalid_request', `the form is larger than ${MAX_SSO_FORM_BYTES} bytes`);
      params = new URLSearchParams(body.bytes.toString('utf8'));
    } else if (req.method === 'GET') {
      params = url.searchParams;
    } else {
      return json(res, 405, 'invalid_request', 'single sign-on takes GET (HTTP-Redirect) or POST (HTTP-POST)');
    }
    const encoded = params.get('SAMLRequest');
    if (!encoded) return json(res, 400, 'invalid_request', 'no SAMLRequest');
    const relayState = params.get('RelayState') || undefined;
    if (relayState !== undefined && Buffer.byteLength(relayState) > MAX_RELAY_STATE)
      return json(res, 400, 'invalid_request', `the RelayState is longer than ${MAX_RELAY_STATE} bytes`);
    // A Signature/SigAlg beside it (a signed HTTP-Redirect request) is not checked: this IdP
    // says WantAuthnRequestsSigned="false", and a signature does not change what is asked.
    let request: AuthnRequest;
    try {
      request = parseAuthnRequest(decodeSamlMessage(encoded, req.method === 'POST' ? 'post' : 'redirect'));
    } catch (error) {
      if (!(error instanceof SamlMessageError)) throw error;
      return json(res, 400, 'invalid_request', error.message);
    }
    const refused = misfit(request, sp, ssoUrl);
    if (refused) return json(res, 400, 'invalid_request', refused);
    const acsUrl = request.acsUrl ?? sp.acsUrl;
    if (request.isPassive) {
      // No IdP session here: every sign-in shows the form, which a passive request forbids.
      const answer = buildStatusResponseXml({
        issuer,
        destination: acsUrl,
        inResponseTo: request.id,
        statusCode: SAML_STATUS.responder,
        subStatusCode: SAML_STATUS.noPassive,
        message: 'the identity provider cannot sign in without asking',
      });
      return html(res, postBindingPage(acsUrl, signResponse(answer, credential), relayState));
    }

    const now = Date.now();
    for (const [id, entry] of pending) if (entry.expires <= now) pending.delete(id);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
    let browser = cookie(req, BROWSER_COOKIE);
    const headers: Record<string, string> = {};
    if (!browser) {
      browser = randomBytes(16).toString('base64url');
      headers['set-cookie'] = `${BROWSER_COOKIE}=${browser}; Path=/saml; HttpOnly; SameSite=Lax`;
    }
    const id = randomBytes(16).toString('base64url');
    pending.set(id, { request, acsUrl, ...(relayState === undefined ? {} : { relayState }), browser, expires: now + PENDING_TTL_MS });
    html(res, signInPage(id, request.subjectNameId ?? ''), headers);
  };

  /** The sign-in form, submitted: the Response to the ACS, by the HTTP-POST binding. */
  const signIn = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return json(res, 405, 'invalid_request', 'POST the sign-in form');
    const body = await readBounded(req, MAX_LOGIN_FORM_BYTES);
    if (body.truncated) return json(res, 413, 'invalid_request', `the form is larger than ${MAX_LOGIN_FORM_BYTES} bytes`);
    const form = new URLSearchParams(body.bytes.toString('utf8'));
    const id = form.get('request') ?? '';
    const entry = pending.get(id);
    if (!entry || entry.expires <= Date.now() || entry.browser !== cookie(req, BROWSER_COOKIE))
      return json(res, 400, 'invalid_request', 'this sign-in has expired or was started by another browser');
    // One submission per request: a second would be a replay of the sign-in.
    pending.delete(id);
    const sub = form.get('sub') ?? '';
    const attributes = sub === '' ? undefined : accounts.get(sub);
    const tamper = attributes ? tampers.get(sub) : undefined;
    if (tamper) tampers.delete(sub);
    const xml = attributes
      ? buildResponseXml({
          issuer,
          destination: tamper === 'wrong-recipient' ? `${entry.acsUrl}/elsewhere` : entry.acsUrl,
          ...(tamper === 'unsolicited' ? {} : { inResponseTo: tamper === 'unknown-in-response-to' ? samlId() : entry.request.id }),
          audience: tamper === 'wrong-audience' ? 'https://another-service-provider.invalid/saml' : (sp.audience ?? sp.entityId),
          nameId: sub,
          nameIdFormat: sp.nameIdFormat ?? NAMEID_FORMAT.unspecified,
          attributes,
          sessionIndex: samlId(),
          ...(tamper === 'expired' ? { issueInstant: new Date(Date.now() - 3_600_000), lifetimeSeconds: 300 } : {}),
        })
      : buildStatusResponseXml({
          issuer,
          destination: entry.acsUrl,
          inResponseTo: entry.request.id,
          statusCode: SAML_STATUS.responder,
          subStatusCode: SAML_STATUS.requestDenied,
          message: sub === '' ? 'no account was given' : 'the account does not exist at the identity provider',
        });
    const previous = tamper === 'replayed' ? sent.get(sub) : undefined;
    const response = previous ?? (await signedAs(xml, tamper));
    if (attributes && !tamper) sent.set(sub, response);
    html(res, postBindingPage(entry.acsUrl, response, entry.relayState));
  };

  handle = async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    switch (url.pathname) {
      case METADATA_PATH:
        if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, 'invalid_request', 'GET the metadata');
        res.writeHead(200, { 'content-type': 'application/samlmetadata+xml; charset=utf-8', 'cache-control': 'no-cache' });
        return void res.end(req.method === 'HEAD' ? undefined : metadata);
      case SSO_PATH:
        return takeRequest(req, res, url);
      case LOGIN_PATH:
        return signIn(req, res);
      default:
        return json(res, 404, 'not_found', `no ${url.pathname} at this identity provider`);
    }
  };

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      pending.clear();
    }));
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  // Aborted while the key was being made: the listener came too late to see it.
  if (options.signal?.aborted) {
    await close();
    options.signal.throwIfAborted();
  }

  return {
    issuer,
    ssoUrl,
    metadataUrl: issuer,
    certificatePem: credential.certificatePem,
    setAccount(account) {
      accounts.set(checkedNameId(account.nameId), checkedAttributes(account.attributes));
    },
    removeAccount(nameId) {
      accounts.delete(nameId);
    },
    tamperNextResponse(nameId, tamper) {
      tampers.set(nameId, tamper);
    },
    close,
  };
}

/** Why the request does not fit the registered SP (said on the IdP's error page), or undefined. */
function misfit(request: AuthnRequest, sp: SamlSp, ssoUrl: string): string | undefined {
  if (request.issuer !== sp.entityId) return `the AuthnRequest's Issuer ${request.issuer} is not the registered service provider`;
  // Not sent there: the ACS URL is where the assertion would go, and only the registered one may
  // get it (an IdP answering any URL hands the bearer assertion to whoever asks).
  if (request.acsUrl !== undefined && request.acsUrl !== sp.acsUrl)
    return `the AssertionConsumerServiceURL ${request.acsUrl} is not the service provider's registered one`;
  if (request.protocolBinding !== undefined && request.protocolBinding !== SAML_BINDING.post)
    return `the AuthnRequest asks for the response by ${request.protocolBinding}; this IdP answers by HTTP-POST only`;
  if (request.destination !== undefined && request.destination !== ssoUrl)
    return `the AuthnRequest's Destination ${request.destination} is not this IdP's SSO URL`;
  return undefined;
}

/**
 * The XML of a SAMLRequest parameter: base64, DEFLATE-compressed in the HTTP-Redirect binding
 * (SAML bindings §3.4.4.1), bounded after inflating too (a small request may inflate to gigabytes).
 * A POSTed one should not be compressed (§3.5.4), but node-saml (passport-saml) compresses it by
 * default: one that does not start as XML is inflated as well.
 */
export function decodeSamlMessage(encoded: string, binding: 'redirect' | 'post'): string {
  // A raw `+` in a query is a space once decoded (an SP that forgot to encode it): base64 has no
  // spaces, so it is taken back. A POSTed message may be broken into lines.
  const text = binding === 'redirect' ? encoded.replace(/ /g, '+') : encoded.replace(/\s+/g, '');
  if (!BASE64.test(text)) throw new SamlMessageError('the SAMLRequest is not base64');
  const bytes = Buffer.from(text, 'base64');
  let xml: Buffer;
  if (binding === 'post' && /^(\ufeff)?\s*</.test(bytes.subarray(0, 64).toString('utf8'))) {
    if (bytes.length > MAX_SAML_MESSAGE_BYTES)
      throw new SamlMessageError(`the SAML request is larger than ${MAX_SAML_MESSAGE_BYTES} bytes`);
    xml = bytes;
  } else {
    try {
      xml = inflateRawSync(bytes, { maxOutputLength: MAX_SAML_MESSAGE_BYTES });
    } catch (error) {
      const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
      throw new SamlMessageError(
        tooLarge
          ? `the SAML request inflates past ${MAX_SAML_MESSAGE_BYTES} bytes`
          : 'the SAMLRequest is neither XML nor DEFLATE-compressed XML',
      );
    }
  }
  try {
    // A leading BOM is taken off by the decoder.
    return new TextDecoder('utf-8', { fatal: true }).decode(xml);
  } catch {
    throw new SamlMessageError('the SAML request is not UTF-8');
  }
}

function checkedSp(sp: SamlSp): SamlSp {
  if (typeof sp.entityId !== 'string' || sp.entityId === '') throw new Error('the service provider needs a non-empty entityId');
  let acs: URL;
  try {
    acs = new URL(sp.acsUrl);
  } catch {
    throw new Error(`the service provider's acsUrl is not a URL: ${sp.acsUrl}`);
  }
  if (acs.protocol !== 'http:' && acs.protocol !== 'https:') throw new Error(`the service provider's acsUrl is not http(s): ${sp.acsUrl}`);
  return { ...sp };
}

function checkedNameId(nameId: string): string {
  if (typeof nameId !== 'string' || nameId === '') throw new Error('an account needs a non-empty nameId');
  if (!isXmlSafe(nameId)) throw new Error('the nameId has characters XML cannot carry');
  return nameId;
}

function checkedAttributes(attributes: SamlAccount['attributes']): SamlAccount['attributes'] {
  const out: SamlAccount['attributes'] = {};
  for (const [name, value] of Object.entries(attributes)) {
    const values = typeof value === 'string' ? [value] : value;
    if (name === '' || !isXmlSafe(name))
      throw new Error(`the attribute name ${JSON.stringify(name)} is empty or has characters XML cannot carry`);
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || !isXmlSafe(v)))
      throw new Error(`the attribute ${name} needs string values XML can carry`);
    out[name] = typeof value === 'string' ? value : [...values];
  }
  return out;
}

function signInPage(requestId: string, hint: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in — provspec test SAML IdP</title></head>
<body>
<h1>Sign in</h1>
<form method="post" action="${LOGIN_PATH}">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<label>Account (NameID) <input type="text" name="sub" value="${escapeHtml(hint)}" autofocus required></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}

/**
 * The HTTP-POST binding (SAML bindings §3.5): a form the browser's script submits to the ACS at
 * once. SAMLResponse first, so that it sits at the top of the page (a trace keeps a page's head).
 */
function postBindingPage(acsUrl: string, responseXml: string, relayState: string | undefined): string {
  const relay = relayState === undefined ? '' : `\n<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Signing in…</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="${escapeHtml(acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${Buffer.from(responseXml, 'utf8').toString('base64')}">${relay}
<noscript><button type="submit">Continue</button></noscript>
</form>
</body>
</html>
`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(/;\s*/)) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at) === name) return pair.slice(at + 1);
  }
  return undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function html(res: ServerResponse, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** Errors at the IdP as JSON, as the OIDC IdP's: login() reads `error` and `error_description` from it. */
function json(res: ServerResponse, status: number, error: string, description: string): void {
  // An oversized form was cut by destroying the request, and its socket with it.
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error, error_description: description }));
}

/**
 * Signature wrapping: before the signed assertion, a copy with its signature taken out, a new ID,
 * and every NameID and attribute value prefixed `evil.`. An app that checks the signature it finds
 * by reference but reads the first assertion signs in as the forgery.
 */
function wrapped(signed: string): string {
  const assertion = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(signed)?.[0];
  if (!assertion) return signed;
  const forged = assertion
    .replace(/<ds:Signature\b[\s\S]*?<\/ds:Signature>/, '')
    .replace(/(<saml:Assertion\b[^>]*\bID=")[^"]*"/, `$1${samlId()}"`)
    .replace(/(<saml:NameID\b[^>]*>)/, '$1evil.')
    .replace(/(<saml:AttributeValue\b[^>]*>)/g, '$1evil.');
  return signed.replace(assertion, () => `${forged}${assertion}`);
}
