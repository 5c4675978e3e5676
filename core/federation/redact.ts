// What a user agent records goes into traces, so it is recorded redacted: cookie values, the
// authorization header, and the values of the OAuth and SAML parameters that are credentials
// (the code, the tokens, the client secret, the PKCE verifier, the SAML messages) wherever they
// appear — a URL's query or fragment, a form body, JSON, a form_post page's hidden inputs. Every
// such value seen is also remembered, so an app that echoes one elsewhere (a debug page, a
// header, its own JSON) is caught too. `state` and `nonce` stay: they are evidence.
//
// Not the run's SecretRegistry (core/scim/secrets.ts): that one matches each secret in every
// encoding with one compiled pattern, right for the few credentials of a run, but a sign-in
// makes a dozen fresh values (codes, tokens, cookies) and a run thousands; its pattern grew
// with each and made a login cost seconds. Values in transit here travel raw or
// percent-encoded; the most recent few hundred are kept and looked for as plain substrings.
import { REDACTED } from '../scim/secrets.ts';

export { REDACTED };

export const SECRET_PARAMETERS = [
  'code',
  'id_token',
  'access_token',
  'refresh_token',
  'client_secret',
  'logout_token',
  'code_verifier',
  // SAML: the Response is a bearer credential (whoever POSTs it to the ACS signs in), and the
  // request is what the SP asked, not evidence anyone needs verbatim.
  'SAMLResponse',
  'SAMLRequest',
];

const NAMES = SECRET_PARAMETERS.join('|');
/** name=value in a query, a fragment or an urlencoded body. */
const PARAMETER = new RegExp(`(^|[?&#;])(${NAMES})=([^&#\\s"'<>]*)`, 'g');
/** "name": "value" in JSON. */
const JSON_FIELD = new RegExp(`("(?:${NAMES})"\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'g');
/**
 * <input … name="code" … value="…"> in either attribute order. A value cut off by the end of the
 * text counts too: a page is cut for the trace before it is redacted, and a SAMLResponse of a few
 * dozen KiB runs past the cut.
 */
const NAMED_INPUT = `\\bname=["']?(?:${NAMES})\\b`;
const INPUT_VALUE = new RegExp(
  `(<input\\b[^>]*?${NAMED_INPUT}[^>]*?\\bvalue=)(["'])([^"']*)(?:\\2|$)|(<input\\b[^>]*?\\bvalue=)(["'])([^"']*)\\5([^>]*?${NAMED_INPUT})`,
  'gi',
);
/** Headers whose whole value is a credential. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);
/** Below this a value is too common a string to scrub everywhere by value. */
const MIN_REGISTERED = 8;
/** Values remembered: a sign-in's own and those of the sign-ins just before it. */
const REMEMBERED = 512;

export class Redactor {
  /** Insertion-ordered: the oldest value goes first when the set is full. */
  readonly #values = new Set<string>();

  /** Registers a credential value seen in transit, for redaction by value from now on. */
  register(value: string | undefined): void {
    if (value === undefined || value.length < MIN_REGISTERED) return;
    for (const form of new Set([value, encodeURIComponent(value)])) {
      this.#values.delete(form);
      this.#values.add(form);
    }
    while (this.#values.size > REMEMBERED) this.#values.delete(this.#values.values().next().value!);
  }

  /** Registers the credential parameters of a URL or an urlencoded body. */
  registerParameters(text: string): void {
    for (const match of text.matchAll(PARAMETER)) this.register(safeDecode(match[3] ?? ''));
  }

  /** Registers what a page carries in its form_post inputs and JSON token fields. */
  registerBody(text: string): void {
    this.registerParameters(text);
    for (const match of text.matchAll(JSON_FIELD)) this.register(match[2]);
    for (const match of text.matchAll(INPUT_VALUE)) this.register(decodeHtml(match[3] ?? match[6] ?? ''));
  }

  text(text: string): string {
    const named = text.replace(PARAMETER, `$1$2=${REDACTED}`).replace(JSON_FIELD, `$1"${REDACTED}"`).replace(INPUT_VALUE, inputReplacement);
    return this.#byValue(named);
  }

  url(url: string): string {
    return this.#byValue(url.replace(PARAMETER, `$1$2=${REDACTED}`));
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name === 'cookie') out[name] = redactCookieHeader(value);
      // By value too: a cookie's attributes may carry its own value (the interaction's Path holds its uid).
      else if (name === 'set-cookie') out[name] = this.#byValue(value.split('\n').map(redactSetCookie).join('\n'));
      else if (CREDENTIAL_HEADERS.has(name)) out[name] = redactCredential(value);
      else if (name === 'location' || name === 'refresh' || name === 'content-location') out[name] = this.url(value);
      else out[name] = this.#byValue(value);
    }
    return out;
  }

  #byValue(text: string): string {
    let out = text;
    for (const value of this.#values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  }
}

/** `a=1; b=2` → `a=[REDACTED]; b=[REDACTED]`: the names are evidence, the values credentials. */
export function redactCookieHeader(value: string): string {
  return value
    .split(';')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? pair : `${pair.slice(0, at)}=${REDACTED}`;
    })
    .join(';');
}

/** `name=value; Path=/; HttpOnly` → `name=[REDACTED]; Path=/; HttpOnly`. */
export function redactSetCookie(value: string): string {
  const end = value.indexOf(';');
  const pair = end === -1 ? value : value.slice(0, end);
  const at = pair.indexOf('=');
  const redacted = at === -1 ? REDACTED : `${pair.slice(0, at)}=${REDACTED}`;
  return end === -1 ? redacted : `${redacted}${value.slice(end)}`;
}

/** The scheme stays (`Bearer`, `Basic`): it says what was sent, not what with. */
function redactCredential(value: string): string {
  const space = value.indexOf(' ');
  return space === -1 ? REDACTED : `${value.slice(0, space)} ${REDACTED}`;
}

function inputReplacement(...groups: string[]): string {
  const [, before, quote, , valueFirst, quoteFirst, , after] = groups;
  return before !== undefined ? `${before}${quote}${REDACTED}${quote}` : `${valueFirst}${quoteFirst}${REDACTED}${quoteFirst}${after}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function decodeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
