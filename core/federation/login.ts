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
  | { kind: 'broken'; hops: Hop[]; message: string }
  /** The IdP's answer was kept from the app (LoginOptions.interceptAnswer): here it is, to deliver elsewhere. */
  | { kind: 'held'; hops: Hop[]; answer: IdpAnswer };

/**
 * The IdP's answer to the app as the browser carries it: a redirect to the app (GET, the
 * parameters in the query) or a self-submitting form (POST, the parameters its fields). Raw:
 * it carries the code or the assertion, so it lives in memory only, never in a hop.
 */
export interface IdpAnswer {
  method: 'GET' | 'POST';
  /** Where it goes, without the query. */
  url: string;
  params: URLSearchParams;
}

export interface LoginOptions {
  /**
   * Keep the agent's IdP session (single sign-on: an IdP that knows the browser shows no form).
   * Default false: the IdP's cookies are cleared first, so the sign-in is as `sub` whoever signed
   * in before in this agent. The app's cookies are kept either way (clearCookies(app) for those).
   */
  reuseIdpSession?: boolean;
  /**
   * Sees the IdP's answer on its way to the app (the authorization response, the SAML Response),
   * as someone in the middle would: returns it as the app should get it (changed or not), or
   * undefined to keep it from the app (the outcome is then `held`).
   */
  interceptAnswer?: (answer: IdpAnswer) => IdpAnswer | undefined;
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
  // The intercept sees the first answer from the IdP to the app, and only that one.
  let held: IdpAnswer | undefined;
  let intercept = options.interceptAnswer;
  const onRedirect = (from: Hop, to: string): string | undefined => {
    if (!intercept || new URL(from.url).origin !== idpOrigin || new URL(to).origin === idpOrigin) return to;
    const url = new URL(to);
    const answer = interceptOnce({ method: 'GET', url: `${url.origin}${url.pathname}`, params: url.searchParams });
    if (!answer) return undefined;
    url.search = answer.params.toString();
    return url.href;
  };
  const interceptOnce = (answer: IdpAnswer): IdpAnswer | undefined => {
    const seen = intercept;
    intercept = undefined;
    const onward = seen?.(answer) ?? undefined;
    if (!onward) held = answer;
    return onward;
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    try {
      hops.push(...(await agent.navigate(next.url, { ...next.init, onRedirect })));
      if (held) return { kind: 'held', hops, answer: held };
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
      if (intercept) {
        const answer = interceptOnce({ method: form.method, url: form.action, params: new URLSearchParams(form.fields) });
        if (!answer) return { kind: 'held', hops, answer: held! };
        form = { action: answer.url, method: answer.method, fields: Object.fromEntries(answer.params) };
      }
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
 * An IdP's answer delivered in this browser, as its redirect or its form would deliver it: what an
 * attacker does with an answer meant for someone else's browser. The outcome is read as login's.
 */
export async function deliverAnswer(agent: UserAgent, answer: IdpAnswer, idp: { readonly issuer: string }): Promise<LoginOutcome> {
  const idpOrigin = new URL(idp.issuer).origin;
  const { url, init } = submission({ action: answer.url, method: answer.method, fields: Object.fromEntries(answer.params) }, idpOrigin);
  let hops: Hop[];
  try {
    hops = await agent.navigate(url, init);
  } catch (error) {
    if (!(error instanceof UserAgentError)) throw error;
    return refusal(error.hops, idpOrigin) ?? { kind: 'broken', hops: error.hops, message: error.message };
  }
  return refusal(hops, idpOrigin) ?? atApp(hops, hops.at(-1)!);
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
