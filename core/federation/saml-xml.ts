// SAML 2.0 messages as provspec's IdP reads and writes them (SAML core, OASIS saml-core-2.0-os).
// Reading: the service provider's AuthnRequest, parsed with @xmldom/xmldom after refusing any
// DOCTYPE (no entity is ever expanded, no external resource fetched: XXE and billion laughs
// stop before the parser). Writing: the Response, built as text with every value escaped, and
// signed in a separate step (xml-crypto: enveloped, RSA-SHA256, SHA-256, exclusive c14n), so a
// security test can take the same Response unsigned, signed with another key, or alter it after
// signing.
import { randomBytes } from 'node:crypto';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { certificateBase64, type SigningCredential } from './certificate.ts';

export const SAML_NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export const SAML_STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
} as const;

export const NAMEID_FORMAT = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
} as const;

export const SAML_BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export const PASSWORD_PROTECTED_TRANSPORT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const ATTRNAME_BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** An AuthnRequest is a few KiB; more is not one (and is not parsed). */
export const MAX_SAML_MESSAGE_BYTES = 64 * 1024;

/** The request could not be taken: the text says why, for the IdP's error page. */
export class SamlMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamlMessageError';
  }
}

export interface AuthnRequest {
  /** For InResponseTo. */
  id: string;
  issuer: string;
  /** Absent: the SP's registered ACS URL applies. */
  acsUrl?: string;
  protocolBinding?: string;
  destination?: string;
  isPassive: boolean;
  forceAuthn: boolean;
  nameIdPolicyFormat?: string;
  /** A Subject's NameID: the SP says whom it expects (a hint for the sign-in form). */
  subjectNameId?: string;
}

/** Markup declarations: a DOCTYPE and whatever it could declare (entities above all). */
const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)/i;
/** xs:ID is an NCName; a bound on its length too, as it is echoed back. */
const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\-\u00b7\u203f\u2040]{0,255}$/u;

export function parseAuthnRequest(xml: string): AuthnRequest {
  if (Buffer.byteLength(xml, 'utf8') > MAX_SAML_MESSAGE_BYTES)
    throw new SamlMessageError(`the SAML request is larger than ${MAX_SAML_MESSAGE_BYTES} bytes`);
  // Refused before parsing, not left to the parser's entity handling: SAML messages never carry
  // a DOCTYPE (SAML core §1.3 forbids it in protocol messages, and bindings §3.4.4.1 too).
  if (DECLARATION.test(xml)) throw new SamlMessageError('the SAML request has a DOCTYPE or a markup declaration, which SAML forbids');
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new SamlMessageError(message);
      },
    }).parseFromString(xml, 'text/xml');
    if (doc.doctype) throw new SamlMessageError('the SAML request has a DOCTYPE');
    root = doc.documentElement;
  } catch (error) {
    const said = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new SamlMessageError(`the SAML request is not well-formed XML: ${said}`);
  }
  if (root?.localName !== 'AuthnRequest' || root.namespaceURI !== SAML_NS.protocol)
    throw new SamlMessageError(`the SAML request is not a samlp:AuthnRequest (it is ${root?.tagName ?? 'empty'})`);
  const id = root.getAttribute('ID') ?? '';
  if (!NCNAME.test(id)) throw new SamlMessageError('the AuthnRequest has no ID, or one that is not an xs:ID');
  const version = root.getAttribute('Version');
  if (version !== '2.0') throw new SamlMessageError(`the AuthnRequest's Version is ${version ? `"${version}"` : 'missing'}, not "2.0"`);
  const issuer = child(root, SAML_NS.assertion, 'Issuer')?.textContent?.trim() ?? '';
  if (issuer === '') throw new SamlMessageError('the AuthnRequest has no Issuer (web browser SSO requires one)');
  const request: AuthnRequest = {
    id,
    issuer,
    isPassive: booleanAttribute(root, 'IsPassive'),
    forceAuthn: booleanAttribute(root, 'ForceAuthn'),
  };
  const optional = { acsUrl: 'AssertionConsumerServiceURL', protocolBinding: 'ProtocolBinding', destination: 'Destination' } as const;
  for (const [key, name] of Object.entries(optional) as Array<[keyof typeof optional, string]>) {
    const value = root.getAttribute(name);
    if (value) request[key] = value;
  }
  const format = child(root, SAML_NS.protocol, 'NameIDPolicy')?.getAttribute('Format');
  if (format) request.nameIdPolicyFormat = format;
  const subject = child(root, SAML_NS.assertion, 'Subject');
  const nameId = subject && child(subject, SAML_NS.assertion, 'NameID')?.textContent?.trim();
  if (nameId) request.subjectNameId = nameId;
  return request;
}

function child(parent: Element, namespace: string, localName: string): Element | undefined {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.localName === localName && element.namespaceURI === namespace) return element;
  }
  return undefined;
}

function booleanAttribute(element: Element, name: string): boolean {
  const value = element.getAttribute(name);
  return value === 'true' || value === '1';
}

export interface AssertionContent {
  issuer: string;
  /** The ACS URL: the Response's Destination and the bearer confirmation's Recipient. */
  destination: string;
  /** The AuthnRequest's ID; absent for an IdP-initiated sign-in. */
  inResponseTo?: string;
  audience: string;
  nameId: string;
  /** Default unspecified. */
  nameIdFormat?: string;
  attributes: Readonly<Record<string, string | readonly string[]>>;
  sessionIndex: string;
  /** Default: now. */
  issueInstant?: Date;
  /** How long the assertion and its bearer confirmation are good for; default 300 s. */
  lifetimeSeconds?: number;
  /** Default: fresh random ones. */
  responseId?: string;
  assertionId?: string;
  /** Default PasswordProtectedTransport. */
  authnContextClassRef?: string;
}

/** A Response with Status Success and one Assertion, unsigned (signResponse signs it). */
export function buildResponseXml(content: AssertionContent): string {
  const issued = content.issueInstant ?? new Date();
  const instant = samlInstant(issued);
  const expires = samlInstant(new Date(issued.getTime() + (content.lifetimeSeconds ?? 300) * 1000));
  const inResponseTo = content.inResponseTo === undefined ? '' : ` InResponseTo="${escapeXmlAttribute(content.inResponseTo)}"`;
  const issuer = `<saml:Issuer>${escapeXmlText(content.issuer)}</saml:Issuer>`;
  const attributes = Object.entries(content.attributes).map(([name, value]) => {
    const values = typeof value === 'string' ? [value] : value;
    const rendered = values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXmlText(v)}</saml:AttributeValue>`).join('');
    return `<saml:Attribute Name="${escapeXmlAttribute(name)}" NameFormat="${ATTRNAME_BASIC}">${rendered}</saml:Attribute>`;
  });
  // The schema wants at least one Attribute in an AttributeStatement: none, no statement.
  const attributeStatement = attributes.length ? `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>` : '';
  // xs and xsi are declared on the Assertion itself, so that it stands alone once taken out of
  // the Response (xs is used only inside xsi:type's value, where no XML tool sees it).
  const assertion =
    `<saml:Assertion xmlns:saml="${SAML_NS.assertion}" xmlns:xs="${SAML_NS.xs}" xmlns:xsi="${SAML_NS.xsi}"` +
    ` ID="${escapeXmlAttribute(content.assertionId ?? samlId())}" Version="2.0" IssueInstant="${instant}">` +
    issuer +
    '<saml:Subject>' +
    `<saml:NameID Format="${escapeXmlAttribute(content.nameIdFormat ?? NAMEID_FORMAT.unspecified)}">` +
    `${escapeXmlText(content.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${BEARER}">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${expires}" Recipient="${escapeXmlAttribute(content.destination)}"${inResponseTo}/>` +
    '</saml:SubjectConfirmation>' +
    '</saml:Subject>' +
    `<saml:Conditions NotBefore="${instant}" NotOnOrAfter="${expires}">` +
    `<saml:AudienceRestriction><saml:Audience>${escapeXmlText(content.audience)}</saml:Audience></saml:AudienceRestriction>` +
    '</saml:Conditions>' +
    `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="${escapeXmlAttribute(content.sessionIndex)}">` +
    '<saml:AuthnContext><saml:AuthnContextClassRef>' +
    `${escapeXmlText(content.authnContextClassRef ?? PASSWORD_PROTECTED_TRANSPORT)}` +
    '</saml:AuthnContextClassRef></saml:AuthnContext>' +
    '</saml:AuthnStatement>' +
    attributeStatement +
    '</saml:Assertion>';
  return (
    `<samlp:Response xmlns:samlp="${SAML_NS.protocol}" xmlns:saml="${SAML_NS.assertion}"` +
    ` ID="${escapeXmlAttribute(content.responseId ?? samlId())}" Version="2.0" IssueInstant="${instant}"` +
    ` Destination="${escapeXmlAttribute(content.destination)}"${inResponseTo}>` +
    issuer +
    `<samlp:Status><samlp:StatusCode Value="${SAML_STATUS.success}"/></samlp:Status>` +
    assertion +
    '</samlp:Response>'
  );
}

export interface StatusContent {
  issuer: string;
  destination: string;
  inResponseTo?: string;
  /** A top-level code (SAML_STATUS.responder, requester…). */
  statusCode: string;
  /** A second-level code (SAML_STATUS.requestDenied, noPassive…). */
  subStatusCode?: string;
  message?: string;
  issueInstant?: Date;
  responseId?: string;
}

/** A Response with no Assertion: a refusal, unsigned (signResponse signs it). */
export function buildStatusResponseXml(content: StatusContent): string {
  const inResponseTo = content.inResponseTo === undefined ? '' : ` InResponseTo="${escapeXmlAttribute(content.inResponseTo)}"`;
  const sub = content.subStatusCode === undefined ? '' : `<samlp:StatusCode Value="${escapeXmlAttribute(content.subStatusCode)}"/>`;
  const message = content.message === undefined ? '' : `<samlp:StatusMessage>${escapeXmlText(content.message)}</samlp:StatusMessage>`;
  return (
    `<samlp:Response xmlns:samlp="${SAML_NS.protocol}" xmlns:saml="${SAML_NS.assertion}"` +
    ` ID="${escapeXmlAttribute(content.responseId ?? samlId())}" Version="2.0"` +
    ` IssueInstant="${samlInstant(content.issueInstant ?? new Date())}"` +
    ` Destination="${escapeXmlAttribute(content.destination)}"${inResponseTo}>` +
    `<saml:Issuer>${escapeXmlText(content.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${escapeXmlAttribute(content.statusCode)}">${sub}</samlp:StatusCode>${message}</samlp:Status>` +
    '</samlp:Response>'
  );
}

export interface SignOptions {
  /** Sign the Assertion (when there is one). Default true. */
  assertion?: boolean;
  /** Sign the Response as a whole. Default true. */
  response?: boolean;
  /** RSA-SHA1 and SHA-1 digests instead of SHA-256 (XML Signature 1.1 §6.1: "Use is DISCOURAGED"): what old IdPs still send. */
  sha1?: boolean;
}

/**
 * The Response signed: the Assertion first (its signature is then part of what the Response's
 * covers), then the Response. A Response with no Assertion gets the Response signature only.
 */
export function signResponse(xml: string, key: SigningCredential, options: SignOptions = {}): string {
  let out = xml;
  const sha1 = options.sha1 ?? false;
  if ((options.assertion ?? true) && /<saml:Assertion[\s>]/.test(out)) out = signElement(out, 'Assertion', key, sha1);
  if (options.response ?? true) out = signElement(out, 'Response', key, sha1);
  return out;
}

const RESPONSE_PATH = `/*[local-name(.)='Response' and namespace-uri(.)='${SAML_NS.protocol}']`;
const ELEMENT_PATH = {
  Response: RESPONSE_PATH,
  Assertion: `${RESPONSE_PATH}/*[local-name(.)='Assertion' and namespace-uri(.)='${SAML_NS.assertion}']`,
} as const;

/**
 * One enveloped signature over the element (the Response, or its Assertion), placed right after
 * the element's Issuer as the schema orders it, with the certificate in KeyInfo.
 */
export function signElement(xml: string, element: keyof typeof ELEMENT_PATH, key: SigningCredential, sha1 = false): string {
  const path = ELEMENT_PATH[element];
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: sha1 ? RSA_SHA1 : RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    idAttribute: 'ID',
  });
  // No InclusiveNamespaces PrefixList="xs": xml-crypto would write it into the enveloped-signature
  // transform as well, which strict verifiers may refuse. Exclusive c14n then drops xmlns:xs from
  // the signed form (xs is used only inside xsi:type values), as with most IdPs; SPs read the
  // value as a string either way.
  signer.addReference({ xpath: path, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: sha1 ? SHA1 : SHA256 });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${path}/*[local-name(.)='Issuer' and namespace-uri(.)='${SAML_NS.assertion}']`, action: 'after' },
  });
  return signer.getSignedXml();
}

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  certificatePem: string;
  nameIdFormats?: readonly string[];
}

/** The IdP's EntityDescriptor: its signing certificate and its SSO endpoint in both bindings (SAML metadata §2.4.3). */
export function idpMetadataXml(metadata: IdpMetadata): string {
  const formats = (metadata.nameIdFormats ?? [NAMEID_FORMAT.unspecified, NAMEID_FORMAT.persistent])
    .map((format) => `<md:NameIDFormat>${escapeXmlText(format)}</md:NameIDFormat>`)
    .join('');
  const location = escapeXmlAttribute(metadata.ssoUrl);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<md:EntityDescriptor xmlns:md="${SAML_NS.metadata}" xmlns:ds="${SAML_NS.dsig}" entityID="${escapeXmlAttribute(metadata.entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${SAML_NS.protocol}">` +
    '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>' +
    `<ds:X509Certificate>${certificateBase64(metadata.certificatePem)}</ds:X509Certificate>` +
    '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>' +
    formats +
    `<md:SingleSignOnService Binding="${SAML_BINDING.redirect}" Location="${location}"/>` +
    `<md:SingleSignOnService Binding="${SAML_BINDING.post}" Location="${location}"/>` +
    '</md:IDPSSODescriptor>' +
    '</md:EntityDescriptor>\n'
  );
}

/** A fresh xs:ID: an NCName (so not starting with a digit), 160 random bits. */
export function samlId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

/** xs:dateTime in UTC, whole seconds (what most IdPs send and every SP parses). */
export function samlInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Characters XML 1.0 cannot carry at all, not even as a character reference. */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export function isXmlSafe(text: string): boolean {
  return !NOT_XML.test(text);
}

/** Text content; CR as a reference, or parsing would normalise it away (and break the digest). */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** An attribute value in double quotes; whitespace as references, or attribute normalisation turns it into spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;');
}
