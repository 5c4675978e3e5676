// The reference server's demo app as a SAML 2.0 service provider with just-in-time provisioning.
// The IdP is the test's own, made of real parts and kept small: an RSA key and a self-signed
// certificate (node-forge), Responses and Assertions written out by hand and signed with
// xml-crypto (enveloped, RSA-SHA256, exclusive c14n), the AuthnRequest read from the login's
// redirect (inflated with node:zlib) for InResponseTo. A user agent (cookies per origin) posts the
// responses to the ACS, and what the logins did is read back over the SCIM API with the bearer token.
// Each misbehaviour runs the scenario its correct behaviour's test refuses, and must accept it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import forge from 'node-forge';
import { request } from 'undici';
import { CookieJar } from 'tough-cookie';
import { SignedXml } from 'xml-crypto';
import { ENTERPRISE, USER, countUsers, createGroup, expectStatus, getJson, start, type Json, type TestServer } from './client.ts';
import { startReferenceServer, type SamlMisbehaviour } from '../../reference/index.ts';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

interface Credential {
  keyPem: string;
  certPem: string;
}

/** A signing key and a self-signed certificate for it, as an IdP's administrator would hand the SP. */
function credential(commonName: string): Credential {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { keyPem: privateKey, certPem: forge.pki.certificateToPem(cert) };
}

const IDP_KEY = credential('provspec SAML SP test IdP');
const OTHER_KEY = credential('an IdP the SP does not trust');

/** The IdP as the SP is told of it; mutable, as a run's IdP is told to the server once it has started. */
interface TestIdp {
  entityId: string;
  ssoUrl: string;
  credential: Credential;
}

type Attributes = Record<string, string | string[]>;

interface ResponseSpec {
  idp: TestIdp;
  /** The SP's entity ID, or the wrong audience. */
  audience: string;
  acsUrl: string;
  /** The Response's Destination, and the bearer confirmation's Recipient, when not the ACS URL. */
  destination?: string;
  recipient?: string;
  inResponseTo: string | undefined;
  nameId: string;
  attributes: Attributes;
  /** Which parts carry a signature (default: the assertion). */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Signed with another key than the one the SP trusts. */
  signWith?: Credential;
  status?: string;
  /** No Assertion at all (what an IdP sends with an error status). */
  withoutAssertion?: boolean;
  /** The assertion's validity, ms from now: [NotBefore, NotOnOrAfter]. */
  window?: [number, number];
  /** The bearer confirmation's NotOnOrAfter, ms from now, when not the window's. */
  confirmationNotOnOrAfter?: number;
  issuer?: string;
  /** false leaves InResponseTo out of SubjectConfirmationData (SAML profiles make it optional there); only the Response has it. */
  subjectInResponseTo?: boolean;
  /** Changes made to the signed XML (a tamper after signing). */
  afterSigning?: (xml: string) => string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function instant(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function xmlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

/** A SAML Response as an IdP writes it, signed as asked; base64, as the HTTP-POST binding carries it. */
function samlResponse(spec: ResponseSpec): string {
  const issuer = escapeXml(spec.issuer ?? spec.idp.entityId);
  const [notBefore, notOnOrAfter] = spec.window ?? [-60_000, 5 * 60_000];
  const inResponseTo = spec.inResponseTo === undefined ? '' : ` InResponseTo="${escapeXml(spec.inResponseTo)}"`;
  const attributes = Object.entries(spec.attributes)
    .map(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value]).map((v) => `<saml:AttributeValue>${escapeXml(v)}</saml:AttributeValue>`);
      const format = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
      return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="${format}">${values.join('')}</saml:Attribute>`;
    })
    .join('');
  const assertion =
    `<saml:Assertion ID="${xmlId()}" Version="2.0" IssueInstant="${instant()}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${escapeXml(spec.nameId)}</saml:NameID>` +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
    `<saml:SubjectConfirmationData${spec.subjectInResponseTo === false ? '' : inResponseTo}` +
    ` Recipient="${escapeXml(spec.recipient ?? spec.acsUrl)}" NotOnOrAfter="${instant(spec.confirmationNotOnOrAfter ?? notOnOrAfter)}"/>` +
    '</saml:SubjectConfirmation>' +
    '</saml:Subject>' +
    `<saml:Conditions NotBefore="${instant(notBefore)}" NotOnOrAfter="${instant(notOnOrAfter)}">` +
    `<saml:AudienceRestriction><saml:Audience>${escapeXml(spec.audience)}</saml:Audience></saml:AudienceRestriction>` +
    '</saml:Conditions>' +
    `<saml:AuthnStatement AuthnInstant="${instant()}" SessionIndex="${xmlId()}">` +
    '<saml:AuthnContext><saml:AuthnContextClassRef>' +
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' +
    '</saml:AuthnContextClassRef></saml:AuthnContext>' +
    '</saml:AuthnStatement>' +
    (attributes === '' ? '' : `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`) +
    '</saml:Assertion>';
  let xml =
    `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="${xmlId()}" Version="2.0" IssueInstant="${instant()}"` +
    ` Destination="${escapeXml(spec.destination ?? spec.acsUrl)}"${inResponseTo}>` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${spec.status ?? SUCCESS}"/></samlp:Status>` +
    (spec.withoutAssertion ? '' : assertion) +
    '</samlp:Response>';
  const sign = spec.sign ?? 'assertion';
  const key = spec.signWith ?? spec.idp.credential;
  if (sign === 'assertion' || sign === 'both') xml = signed(xml, "//*[local-name(.)='Assertion']", key);
  if (sign === 'response' || sign === 'both') xml = signed(xml, "/*[local-name(.)='Response']", key);
  if (spec.afterSigning) xml = spec.afterSigning(xml);
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** An enveloped RSA-SHA256 signature over the element at `target`, placed right after its Issuer (SAML core §5.4.1). */
function signed(xml: string, target: string, key: Credential): string {
  const signature = new SignedXml({
    privateKey: key.keyPem,
    publicCert: key.certPem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  signature.addReference({ xpath: target, digestAlgorithm: SHA256, transforms: [ENVELOPED, EXC_C14N] });
  signature.computeSignature(xml, { location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return signature.getSignedXml();
}

/**
 * Signature wrapping, for `afterSigning`: a copy of the signed assertion, its signature taken out,
 * a new ID, and another person's NameID and email, put before the signed one (`sibling`), or in
 * the Response's Extensions, ahead of it in the document though not an assertion of the Response.
 */
function wrapAssertion(forged: { nameId: string; email: string; audience?: string }, where: 'sibling' | 'extensions' = 'sibling') {
  return (xml: string): string => {
    const assertion = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0];
    assert.ok(assertion, 'an assertion to wrap');
    let copy = assertion
      .replace(/<(?:ds:)?Signature\b[\s\S]*?<\/(?:ds:)?Signature>/, '')
      .replace(/(<saml:Assertion\b[^>]*\bID=")[^"]*"/, `$1${xmlId()}"`)
      .replace(/(<saml:NameID\b[^>]*>)[^<]*/, `$1${escapeXml(forged.nameId)}`)
      .replace(/(<saml:Attribute Name="email"[^>]*><saml:AttributeValue>)[^<]*/, `$1${escapeXml(forged.email)}`);
    if (forged.audience !== undefined) copy = copy.replace(/(<saml:Audience>)[^<]*/, `$1${escapeXml(forged.audience)}`);
    assert.doesNotMatch(copy, /Signature/, 'the forgery carries no signature');
    if (where === 'sibling') return xml.replace(assertion, () => `${copy}${assertion}`);
    return xml.replace('<samlp:Status>', () => `<samlp:Extensions>${copy}</samlp:Extensions><samlp:Status>`);
  };
}

interface Reply {
  status: number;
  location: URL | undefined;
  setCookies: string[];
  contentType: string;
  text: string;
  json: Json;
}

/** A user agent: one cookie jar (per origin and path), redirects followed by the caller. */
class Agent {
  readonly jar = new CookieJar();

  async send(url: string | URL, form?: Record<string, string>): Promise<Reply> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = await this.jar.getCookieString(target.href);
    if (cookie !== '') headers['cookie'] = cookie;
    let body: string | undefined;
    if (form !== undefined) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await request(target, { method: form === undefined ? 'GET' : 'POST', headers, body });
    const raw = response.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const line of setCookies) await this.jar.setCookie(line, target.href);
    const text = await response.body.text();
    const location = response.headers['location'];
    const contentType = String(response.headers['content-type'] ?? '');
    return {
      status: response.statusCode,
      location: typeof location === 'string' ? new URL(location, target) : undefined,
      setCookies,
      contentType,
      text,
      json: /json/.test(contentType) && text !== '' ? JSON.parse(text) : undefined,
    };
  }
}

function expectReply(reply: Reply, status: number, what: string): void {
  assert.equal(reply.status, status, `${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 400)}`);
}

interface Harness {
  c: TestServer;
  sp: { loginUrl: string; acsUrl: string; entityId: string; metadataUrl: string };
  /** What the SP is told of the IdP; replace it to make the next login go to a new IdP. */
  idp: TestIdp;
  origin: string;
}

const open: TestServer[] = [];
after(async () => {
  await Promise.all(open.map((c) => c.close()));
});

function testIdp(credentialOf = IDP_KEY): TestIdp {
  // The SP only redirects the browser there; this IdP reads the request from the redirect instead.
  return { entityId: `https://idp.test/${randomBytes(4).toString('hex')}`, ssoUrl: 'http://127.0.0.1:9/idp/sso', credential: credentialOf };
}

async function setup(options: { samlMisbehave?: SamlMisbehaviour[]; withOidc?: boolean } = {}): Promise<Harness> {
  const harness = { idp: testIdp() } as Harness;
  const c = await start({
    federation: {
      saml: {
        idpSsoUrl: () => harness.idp.ssoUrl,
        idpCert: () => harness.idp.credential.certPem,
        idpIssuer: () => harness.idp.entityId,
      },
      // An OIDC relying party whose IdP never comes: its presence must not take the SAML sessions' pages.
      ...(options.withOidc ? { oidc: { issuer: () => undefined, clientId: 'demo-app' } } : {}),
    },
    samlMisbehave: options.samlMisbehave ?? [],
  });
  open.push(c);
  harness.c = c;
  harness.sp = c.server.federation!.saml!;
  harness.origin = new URL(c.baseUrl).origin;
  return harness;
}

interface Started {
  requestId: string;
  relayState: string;
  requestXml: string;
}

/** GET /app/saml/login, and the AuthnRequest the redirect carries, as the IdP reads it. */
async function startLogin(h: Harness, agent: Agent): Promise<Started> {
  const reply = await agent.send(h.sp.loginUrl);
  expectReply(reply, 302, 'login');
  const target = reply.location!;
  assert.equal(`${target.origin}${target.pathname}`, h.idp.ssoUrl, 'the redirect goes to the IdP');
  const encoded = target.searchParams.get('SAMLRequest');
  const relayState = target.searchParams.get('RelayState');
  assert.ok(encoded, 'a SAMLRequest');
  assert.ok(relayState, 'a RelayState');
  const requestXml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const requestId = /<samlp:AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(requestXml)?.[1];
  assert.ok(requestId, `an AuthnRequest ID in ${requestXml}`);
  return { requestId, relayState, requestXml };
}

type Overrides = Partial<Omit<ResponseSpec, 'idp' | 'attributes' | 'nameId'>>;

/** One login: the SP's request, the IdP's response to it (spoiled as `overrides` say), posted to the ACS. */
async function login(h: Harness, agent: Agent, nameId: string, attributes: Attributes, overrides: Overrides = {}): Promise<Reply> {
  const started = await startLogin(h, agent);
  const SAMLResponse = samlResponse({
    idp: h.idp,
    audience: h.sp.entityId,
    acsUrl: h.sp.acsUrl,
    inResponseTo: started.requestId,
    nameId,
    attributes,
    ...overrides,
  });
  return agent.send(h.sp.acsUrl, { SAMLResponse, RelayState: started.relayState });
}

async function signIn(h: Harness, agent: Agent, nameId: string, attributes: Attributes, overrides: Overrides = {}): Promise<void> {
  const reply = await login(h, agent, nameId, attributes, overrides);
  expectReply(reply, 302, 'ACS');
  assert.equal(reply.location?.href, `${h.origin}/app/home`);
  const session = reply.setCookies.find((s) => s.startsWith('provspec_rp_session='));
  assert.ok(session, 'a session cookie');
  assert.match(session, /; HttpOnly/);
  assert.match(session, /; Path=\/app(;|$)/);
}

function expectRefused(reply: Reply, pattern: RegExp, what: string): void {
  expectReply(reply, 403, what);
  assert.equal(reply.json?.error, 'login_failed', `${what}: ${reply.text}`);
  assert.match(String(reply.json?.error_description), pattern, what);
  assert.ok(!reply.setCookies.some((s) => s.startsWith('provspec_rp_session=') && !/Max-Age=0/.test(s)), `${what}: no session`);
}

async function me(h: Harness, agent: Agent): Promise<Reply> {
  return agent.send(`${h.origin}/app/api/me`);
}

async function userNamed(c: TestServer, userName: string): Promise<Json> {
  const res = await c.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  expectStatus(res, 200, 'find user');
  assert.equal(res.json.totalResults, 1, `one user named ${userName}`);
  return getJson(c, `/Users/${res.json.Resources[0].id}`);
}

function alice(overrides: Attributes = {}): Attributes {
  return {
    email: 'alice@example.com',
    given_name: 'Alice',
    family_name: 'Example',
    name: 'Alice Example',
    department: 'R&D',
    groups: 'engineering',
    ...overrides,
  };
}

/** The kinds of bad sign-in, one defect each (as provspec's saml-sp suite sends them). */
type Defect =
  | 'unsigned'
  | 'other-key'
  | 'wrong-audience'
  | 'wrong-recipient'
  | 'expired'
  | 'unknown-in-response-to'
  | 'replayed'
  | 'wrapped';

const EXPIRED_WINDOW: [number, number] = [-20 * 60_000, -10 * 60_000];

/** Every defect but the one `except` names: each refused, nobody signed in, no user created. */
async function assertOtherDefectsRefused(h: Harness, except: Defect): Promise<void> {
  const users = await countUsers(h.c);
  const attempts: Record<Exclude<Defect, 'replayed'>, [Overrides, RegExp]> = {
    unsigned: [{ sign: 'none' }, /signature/i],
    'other-key': [{ signWith: OTHER_KEY }, /signature/i],
    'wrong-audience': [{ audience: 'https://another-sp.test' }, /audience/i],
    'wrong-recipient': [{ recipient: `${h.sp.acsUrl}/elsewhere` }, /Recipient/],
    expired: [{ window: EXPIRED_WINDOW }, /expired|subject confirmation/i],
    'unknown-in-response-to': [{ inResponseTo: xmlId() }, /InResponseTo/],
    wrapped: [{ afterSigning: wrapAssertion({ nameId: 'victim-id', email: 'victim@example.com' }) }, /signature/i],
  };
  for (const [defect, [overrides, reason]] of Object.entries(attempts)) {
    if (defect === except) continue;
    const agent = new Agent();
    expectRefused(await login(h, agent, 'zed-id', { email: 'zed@example.com' }, overrides), reason, defect);
    expectReply(await me(h, agent), 401, `${defect}: no session`);
  }
  if (except !== 'replayed') {
    const { replay } = await replayInNewLogin(h, 'yves-id', 'yves@example.com');
    expectRefused(replay.reply, /InResponseTo|used already/, 'replayed');
    expectReply(replay.session, 401, 'replayed: no session');
  }
  // The replay's first, genuine use made its one user.
  assert.equal(await countUsers(h.c), users + (except === 'replayed' ? 0 : 1), 'no user made by a bad sign-in');
}

/** A genuine sign-in, then its very Response posted again by another browser in a login of its own. */
async function replayInNewLogin(h: Harness, nameId: string, email: string) {
  const first = new Agent();
  const started = await startLogin(h, first);
  const SAMLResponse = samlResponse({
    idp: h.idp,
    audience: h.sp.entityId,
    acsUrl: h.sp.acsUrl,
    inResponseTo: started.requestId,
    nameId,
    attributes: { email },
  });
  expectReply(await first.send(h.sp.acsUrl, { SAMLResponse, RelayState: started.relayState }), 302, 'first use');
  const replayer = new Agent();
  const fresh = await startLogin(h, replayer);
  const reply = await replayer.send(h.sp.acsUrl, { SAMLResponse, RelayState: fresh.relayState });
  return { SAMLResponse, started, replayer, replay: { reply, session: await me(h, replayer) } };
}

describe('reference SAML service provider (JIT provisioning)', () => {
  it('publishes its metadata, and starts a login with an AuthnRequest by HTTP-Redirect', async () => {
    const h = await setup();
    const origin = h.origin;
    assert.deepEqual(h.c.server.federation, {
      saml: {
        loginUrl: `${origin}/app/saml/login`,
        acsUrl: `${origin}/app/saml/acs`,
        entityId: `${origin}/app/saml/metadata`,
        metadataUrl: `${origin}/app/saml/metadata`,
      },
    });
    const agent = new Agent();
    const metadata = await agent.send(h.sp.metadataUrl);
    expectReply(metadata, 200, 'metadata');
    assert.match(metadata.contentType, /^application\/samlmetadata\+xml/);
    assert.match(metadata.text, new RegExp(`entityID="${h.sp.entityId}"`));
    assert.match(metadata.text, /WantAssertionsSigned="true"/);
    assert.match(
      metadata.text,
      new RegExp(`<AssertionConsumerService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]*Location="${h.sp.acsUrl}"`),
    );
    const started = await startLogin(h, agent);
    assert.match(started.requestXml, new RegExp(`AssertionConsumerServiceURL="${h.sp.acsUrl}"`));
    assert.match(started.requestXml, new RegExp(`Destination="${h.idp.ssoUrl}"`));
    assert.match(started.requestXml, new RegExp(`<saml:Issuer[^>]*>${h.sp.entityId}</saml:Issuer>`));
    const wrongMethod = await agent.send(h.sp.acsUrl);
    expectReply(wrongMethod, 405, 'GET on the ACS');
  });

  it('creates the user at the first login, shows the session, and updates the user at the next', async () => {
    const h = await setup();
    await createGroup(h.c, 'engineering');
    await createGroup(h.c, 'support');
    const agent = new Agent();
    await signIn(h, agent, 'alice-persistent-id', alice());
    const first = await userNamed(h.c, 'alice@example.com');
    assert.deepEqual(first.name, { givenName: 'Alice', familyName: 'Example' });
    assert.equal(first.displayName, 'Alice Example');
    assert.deepEqual(first.emails, [{ value: 'alice@example.com', type: 'work', primary: true }]);
    assert.equal(first.active, true);
    assert.equal(first[ENTERPRISE]?.department, 'R&D');
    // One AttributeValue in `groups`: a one-element list, not a string to drop.
    assert.deepEqual(
      first.groups.map((g: Json) => g.display),
      ['engineering'],
    );
    const shown = await me(h, agent);
    expectReply(shown, 200, '/app/api/me');
    assert.deepEqual(shown.json, {
      id: first.id,
      userName: 'alice@example.com',
      displayName: 'Alice Example',
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
      groups: ['engineering'],
      active: true,
    });
    expectReply(await agent.send(`${h.origin}/app/home`), 200, 'home');
    assert.deepEqual((await agent.send(`${h.origin}/app/home`)).json, { signedIn: true });

    await signIn(
      h,
      agent,
      'alice-persistent-id',
      alice({ family_name: 'Married', name: 'Alice Married', department: 'Ops', groups: ['support'] }),
    );
    const second = await userNamed(h.c, 'alice@example.com');
    assert.equal(second.id, first.id, 'the same account: keyed by the IdP and the NameID');
    assert.deepEqual(second.name, { givenName: 'Alice', familyName: 'Married' });
    assert.equal(second.displayName, 'Alice Married');
    assert.equal(second[ENTERPRISE]?.department, 'Ops');
    assert.deepEqual(
      second.groups.map((g: Json) => g.display),
      ['support'],
    );
    assert.equal(await countUsers(h.c), 1);
    assert.deepEqual((await me(h, agent)).json.groups, ['support']);

    const out = await agent.send(`${h.origin}/app/logout`);
    expectReply(out, 302, 'logout');
    expectReply(await me(h, agent), 401, 'after logout');
  });

  it('links a user SCIM created beforehand with the same email', async () => {
    const h = await setup();
    const created = await h.c.scim('POST', '/Users', {
      schemas: [USER],
      userName: 'bob.legacy',
      emails: [{ value: 'bob@example.com', type: 'work', primary: true }],
    });
    expectStatus(created, 201, 'pre-provision bob');
    const agent = new Agent();
    await signIn(h, agent, 'bob-persistent-id', { email: 'bob@example.com', given_name: 'Bob', family_name: 'Builder' });
    assert.equal(await countUsers(h.c), 1, 'no second user');
    const bob = await getJson(h.c, `/Users/${created.json.id}`);
    assert.equal(bob.userName, 'bob@example.com');
    assert.deepEqual(bob.name, { givenName: 'Bob', familyName: 'Builder' });
    assert.equal((await me(h, agent)).json.id, created.json.id);
  });

  it('refuses a login of a user SCIM deactivated, and ends the session of one deactivated since', async () => {
    const h = await setup();
    const agent = new Agent();
    await signIn(h, agent, 'carol-id', { email: 'carol@example.com' });
    const carol = await userNamed(h.c, 'carol@example.com');
    const off = await h.c.scim('PATCH', `/Users/${carol.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expectStatus(off, 200, 'deactivate');
    expectReply(await me(h, agent), 401, 'the session of a deactivated user');
    const again = await login(h, agent, 'carol-id', { email: 'carol@example.com' });
    expectReply(again, 403, 'login of a deactivated user');
    assert.equal(again.json.error, 'account_disabled');
  });

  it('accepts a signed Response around a signed Assertion, and refuses an Assertion covered by the Response signature only', async () => {
    const h = await setup();
    await signIn(h, new Agent(), 'dave-id', { email: 'dave@example.com' }, { sign: 'both' });
    const before = await countUsers(h.c);
    expectRefused(
      await login(h, new Agent(), 'erin-id', { email: 'erin@example.com' }, { sign: 'response' }),
      /signature/i,
      'response only',
    );
    assert.equal(await countUsers(h.c), before);
  });

  it('refuses an unsigned assertion, a tampered one, and one signed with a key it does not trust', async () => {
    const h = await setup();
    const agent = new Agent();
    expectRefused(await login(h, agent, 'mallory-id', { email: 'mallory@example.com' }, { sign: 'none' }), /signature/i, 'unsigned');
    const tampered = await login(
      h,
      agent,
      'mallory-id',
      { email: 'mallory@example.com' },
      { afterSigning: (xml) => xml.replace('mallory@example.com', 'admin@example.com') },
    );
    expectRefused(tampered, /signature/i, 'tampered after signing');
    expectRefused(
      await login(h, agent, 'mallory-id', { email: 'mallory@example.com' }, { signWith: OTHER_KEY }),
      /signature/i,
      'foreign key',
    );
    expectReply(await me(h, agent), 401, 'no session');
    assert.equal(await countUsers(h.c), 0, 'no user');
  });

  it('saml-accepts-unsigned: an assertion with no signature signs the person in; a tampered signed one still does not', async () => {
    const h = await setup({ samlMisbehave: ['saml-accepts-unsigned'] });
    const agent = new Agent();
    await signIn(h, agent, 'mallory-id', { email: 'mallory@example.com' }, { sign: 'none' });
    assert.equal((await me(h, agent)).json.userName, 'mallory@example.com');
    const tampered = await login(
      h,
      new Agent(),
      'mallory-id',
      { email: 'mallory@example.com' },
      { afterSigning: (xml) => xml.replace('mallory@example.com', 'admin@example.com') },
    );
    expectRefused(tampered, /signature/i, 'tampered after signing');
    // The flag skips the signature, nothing else: the audience is still checked.
    expectRefused(
      await login(h, new Agent(), 'mallory-id', { email: 'mallory@example.com' }, { sign: 'none', audience: 'https://another-sp.test' }),
      /audience/i,
      'unsigned with a wrong audience',
    );
  });

  it('refuses an assertion for another audience', async () => {
    const h = await setup();
    const reply = await login(h, new Agent(), 'frank-id', { email: 'frank@example.com' }, { audience: 'https://another-sp.test' });
    expectRefused(reply, /audience/i, 'wrong audience');
    assert.equal(await countUsers(h.c), 0);
  });

  it('refuses a response delivered to another ACS: by its Destination, or by its bearer Recipient', async () => {
    const h = await setup();
    const elsewhere = `${h.sp.acsUrl}/elsewhere`;
    const byDestination = await login(h, new Agent(), 'nora-id', { email: 'nora@example.com' }, { destination: elsewhere });
    expectRefused(byDestination, /Destination/, 'Destination');
    expectRefused(
      await login(h, new Agent(), 'nora-id', { email: 'nora@example.com' }, { recipient: elsewhere }),
      /Recipient/,
      'Recipient',
    );
    assert.equal(await countUsers(h.c), 0);
  });

  it('refuses signature wrapping: a forged assertion before the signed one signs in nobody; in Extensions, only the signed', async () => {
    const h = await setup();
    const forged = wrapAssertion({ nameId: 'admin-id', email: 'admin@example.com' });
    const agent = new Agent();
    expectRefused(
      await login(h, agent, 'mallory-id', { email: 'mallory@example.com' }, { afterSigning: forged }),
      /multiple assertions/,
      'wrapped',
    );
    expectReply(await me(h, agent), 401, 'no session');
    assert.equal(await countUsers(h.c), 0);
    // Not an assertion of the Response: node-saml reads the one it verified.
    const hidden = wrapAssertion({ nameId: 'admin-id', email: 'admin@example.com' }, 'extensions');
    const inExtensions = new Agent();
    await signIn(h, inExtensions, 'mallory-id', { email: 'mallory@example.com' }, { afterSigning: hidden });
    assert.equal((await me(h, inExtensions)).json.userName, 'mallory@example.com');
    assert.equal(await countUsers(h.c), 1);
  });

  it('saml-accepts-wrong-audience: an assertion for another audience signs the person in', async () => {
    const h = await setup({ samlMisbehave: ['saml-accepts-wrong-audience'] });
    await signIn(h, new Agent(), 'frank-id', { email: 'frank@example.com' }, { audience: 'https://another-sp.test' });
    assert.equal(await countUsers(h.c), 1);
    // The flag skips the audience, nothing else: an unsigned assertion is still refused.
    expectRefused(
      await login(h, new Agent(), 'gina-id', { email: 'gina@example.com' }, { audience: 'https://another-sp.test', sign: 'none' }),
      /signature/i,
      'wrong audience, unsigned',
    );
  });

  it('refuses a response whose status is not Success, with or without an assertion', async () => {
    const h = await setup();
    const responder = 'urn:oasis:names:tc:SAML:2.0:status:Responder';
    const bare = await login(h, new Agent(), 'hank-id', {}, { status: responder, withoutAssertion: true, sign: 'response' });
    expectRefused(bare, /Responder/, 'error status');
    const withAssertion = await login(h, new Agent(), 'hank-id', { email: 'hank@example.com' }, { status: responder });
    expectRefused(withAssertion, /status/i, 'error status around a signed assertion');
    assert.equal(await countUsers(h.c), 0);
  });

  it('refuses a replayed response, an unknown InResponseTo, an expired assertion, and another issuer', async () => {
    const h = await setup();
    const agent = new Agent();
    const started = await startLogin(h, agent);
    const SAMLResponse = samlResponse({
      idp: h.idp,
      audience: h.sp.entityId,
      acsUrl: h.sp.acsUrl,
      inResponseTo: started.requestId,
      nameId: 'ivan-id',
      attributes: { email: 'ivan@example.com' },
    });
    expectReply(await agent.send(h.sp.acsUrl, { SAMLResponse, RelayState: started.relayState }), 302, 'first post');
    const replayer = new Agent();
    expectRefused(await replayer.send(h.sp.acsUrl, { SAMLResponse, RelayState: started.relayState }), /RelayState/, 'replay');
    // With a login of its own in progress, the old response still answers somebody else's request.
    const fresh = await startLogin(h, replayer);
    expectRefused(await replayer.send(h.sp.acsUrl, { SAMLResponse, RelayState: fresh.relayState }), /InResponseTo/, 'replay, new login');
    expectReply(await me(h, replayer), 401, 'the replayer has no session');

    const unknown = await login(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { inResponseTo: xmlId() });
    expectRefused(unknown, /InResponseTo/, 'unknown InResponseTo');
    const missing = await login(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { inResponseTo: undefined });
    expectRefused(missing, /InResponseTo/, 'no InResponseTo');
    const expired = await login(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { window: [-20 * 60_000, -10 * 60_000] });
    expectRefused(expired, /expired|subject confirmation/i, 'expired');
    const stale = await login(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { confirmationNotOnOrAfter: -5 * 60_000 });
    expectRefused(stale, /subject confirmation/i, 'the bearer confirmation expired, the Conditions not');
    const foreign = await login(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { issuer: 'https://another-idp.test' });
    expectRefused(foreign, /Issuer/, 'another issuer');
    const noRelayState = await startLogin(h, new Agent());
    const orphan = samlResponse({
      idp: h.idp,
      audience: h.sp.entityId,
      acsUrl: h.sp.acsUrl,
      inResponseTo: noRelayState.requestId,
      nameId: 'ivan-id',
      attributes: { email: 'ivan@example.com' },
    });
    expectRefused(await new Agent().send(h.sp.acsUrl, { SAMLResponse: orphan }), /RelayState/, 'no RelayState');
    assert.equal(await countUsers(h.c), 1);
  });

  it('refuses a signed assertion used before, wrapped in a new Response for another login', async () => {
    const h = await setup();
    const agent = new Agent();
    const first = await startLogin(h, agent);
    const SAMLResponse = samlResponse({
      idp: h.idp,
      audience: h.sp.entityId,
      acsUrl: h.sp.acsUrl,
      inResponseTo: first.requestId,
      nameId: 'olga-id',
      attributes: { email: 'olga@example.com' },
      subjectInResponseTo: false,
    });
    expectReply(await agent.send(h.sp.acsUrl, { SAMLResponse, RelayState: first.relayState }), 302, 'first use');
    // Only the assertion is signed, so the Response around it (and its InResponseTo) can be rewritten at will.
    const attacker = new Agent();
    const second = await startLogin(h, attacker);
    const rewrapped = Buffer.from(Buffer.from(SAMLResponse, 'base64').toString('utf8').replace(first.requestId, second.requestId)).toString(
      'base64',
    );
    expectRefused(
      await attacker.send(h.sp.acsUrl, { SAMLResponse: rewrapped, RelayState: second.relayState }),
      /used already/,
      'rewrapped',
    );
    expectReply(await me(h, attacker), 401, 'the attacker has no session');
  });

  it('asks for the IdP at each login: a new IdP is trusted from then on, the old one no longer', async () => {
    const h = await setup();
    const oldIdp = h.idp;
    const agent = new Agent();
    const started = await startLogin(h, agent);
    h.idp = testIdp(OTHER_KEY);
    // The login in flight went to the old IdP, and is answered by it.
    const answer = samlResponse({
      idp: oldIdp,
      audience: h.sp.entityId,
      acsUrl: h.sp.acsUrl,
      inResponseTo: started.requestId,
      nameId: 'judy-id',
      attributes: { email: 'judy@example.com' },
    });
    expectReply(await agent.send(h.sp.acsUrl, { SAMLResponse: answer, RelayState: started.relayState }), 302, 'answered by the old IdP');
    // A login now goes to the new IdP: the old IdP's key signs for nobody.
    const stale = await login(
      h,
      new Agent(),
      'judy-id',
      { email: 'judy@example.com' },
      { signWith: oldIdp.credential, issuer: oldIdp.entityId },
    );
    expectRefused(stale, /signature|Issuer/i, 'the old IdP after the change');
    await signIn(h, new Agent(), 'kim-id', { email: 'kim@example.com' });
    assert.equal(await countUsers(h.c), 2);
  });

  it('saml-ignores-recipient: a response for another ACS signs the person in; the other defects are still refused', async () => {
    const h = await setup({ samlMisbehave: ['saml-ignores-recipient'] });
    const elsewhere = `${h.sp.acsUrl}/elsewhere`;
    await signIn(h, new Agent(), 'nora-id', { email: 'nora@example.com' }, { destination: elsewhere });
    await signIn(h, new Agent(), 'nora-id', { email: 'nora@example.com' }, { recipient: elsewhere });
    const agent = new Agent();
    await signIn(h, agent, 'nora-id', { email: 'nora@example.com' }, { destination: elsewhere, recipient: elsewhere });
    assert.equal((await me(h, agent)).json.userName, 'nora@example.com');
    await assertOtherDefectsRefused(h, 'wrong-recipient');
    const both = await login(
      h,
      new Agent(),
      'zoe-id',
      { email: 'zoe@example.com' },
      { recipient: elsewhere, audience: 'https://another-sp.test' },
    );
    expectRefused(both, /audience/i, 'another ACS and another audience');
  });

  it('saml-accepts-expired: an expired assertion signs the person in; the other defects are still refused', async () => {
    const h = await setup({ samlMisbehave: ['saml-accepts-expired'] });
    const agent = new Agent();
    await signIn(h, agent, 'ivan-id', { email: 'ivan@example.com' }, { window: EXPIRED_WINDOW });
    assert.equal((await me(h, agent)).json.userName, 'ivan@example.com');
    await signIn(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { confirmationNotOnOrAfter: -5 * 60_000 });
    await assertOtherDefectsRefused(h, 'expired');
    const both = await login(h, new Agent(), 'zoe-id', { email: 'zoe@example.com' }, { window: EXPIRED_WINDOW, inResponseTo: xmlId() });
    expectRefused(both, /InResponseTo/, 'expired, answering no request');
  });

  it('saml-ignores-in-response-to: a response to no request signs in, once; the other defects are still refused', async () => {
    const h = await setup({ samlMisbehave: ['saml-ignores-in-response-to'] });
    const agent = new Agent();
    await signIn(h, agent, 'ivan-id', { email: 'ivan@example.com' }, { inResponseTo: xmlId() });
    assert.equal((await me(h, agent)).json.userName, 'ivan@example.com');
    await signIn(h, new Agent(), 'ivan-id', { email: 'ivan@example.com' }, { inResponseTo: undefined });
    await assertOtherDefectsRefused(h, 'unknown-in-response-to');
    // Still one sign-in per login, and per assertion.
    const { SAMLResponse, started, replay } = await replayInNewLogin(h, 'kim-id', 'kim@example.com');
    expectRefused(replay.reply, /used already/, 'replayed in a new login');
    expectRefused(
      await new Agent().send(h.sp.acsUrl, { SAMLResponse, RelayState: started.relayState }),
      /RelayState/,
      'its RelayState again',
    );
    // node-saml holds the bearer confirmation to its window only while it checks InResponseTo: the app does it then.
    const stale = await login(h, new Agent(), 'zoe-id', { email: 'zoe@example.com' }, { confirmationNotOnOrAfter: -5 * 60_000 });
    expectRefused(stale, /subject confirmation/i, 'the bearer confirmation expired, the Conditions not');
  });

  it('saml-accepts-replay: a response used before signs in again in a later login; the other defects are still refused', async () => {
    const h = await setup({ samlMisbehave: ['saml-accepts-replay'] });
    const { SAMLResponse, replayer, replay } = await replayInNewLogin(h, 'ivan-id', 'ivan@example.com');
    expectReply(replay.reply, 302, 'replayed in a new login');
    expectReply(replay.session, 200, 'the replayer has a session');
    assert.equal(replay.session.json.userName, 'ivan@example.com');
    // And again, by the same browser in yet another login.
    const again = await startLogin(h, replayer);
    expectReply(await replayer.send(h.sp.acsUrl, { SAMLResponse, RelayState: again.relayState }), 302, 'replayed twice');
    assert.equal(await countUsers(h.c), 1);
    await assertOtherDefectsRefused(h, 'replayed');
  });

  it('saml-reads-first-assertion: a forged assertion before the signed one signs in; the other defects are still refused', async () => {
    const h = await setup({ samlMisbehave: ['saml-reads-first-assertion'] });
    for (const where of ['sibling', 'extensions'] as const) {
      const agent = new Agent();
      const forged = wrapAssertion({ nameId: `admin-${where}`, email: `admin-${where}@example.com` }, where);
      await signIn(h, agent, 'mallory-id', { email: 'mallory@example.com' }, { afterSigning: forged });
      assert.equal((await me(h, agent)).json.userName, `admin-${where}@example.com`, where);
    }
    assert.equal(await countUsers(h.c), 2, 'only the forged people');
    await assertOtherDefectsRefused(h, 'wrapped');
    const forged = wrapAssertion({ nameId: 'admin-id', email: 'admin@example.com' });
    const refusals: [Overrides, RegExp, string][] = [
      [{ afterSigning: forged, signWith: OTHER_KEY }, /signature/i, 'the signed assertion signed with another key'],
      [{ afterSigning: forged, sign: 'none' }, /signature/i, 'no signature at all'],
      [{ afterSigning: forged, sign: 'both' }, /multiple assertions|signature/i, 'a signed Response: the forgery breaks its signature'],
      [
        { afterSigning: wrapAssertion({ nameId: 'admin-id', email: 'admin@example.com', audience: 'https://another-sp.test' }) },
        /audience/i,
        'forged for another audience',
      ],
      [{ afterSigning: forged, window: EXPIRED_WINDOW }, /expired|subject confirmation/i, 'both expired'],
    ];
    const users = await countUsers(h.c);
    for (const [overrides, reason, what] of refusals) {
      expectRefused(await login(h, new Agent(), 'mallory-id', { email: 'mallory@example.com' }, overrides), reason, what);
    }
    assert.equal(await countUsers(h.c), users);
  });

  it('serves /app/api/me from the SAML session next to an OIDC relying party', async () => {
    const h = await setup({ withOidc: true });
    const fed = h.c.server.federation!;
    assert.equal(fed.loginUrl, `${h.origin}/app/login`);
    assert.equal(fed.saml?.acsUrl, `${h.origin}/app/saml/acs`);
    const agent = new Agent();
    expectReply(await me(h, agent), 401, 'nobody signed in');
    await signIn(h, agent, 'leo-id', { email: 'leo@example.com', groups: [] });
    const shown = await me(h, agent);
    expectReply(shown, 200, 'the SAML session');
    assert.equal(shown.json.userName, 'leo@example.com');
    expectReply(await agent.send(`${h.origin}/app/logout`), 302, 'logout');
    expectReply(await me(h, agent), 401, 'after logout');
  });

  it('refuses unknown SAML misbehaviours and an IdP configuration that cannot work', async () => {
    await assert.rejects(startReferenceServer({ samlMisbehave: ['saml-nonsense'] }), /Unknown SAML misbehaviour "saml-nonsense"/);
    await assert.rejects(
      startReferenceServer({ federation: { saml: { idpSsoUrl: 'idp', idpCert: IDP_KEY.certPem } } }),
      /idpSsoUrl "idp" is not a URL/,
    );
    await assert.rejects(
      startReferenceServer({ federation: { saml: { idpSsoUrl: 'http://127.0.0.1:9/sso', idpCert: 'not a certificate' } } }),
      /idpCert is not an X\.509 certificate/,
    );
    // Before the IdP is known, a login cannot start; the metadata can be had all the same.
    let known = false;
    const c = await start({
      federation: { saml: { idpSsoUrl: () => (known ? 'http://127.0.0.1:9/sso' : undefined), idpCert: () => IDP_KEY.certPem } },
    });
    open.push(c);
    const sp = c.server.federation!.saml!;
    const agent = new Agent();
    const early = await agent.send(sp.loginUrl);
    expectReply(early, 502, 'login before the IdP is known');
    assert.equal(early.json.error, 'idp_unavailable');
    expectReply(await agent.send(sp.metadataUrl), 200, 'metadata before the IdP is known');
    known = true;
    expectReply(await agent.send(sp.loginUrl), 302, 'login once the IdP is known');
  });
});
