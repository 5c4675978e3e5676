// One sign-in as a person does it: open the app's start URL, follow it to the IdP, fill in the
// sign-in form as the given account, and follow the answer back to the app until a page that is
// not a redirect. The outcome says where it ended: landed at the app, refused (an OAuth error came
// back, or the app answered 4xx), or broken (the flow itself failed: an origin not allowed, too
// many redirects, a network error or a timeout, an IdP error page, the app's 5xx).
import { formsIn, type HtmlForm } from './forms.ts';
import { UserAgentError, type Hop, type NavigateInit, type UserAgent } from './user-agent.ts';

export type LoginOutcome =
  /** The flow left the IdP and ended at a non-redirect response of the app. */
  | { kind: 'landed'; hops: Hop[] }
  /** An OAuth error came back (`error=` in an app URL's query or fragment), or the app answered 4xx at its landing. */
  | { kind: 'refused'; hops: Hop[]; error: string; description?: string }
  | { kind: 'broken'; hops: Hop[]; message: string };

export interface LoginOptions {
  /**
   * Keep the agent's IdP session (single sign-on: an IdP that knows the browser shows no form).
   * Default false: the IdP's cookies are cleared first, so the sign-in is as `sub` whoever signed
   * in before in this agent. The app's cookies are kept either way (clearCookies(app) for those).
   */
  reuseIdpSession?: boolean;
}

/** Start, sign-in form, a form_post page: a real flow takes three page loads; more is a loop. */
const MAX_PAGES = 6;

export async function login(
  agent: UserAgent,
  startUrl: string,
  /** Any IdP (the OIDC one, the SAML one): only its issuer's origin is used, to tell its pages from the app's. */
  idp: { readonly issuer: string },
  sub: string,
  options: LoginOptions = {},
): Promise<LoginOutcome> {
  const idpOrigin = new URL(idp.issuer).origin;
  if (!options.reuseIdpSession) agent.clearCookies(idpOrigin);
  const hops: Hop[] = [];
  let next: { url: string; init: NavigateInit } = { url: startUrl, init: {} };
  let signedIn = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    try {
      hops.push(...(await agent.navigate(next.url, next.init)));
    } catch (error) {
      if (!(error instanceof UserAgentError)) throw error;
      hops.push(...error.hops);
      return refusal(hops, idpOrigin) ?? { kind: 'broken', hops, message: error.message };
    }
    const refused = refusal(hops, idpOrigin);
    if (refused) return refused;
    const last = hops.at(-1)!;
    if (new URL(last.url).origin !== idpOrigin) return atApp(hops, last);

    // The page's URL is redacted in its query only; the forms' actions resolve against it the same.
    const forms = formsIn(agent.bodyOf(last) ?? '', last.url);
    const signIn = forms.find((form) => 'sub' in form.fields && new URL(form.action).origin === idpOrigin);
    // A form_post answer carries the code (or the error, then with status 400) to the app in a
    // self-submitting form: submitted as the browser's script would, whatever the status.
    const onward = forms.find((form) => new URL(form.action).origin !== idpOrigin);
    let form: HtmlForm;
    if (onward) {
      form = onward;
    } else if (signIn && last.status < 400) {
      if (signedIn) return { kind: 'broken', hops, message: `the IdP asked to sign in again after signing in as ${sub}` };
      signedIn = true;
      form = { ...signIn, fields: { ...signIn.fields, sub } };
    } else {
      // An IdP error page (a bad redirect_uri, an unknown client): renderError answers JSON.
      const error = jsonError(agent.bodyOf(last));
      const said = error ? `: ${error.error}${error.description ? ` (${error.description})` : ''}` : ' with no form to go on with';
      return { kind: 'broken', hops, message: `the flow stopped at the IdP (${last.status} at ${last.url})${said}` };
    }
    next = submission(form, idpOrigin);
  }
  return { kind: 'broken', hops, message: `no landing at the app after ${MAX_PAGES} pages` };
}

/**
 * The first app-origin hop that carries an OAuth error (in its query or fragment, or in the body of
 * a form_post): where the IdP's refusal came back to the app.
 */
function refusal(hops: Hop[], idpOrigin: string): LoginOutcome | undefined {
  for (const hop of hops) {
    const url = new URL(hop.url);
    if (url.origin === idpOrigin) continue;
    const candidates = [url.searchParams, new URLSearchParams(url.hash.slice(1)), new URLSearchParams(hop.requestBody ?? '')];
    const params = candidates.find((p) => p.get('error'));
    const error = params?.get('error');
    if (params && error) {
      const description = params.get('error_description');
      return { kind: 'refused', hops, error, ...(description ? { description } : {}) };
    }
  }
  return undefined;
}

function atApp(hops: Hop[], last: Hop): LoginOutcome {
  if (last.status >= 500) return { kind: 'broken', hops, message: `the app answered ${last.status} at ${last.url}` };
  if (last.status >= 400) {
    const said = jsonError(last.body);
    return {
      kind: 'refused',
      hops,
      error: said?.error ?? `http_${last.status}`,
      ...(said?.description ? { description: said.description } : {}),
    };
  }
  return { kind: 'landed', hops };
}

function jsonError(body: string | undefined): { error: string; description?: string } | undefined {
  if (body?.[0] !== '{') return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error !== 'string') return undefined;
    return { error: parsed.error, ...(typeof parsed.error_description === 'string' ? { description: parsed.error_description } : {}) };
  } catch {
    return undefined;
  }
}

/** A form submitted as a browser does, with the page's origin (frameworks check it on a POST). */
function submission(form: HtmlForm, pageOrigin: string): { url: string; init: NavigateInit } {
  if (form.method === 'POST') return { url: form.action, init: { method: 'POST', form: form.fields, headers: { origin: pageOrigin } } };
  const url = new URL(form.action);
  url.search = new URLSearchParams(form.fields).toString();
  return { url: url.href, init: {} };
}
