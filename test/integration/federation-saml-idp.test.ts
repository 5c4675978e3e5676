// provspec's SAML IdP and its headless user agent against an independent service provider:
// @node-saml/node-saml 5 on node:http, written here, all on 127.0.0.1. The SP does what an app
// does: /login sends an AuthnRequest by HTTP-Redirect (302 to the IdP), /login-post by HTTP-POST
// (a self-submitting form), and /acs validates the Response the IdP POSTs back (both signatures
// required, the InResponseTo checked against the requests it made) and answers the profile as
// JSON, or 403 when the IdP refused the sign-in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheItem, type CacheProvider } from '@node-saml/node-saml';
import { startSamlIdp, type SamlAccount, type SamlIdp, type SamlTamper } from '../../core/federation/saml-idp.ts';
import { NAMEID_FORMAT, PASSWORD_PROTECTED_TRANSPORT, SAML_NS, SAML_STATUS } from '../../core/federation/saml-xml.ts';
import { certificateBase64 } from '../../core/federation/certificate.ts';
import { EVIDENCE_BODY, UserAgent, type Hop } from '../../core/federation/user-agent.ts';
import { login, type LoginOutcome } from '../../core/federation/login.ts';
import { REDACTED } from '../../core/federation/redact.ts';
import { formsIn, type HtmlForm } from '../../core/federation/forms.ts';

const SP_ENTITY_ID = 'urn:provspec:test:service-provider';
/** Not the entity id: the IdP must name the audience it was told, not fall back on the entity id. */
const SP_AUDIENCE = 'urn:provspec:test:service-provider:audience';

const alice: SamlAccount = {
  nameId: 'alice-0001',
  attributes: {
    email: 'alice@example.test',
    givenName: 'Alice',
    groups: ['engineering'],
    roles: ['admin', 'auditor', 'developer'],
    department: `R&D <Zürich> "é" & 'co'`,
  },
};
const bob: SamlAccount = { nameId: 'bob-0002', attributes: { email: 'bob@example.test', groups: ['sales'] } };

interface Landing {
  nameID: string;
  nameIDFormat?: string;
  issuer?: string;
  inResponseTo?: string;
  sessionIndex?: string;
  attributes: Record<string, unknown>;
  relayState?: string;
  assertionXml: string;
}

/** One store for the SP's SAML instances: a request made by one is answered at the ACS of another. */
class RequestCache implements CacheProvider {
  readonly #items = new Map<string, CacheItem>();

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    if (this.#items.has(key)) return null;
    const item = { value, createdAt: Date.now() };
    this.#items.set(key, item);
    return item;
  }

  async getAsync(key: string): Promise<string | null> {
    return this.#items.get(key)?.value ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    const item = key === null ? undefined : this.#items.get(key);
    if (key !== null) this.#items.delete(key);
    return item?.value ?? null;
  }
}

class ServiceProvider {
  readonly server: Server;
  origin = '';
  /** The AuthnRequest IDs the SP made, in order. */
  readonly requestIds: string[] = [];
  /** Every SAMLRequest and SAMLResponse as they travelled (base64): none may appear in a hop. */
  readonly messages: string[] = [];
  /** The XML of every SAMLResponse that reached the ACS. */
  readonly responses: string[] = [];
  readonly #cache = new RequestCache();
  #redirect: SAML | undefined;
  #post: SAML | undefined;
  #postDeflated: SAML | undefined;
  #wrongAcs: SAML | undefined;

  constructor() {
    this.server = createServer((req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: 'sp_failure', error_description: String(error) });
      });
    });
  }

  get acsUrl(): string {
    return `${this.origin}/acs`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  connect(idp: SamlIdp): void {
    const config = (callbackUrl: string, post?: { deflate: boolean }) =>
      new SAML({
        entryPoint: idp.ssoUrl,
        issuer: SP_ENTITY_ID,
        audience: SP_AUDIENCE,
        callbackUrl,
        idpCert: idp.certificatePem,
        idpIssuer: idp.issuer,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        validateInResponseTo: ValidateInResponseTo.always,
        identifierFormat: NAMEID_FORMAT.unspecified,
        cacheProvider: this.#cache,
        ...(post ? { authnRequestBinding: 'HTTP-POST', skipRequestCompression: !post.deflate } : {}),
      });
    this.#redirect = config(this.acsUrl);
    this.#post = config(this.acsUrl, { deflate: false });
    this.#postDeflated = config(this.acsUrl, { deflate: true });
    this.#wrongAcs = config(`${this.origin}/elsewhere`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Notes the request the SP sends, as it travels. */
  #made(samlRequest: string, deflated: boolean): void {
    this.messages.push(samlRequest);
    const bytes = Buffer.from(samlRequest, 'base64');
    const xml = (deflated ? inflateRawSync(bytes) : bytes).toString('utf8');
    this.requestIds.push(/\sID="([^"]+)"/.exec(xml)?.[1] ?? '');
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /login': {
        const saml = url.searchParams.get('acs') === 'wrong' ? this.#wrongAcs! : this.#redirect!;
        const to = await saml.getAuthorizeUrlAsync(url.searchParams.get('relay') ?? '', undefined, {});
        this.#made(new URL(to).searchParams.get('SAMLRequest') ?? '', true);
        res.writeHead(302, { location: to });
        return void res.end();
      }
      case 'GET /login-post': {
        const deflate = url.searchParams.get('deflate') === 'yes';
        const page = await (deflate ? this.#postDeflated! : this.#post!).getAuthorizeFormAsync('relay-post');
        this.#made(formsIn(page, url.href)[0]?.fields['SAMLRequest'] ?? '', deflate);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(page);
      }
      case 'POST /acs': {
        const params = new URLSearchParams(await text(req));
        const samlResponse = params.get('SAMLResponse') ?? '';
        this.messages.push(samlResponse);
        this.responses.push(Buffer.from(samlResponse, 'base64').toString('utf8'));
        try {
          const { profile } = await this.#redirect!.validatePostResponseAsync({ SAMLResponse: samlResponse });
          assert.ok(profile, 'a profile');
          const landing: Landing = {
            nameID: profile.nameID,
            nameIDFormat: profile.nameIDFormat,
            issuer: profile.issuer,
            inResponseTo: profile['inResponseTo'] as string | undefined,
            sessionIndex: profile.sessionIndex,
            attributes: (profile['attributes'] ?? {}) as Record<string, unknown>,
            assertionXml: profile.getAssertionXml?.() ?? '',
            ...(params.has('RelayState') ? { relayState: params.get('RelayState')! } : {}),
          };
          return json(res, 200, landing);
        } catch (error) {
          // The IdP said no (a non-Success status): the app refuses the sign-in. Anything else
          // is a response the app could not trust.
          if (error instanceof SamlStatusError) return json(res, 403, { error: 'saml_status', error_description: error.message });
          return json(res, 401, { error: 'invalid_saml_response', error_description: String(error) });
        }
      }
      default:
        return json(res, 404, { error: 'not_found' });
    }
  }
}

describe('provspec SAML IdP and user agent, against a node-saml service provider', () => {
  const sp = new ServiceProvider();
  let idp: SamlIdp;
  let agent: UserAgent;
  const recorded: Hop[] = [];
  const serverErrors: Error[] = [];

  const signIn = async (as: string, query = ''): Promise<LoginOutcome> => {
    const outcome = await login(agent, `${sp.origin}/login${query}`, idp, as);
    recorded.push(...outcome.hops);
    return outcome;
  };
  const landing = (outcome: LoginOutcome): Landing => {
    assert.equal(outcome.kind, 'landed', JSON.stringify(outcome, null, 2));
    const last = outcome.hops.at(-1)!;
    assert.equal(`${last.method} ${last.url} ${last.status}`, `POST ${sp.acsUrl} 200`);
    return JSON.parse(agent.bodyOf(last)!) as Landing;
  };
  /** node-saml gives a one-value attribute as the value, more values as a list. */
  const asProfile = (attributes: SamlAccount['attributes']): Record<string, unknown> =>
    Object.fromEntries(Object.entries(attributes).map(([name, v]) => [name, Array.isArray(v) && v.length === 1 ? v[0] : v]));
  const navigate = async (url: string, form?: HtmlForm, by: UserAgent = agent): Promise<Hop> => {
    const hops = await by.navigate(url, form ? { form: form.fields, headers: { origin: new URL(url).origin } } : {});
    recorded.push(...hops);
    return hops.at(-1)!;
  };
  const onlyForm = (hop: Hop, by: UserAgent = agent): HtmlForm => {
    const forms = formsIn(by.bodyOf(hop) ?? '', hop.url);
    assert.equal(forms.length, 1, `one form at ${hop.url}: ${hop.body}`);
    return forms[0]!;
  };

  before(async () => {
    await sp.listen();
    idp = await startSamlIdp({
      sp: { entityId: SP_ENTITY_ID, acsUrl: sp.acsUrl, audience: SP_AUDIENCE },
      onServerError: (error) => serverErrors.push(error),
    });
    idp.setAccount(alice);
    idp.setAccount(bob);
    sp.connect(idp);
    agent = new UserAgent({ allowedOrigins: [sp.origin, idp.issuer] });
  });

  after(async () => {
    await agent?.close();
    await idp?.close();
    await sp.close();
  });

  it("signs in by HTTP-Redirect: node-saml verifies both signatures and reads exactly the account's NameID and attributes", async (t) => {
    const started = performance.now();
    const outcome = await signIn(alice.nameId, '?relay=back-to%2Fdashboard');
    t.diagnostic(`the process's first login (cold): ${(performance.now() - started).toFixed(1)} ms`);
    const landed = landing(outcome);
    assert.equal(landed.nameID, alice.nameId);
    assert.equal(landed.nameIDFormat, NAMEID_FORMAT.unspecified);
    assert.equal(landed.issuer, idp.issuer);
    assert.deepEqual(landed.attributes, asProfile(alice.attributes));
    assert.equal(landed.inResponseTo, sp.requestIds.at(-1), 'InResponseTo is the ID of the AuthnRequest the SP sent');
    assert.equal(landed.relayState, 'back-to/dashboard');
    // The one-element list went as one AttributeValue, the multi-valued one as three, each an xs:string.
    const assertion = parse(landed.assertionXml);
    const values = (name: string): Element[] =>
      children(
        children(children(assertion, 'AttributeStatement')[0]!, 'Attribute').find((a) => a.getAttribute('Name') === name)!,
        'AttributeValue',
      );
    assert.deepEqual(
      values('groups').map((v) => v.textContent),
      ['engineering'],
    );
    assert.deepEqual(
      values('roles').map((v) => v.textContent),
      alice.attributes['roles'],
    );
    assert.equal(values('department')[0]?.textContent, alice.attributes['department']);
    for (const value of values('roles')) assert.equal(value.getAttributeNS(SAML_NS.xsi, 'type'), 'xs:string');

    // The flow: the SSO request, the IdP's own sign-in form (the sub and the pending request's
    // opaque id, never the SAMLRequest), the POST binding page, the ACS POST.
    const idpOrigin = new URL(idp.issuer).origin;
    assert.deepEqual(
      outcome.hops.map((hop) => `${hop.method} ${hop.url.split('?')[0]} ${hop.status}`),
      [`GET ${sp.origin}/login 302`, `GET ${idp.ssoUrl} 200`, `POST ${idpOrigin}/saml/login 200`, `POST ${sp.acsUrl} 200`],
    );
    assert.match(outcome.hops[1]!.url, new RegExp(`\\?SAMLRequest=${escapeRegExp(REDACTED)}&RelayState=back-to%2Fdashboard$`));
    assert.match(outcome.hops[2]!.requestBody ?? '', new RegExp(`^request=[A-Za-z0-9_-]{22}&sub=${alice.nameId}$`));
    assert.match(outcome.hops[2]!.body ?? '', new RegExp(`<input type="hidden" name="SAMLResponse" value="${escapeRegExp(REDACTED)}">`));
    assert.equal(outcome.hops[3]!.requestBody, `SAMLResponse=${REDACTED}&RelayState=back-to%2Fdashboard`);
  });

  it('the Response is SAML 2.0 core as the brief has it: both signatures after their Issuer, RSA-SHA256, exclusive c14n', () => {
    const response = parse(sp.responses.at(-1)!);
    assert.equal(response.localName, 'Response');
    assert.equal(response.namespaceURI, SAML_NS.protocol);
    assert.equal(response.getAttribute('Version'), '2.0');
    assert.equal(response.getAttribute('Destination'), sp.acsUrl);
    assert.equal(response.getAttribute('InResponseTo'), sp.requestIds.at(-1));
    assert.deepEqual(
      elementChildren(response).map((e) => e.localName),
      ['Issuer', 'Signature', 'Status', 'Assertion'],
    );
    assert.equal(children(children(response, 'Status')[0]!, 'StatusCode')[0]?.getAttribute('Value'), SAML_STATUS.success);
    const assertion = children(response, 'Assertion')[0]!;
    assert.deepEqual(
      elementChildren(assertion).map((e) => e.localName),
      ['Issuer', 'Signature', 'Subject', 'Conditions', 'AuthnStatement', 'AttributeStatement'],
    );
    for (const [element, signature] of [response, assertion].map((e) => [e, children(e, 'Signature')[0]!] as const)) {
      const signedInfo = children(signature, 'SignedInfo')[0]!;
      assert.equal(children(signedInfo, 'CanonicalizationMethod')[0]?.getAttribute('Algorithm'), 'http://www.w3.org/2001/10/xml-exc-c14n#');
      assert.equal(
        children(signedInfo, 'SignatureMethod')[0]?.getAttribute('Algorithm'),
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      );
      const reference = children(signedInfo, 'Reference')[0]!;
      assert.equal(reference.getAttribute('URI'), `#${element.getAttribute('ID')}`);
      assert.deepEqual(
        children(children(reference, 'Transforms')[0]!, 'Transform').map((e) => e.getAttribute('Algorithm')),
        ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      );
      assert.equal(children(reference, 'DigestMethod')[0]?.getAttribute('Algorithm'), 'http://www.w3.org/2001/04/xmlenc#sha256');
      const certificate = signature.getElementsByTagNameNS(SAML_NS.dsig, 'X509Certificate')[0]?.textContent;
      assert.equal(certificate, certificateBase64(idp.certificatePem));
    }
    const subject = children(assertion, 'Subject')[0]!;
    const confirmation = children(children(subject, 'SubjectConfirmation')[0]!, 'SubjectConfirmationData')[0]!;
    assert.equal(children(subject, 'SubjectConfirmation')[0]?.getAttribute('Method'), 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
    assert.equal(confirmation.getAttribute('Recipient'), sp.acsUrl);
    assert.equal(confirmation.getAttribute('InResponseTo'), sp.requestIds.at(-1));
    const issued = Date.parse(assertion.getAttribute('IssueInstant')!);
    assert.equal(Date.parse(confirmation.getAttribute('NotOnOrAfter')!) - issued, 5 * 60_000);
    const conditions = children(assertion, 'Conditions')[0]!;
    assert.equal(Date.parse(conditions.getAttribute('NotBefore')!), issued);
    assert.equal(Date.parse(conditions.getAttribute('NotOnOrAfter')!) - issued, 5 * 60_000);
    assert.equal(conditions.getElementsByTagNameNS(SAML_NS.assertion, 'Audience')[0]?.textContent, SP_AUDIENCE);
    const authn = children(assertion, 'AuthnStatement')[0]!;
    assert.match(authn.getAttribute('SessionIndex') ?? '', /^_[0-9a-f]{40}$/);
    assert.equal(authn.getElementsByTagNameNS(SAML_NS.assertion, 'AuthnContextClassRef')[0]?.textContent, PASSWORD_PROTECTED_TRANSPORT);
    for (const attribute of children(children(assertion, 'AttributeStatement')[0]!, 'Attribute'))
      assert.equal(attribute.getAttribute('NameFormat'), 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic');
  });

  it('the metadata parses and names the signing certificate and both SSO bindings', async () => {
    assert.equal(idp.metadataUrl, idp.issuer);
    assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+\/saml\/metadata$/);
    const response = await fetch(idp.metadataUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/samlmetadata\+xml/);
    const entity = parse(await response.text());
    assert.equal(entity.localName, 'EntityDescriptor');
    assert.equal(entity.namespaceURI, SAML_NS.metadata);
    assert.equal(entity.getAttribute('entityID'), idp.issuer);
    const descriptor = children(entity, 'IDPSSODescriptor', SAML_NS.metadata)[0]!;
    assert.equal(descriptor.getAttribute('protocolSupportEnumeration'), SAML_NS.protocol);
    const key = children(descriptor, 'KeyDescriptor', SAML_NS.metadata)[0]!;
    assert.equal(key.getAttribute('use'), 'signing');
    const certificate = key.getElementsByTagNameNS(SAML_NS.dsig, 'X509Certificate')[0]?.textContent ?? '';
    assert.equal(certificate, certificateBase64(idp.certificatePem));
    const x509 = new X509Certificate(Buffer.from(certificate, 'base64'));
    assert.equal(x509.publicKey.asymmetricKeyType, 'rsa');
    assert.ok(x509.verify(x509.publicKey), 'self-signed');
    assert.ok(Date.parse(x509.validFrom) <= Date.now() && Date.now() < Date.parse(x509.validTo));
    assert.deepEqual(
      children(descriptor, 'SingleSignOnService', SAML_NS.metadata).map((e) => [e.getAttribute('Binding'), e.getAttribute('Location')]),
      [
        ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', idp.ssoUrl],
        ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', idp.ssoUrl],
      ],
    );
  });

  it('setAccount with changed attributes: the next sign-in carries them', async () => {
    const changed: SamlAccount = { nameId: bob.nameId, attributes: { email: 'robert@example.test', groups: ['sales', 'support'] } };
    idp.setAccount(changed);
    const landed = landing(await signIn(bob.nameId));
    assert.deepEqual(landed.attributes, asProfile(changed.attributes));
    assert.equal(landed.relayState, undefined, 'no RelayState sent, none echoed');
  });

  it('an AuthnRequest by HTTP-POST (plain, and deflated as node-saml does by default) signs in too', async () => {
    for (const deflate of ['no', 'yes']) {
      const spPage = await navigate(`${sp.origin}/login-post?deflate=${deflate}`);
      const toIdp = onlyForm(spPage);
      assert.equal(`${toIdp.method} ${toIdp.action}`, `POST ${idp.ssoUrl}`);
      const signInPage = await navigate(toIdp.action, toIdp);
      assert.equal(signInPage.status, 200, signInPage.body);
      const signInForm = onlyForm(signInPage);
      const posted = await navigate(signInForm.action, { ...signInForm, fields: { ...signInForm.fields, sub: alice.nameId } });
      const toAcs = onlyForm(posted);
      assert.equal(`${toAcs.method} ${toAcs.action}`, `POST ${sp.acsUrl}`);
      assert.equal(toAcs.fields['RelayState'], 'relay-post');
      const landed = await navigate(toAcs.action, toAcs);
      assert.equal(landed.status, 200, landed.body);
      const profile = JSON.parse(agent.bodyOf(landed)!) as Landing;
      assert.equal(profile.nameID, alice.nameId);
      assert.equal(profile.inResponseTo, sp.requestIds.at(-1));
      assert.equal(profile.relayState, 'relay-post');

      // The pending request is spent: the same form again is refused.
      const again = await navigate(signInForm.action, { ...signInForm, fields: { ...signInForm.fields, sub: alice.nameId } });
      assert.equal(again.status, 400);
      assert.match(again.body ?? '', /expired or was started by another browser/);
    }
  });

  it('a sign-in form submitted from another browser is refused', async () => {
    const other = new UserAgent({ allowedOrigins: [sp.origin, idp.issuer] });
    try {
      const spPage = await navigate(`${sp.origin}/login-post`);
      const signInForm = onlyForm(await navigate(idp.ssoUrl, onlyForm(spPage)));
      const stolen = await navigate(signInForm.action, { ...signInForm, fields: { ...signInForm.fields, sub: alice.nameId } }, other);
      assert.equal(stolen.status, 400);
      assert.match(stolen.body ?? '', /started by another browser/);
    } finally {
      await other.close();
    }
  });

  it('one login (start → landed) takes this long', async (t) => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const outcome = await signIn(alice.nameId);
      times.push(performance.now() - started);
      assert.equal(outcome.kind, 'landed');
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = (sorted[4]! + sorted[5]!) / 2;
    t.diagnostic(
      `SAML login start → landed (redirect, sign-in form, POST binding, node-saml validation): median of 10 ${median.toFixed(1)} ms`,
    );
  });

  it('each tamper spoils exactly one thing of the Response, and node-saml refuses all but one (it never reads Recipient)', async () => {
    const spoiled = async (tamper: SamlTamper): Promise<{ outcome: LoginOutcome; root: Element; requestId: string }> => {
      idp.tamperNextResponse(alice.nameId, tamper);
      const outcome = await signIn(alice.nameId);
      return { outcome, root: parse(sp.responses.at(-1)!), requestId: sp.requestIds.at(-1)! };
    };
    const signatures = (root: Element) => root.getElementsByTagNameNS(SAML_NS.dsig, 'Signature').length;
    const assertionOf = (root: Element) => children(root, 'Assertion')[0]!;
    const text = (root: Element, name: string) => root.getElementsByTagNameNS(SAML_NS.assertion, name)[0]?.textContent;
    const refused = (outcome: LoginOutcome) => assert.equal(outcome.kind, 'refused', JSON.stringify(outcome.kind));

    let r = await spoiled('unsigned');
    refused(r.outcome);
    assert.equal(signatures(r.root), 0);
    r = await spoiled('other-key');
    refused(r.outcome);
    const keyInfo = r.root.getElementsByTagNameNS(SAML_NS.dsig, 'X509Certificate')[0]?.textContent?.replace(/\s/g, '');
    assert.notEqual(keyInfo, certificateBase64(idp.certificatePem));
    r = await spoiled('modified');
    refused(r.outcome);
    assert.equal(text(r.root, 'NameID'), `${alice.nameId}-modified`);
    r = await spoiled('wrong-audience');
    refused(r.outcome);
    assert.notEqual(text(r.root, 'Audience'), SP_AUDIENCE);
    r = await spoiled('expired');
    refused(r.outcome);
    assert.ok(
      Date.parse(assertionOf(r.root).getElementsByTagNameNS(SAML_NS.assertion, 'Conditions')[0]!.getAttribute('NotOnOrAfter')!) <
        Date.now(),
    );
    r = await spoiled('unknown-in-response-to');
    refused(r.outcome);
    assert.notEqual(r.root.getAttribute('InResponseTo'), r.requestId);
    // node-saml checks neither Destination nor Recipient: this one it takes (the reference app checks them itself).
    r = await spoiled('wrong-recipient');
    assert.equal(r.outcome.kind, 'landed');
    assert.equal(r.root.getAttribute('Destination'), `${sp.acsUrl}/elsewhere`);
    // Replayed: the last untampered Response the account got, byte for byte.
    landing(await signIn(alice.nameId));
    const before = sp.responses.at(-1)!;
    r = await spoiled('replayed');
    refused(r.outcome);
    assert.ok(sp.responses.at(-1) === before, 'the replayed Response is the previous one');
    // Wrapped: a forged, unsigned assertion first, the signed one after it, no Response signature.
    r = await spoiled('wrapped');
    refused(r.outcome);
    const [forged, genuine] = children(r.root, 'Assertion');
    assert.equal(children(forged!, 'Signature', SAML_NS.dsig).length, 0);
    assert.equal(children(genuine!, 'Signature', SAML_NS.dsig).length, 1);
    assert.equal(children(r.root, 'Signature', SAML_NS.dsig).length, 0);
    assert.equal(forged!.getElementsByTagNameNS(SAML_NS.assertion, 'NameID')[0]?.textContent, `evil.${alice.nameId}`);
    // And the next sign-in is as usual again: each tamper is for one Response.
    landing(await signIn(alice.nameId));
  });

  it('removeAccount: the next sign-in comes back refused (Responder/RequestDenied, no assertion), the SP answers 403', async () => {
    assert.equal((await signIn(bob.nameId)).kind, 'landed');
    idp.removeAccount(bob.nameId);
    const outcome = await signIn(bob.nameId);
    assert.equal(outcome.kind, 'refused', JSON.stringify(outcome, null, 2));
    assert.equal(outcome.kind === 'refused' && outcome.error, 'saml_status');
    assert.match((outcome.kind === 'refused' && outcome.description) || '', /Responder error: the account does not exist/);
    assert.equal(`${outcome.hops.at(-1)?.method} ${outcome.hops.at(-1)?.url} ${outcome.hops.at(-1)?.status}`, `POST ${sp.acsUrl} 403`);
    const response = parse(sp.responses.at(-1)!);
    const status = children(children(response, 'Status')[0]!, 'StatusCode')[0]!;
    assert.equal(status.getAttribute('Value'), SAML_STATUS.responder);
    assert.equal(children(status, 'StatusCode')[0]?.getAttribute('Value'), SAML_STATUS.requestDenied);
    assert.equal(children(response, 'Assertion').length, 0);
    assert.equal(response.getAttribute('InResponseTo'), sp.requestIds.at(-1));
    // Signed still: node-saml requires the Response's signature before it reads the status.
    assert.deepEqual(
      elementChildren(response).map((e) => e.localName),
      ['Issuer', 'Signature', 'Status'],
    );
    // Never known at all: refused the same way.
    const nobody = await signIn('nobody-0000');
    assert.equal(nobody.kind === 'refused' && nobody.error, 'saml_status');
  });

  it('an AuthnRequest naming another ACS URL gets 400 at the IdP: the flow stops there, nothing goes to that URL', async () => {
    const outcome = await signIn(alice.nameId, '?acs=wrong');
    assert.equal(outcome.kind, 'broken', JSON.stringify(outcome, null, 2));
    assert.match(
      outcome.kind === 'broken' ? outcome.message : '',
      new RegExp(
        'the flow stopped at the IdP \\(400 at .*\\): invalid_request ' +
          "\\(the AssertionConsumerServiceURL .*/elsewhere is not the service provider's registered one\\)",
      ),
    );
    assert.ok(!outcome.hops.some((hop) => hop.url.includes('/elsewhere') && new URL(hop.url).origin === sp.origin));
  });

  it('a hostile AuthnRequest is refused with 400: a DOCTYPE (XXE), a deflate bomb, not XML, another SP', async () => {
    const request = (issuer: string, prolog = ''): string =>
      `${prolog}<samlp:AuthnRequest xmlns:samlp="${SAML_NS.protocol}" xmlns:saml="${SAML_NS.assertion}" ID="_hostile0001" Version="2.0"` +
      ` IssueInstant="${new Date().toISOString()}" AssertionConsumerServiceURL="${sp.acsUrl}">` +
      `<saml:Issuer>${issuer}</saml:Issuer></samlp:AuthnRequest>`;
    const redirect = (bytes: Buffer): string => `${idp.ssoUrl}?${new URLSearchParams({ SAMLRequest: bytes.toString('base64') })}`;
    const post = async (xml: string): Promise<Hop> =>
      navigate(idp.ssoUrl, { action: idp.ssoUrl, method: 'POST', fields: { SAMLRequest: Buffer.from(xml).toString('base64') } });

    // The control: the same request, well-formed and plain, gets the sign-in form.
    const fine = await navigate(redirect(deflateRawSync(request(SP_ENTITY_ID))));
    assert.equal(fine.status, 200, fine.body);
    assert.ok('sub' in onlyForm(fine).fields);

    const xxe = request('&xxe;', '<?xml version="1.0"?><!DOCTYPE samlp:AuthnRequest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
    for (const refused of [await navigate(redirect(deflateRawSync(xxe))), await post(xxe)]) {
      assert.equal(refused.status, 400, refused.body);
      assert.match(refused.body ?? '', /DOCTYPE/);
      assert.doesNotMatch(refused.body ?? '', /root:/);
    }
    const laughs = request(SP_ENTITY_ID, '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>');
    assert.equal((await post(laughs)).status, 400);

    const bomb = await navigate(redirect(deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20))));
    assert.equal(bomb.status, 400);
    assert.match(bomb.body ?? '', /inflates past 65536 bytes/);

    const notXml = await navigate(redirect(deflateRawSync('not xml at all')));
    assert.equal(notXml.status, 400);
    assert.match(notXml.body ?? '', /not well-formed XML/);

    const stranger = await post(request('urn:someone:else'));
    assert.equal(stranger.status, 400);
    assert.match(stranger.body ?? '', /Issuer urn:someone:else is not the registered service provider/);

    const missing = await navigate(idp.ssoUrl);
    assert.equal(missing.status, 400);
    assert.match(missing.body ?? '', /no SAMLRequest/);
  });

  it('a SAMLResponse past the trace cut of a page is redacted all the same', async () => {
    // A photo attribute: the POST binding page runs past what a hop keeps of a body (16 KiB).
    const carol: SamlAccount = { nameId: 'carol-0003', attributes: { jpegPhoto: randomBytes(24 * 1024).toString('base64') } };
    idp.setAccount(carol);
    const outcome = await signIn(carol.nameId);
    assert.deepEqual(landing(outcome).attributes, carol.attributes);
    const page = outcome.hops.at(-2)!;
    assert.ok(agent.bodyOf(page)!.length > EVIDENCE_BODY + 4096, `a page of ${agent.bodyOf(page)!.length} characters`);
    assert.match(page.body ?? '', new RegExp(`name="SAMLResponse" value="${escapeRegExp(REDACTED)}"`));
    assert.doesNotMatch(page.body ?? '', /PHNhbWxw/, 'no base64 of <samlp: anywhere');
  });

  it('hops carry no SAMLResponse or SAMLRequest, nor any part of one', () => {
    assert.ok(recorded.length > 50, `${recorded.length} hops recorded`);
    const text = JSON.stringify(recorded);
    const messages = sp.messages.filter((m) => m.length > 0);
    assert.ok(messages.length > 20, `${messages.length} SAML messages seen`);
    for (const message of messages) {
      const middle = message.slice(Math.floor(message.length / 2), Math.floor(message.length / 2) + 48);
      for (const form of [message, encodeURIComponent(message), middle, encodeURIComponent(middle)])
        assert.ok(!text.includes(form), `a SAML message leaked: ${form.slice(0, 12)}…`);
    }
    assert.deepEqual(serverErrors, []);
  });
});

function parse(xml: string): Element {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  assert.ok(root, 'an XML document');
  return root;
}

function elementChildren(parent: Element): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) if (node.nodeType === 1) out.push(node as Element);
  return out;
}

/** Child elements by local name, in SAML's namespaces (or the one given). */
function children(parent: Element, localName: string, namespace?: string): Element[] {
  const namespaces = namespace ? [namespace] : [SAML_NS.protocol, SAML_NS.assertion, SAML_NS.dsig];
  return elementChildren(parent).filter((e) => e.localName === localName && namespaces.includes(e.namespaceURI as never));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeRegExp(text: string): string {
  return text.replace(/[[\]\\^$.|?*+(){}]/g, '\\$&');
}
