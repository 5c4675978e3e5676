// The IdP's own sign-in page (oidc-provider leaves the interaction UI to its host). A person
// sees a form asking who they are and submits it: POST /interaction/:uid/login with `sub`.
// No password: it is a test IdP, and the account list is the tester's. An unknown sub (never
// added, or removed) is refused as a real IdP refuses a deleted user: the flow goes back to
// the app's redirect URI with `error=access_denied`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import { readBounded } from './body.ts';

const PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;
/** A sign-in form is a few bytes; more is not one. */
const MAX_FORM_BYTES = 16 * 1024;

export function isInteractionPath(pathname: string): boolean {
  return PATH.test(pathname);
}

export async function handleInteraction(
  provider: Provider,
  knows: (sub: string) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const [, , login] = PATH.exec(new URL(req.url ?? '/', 'http://idp').pathname) ?? [];
  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    // Also checks the interaction cookie: the page is the browser's that started the flow.
    details = await provider.interactionDetails(req, res);
  } catch {
    return json(res, 400, { error: 'invalid_request', error_description: 'this sign-in has expired or was started by another browser' });
  }
  if (details.prompt.name !== 'login') {
    // Consent is granted by loadExistingGrant before any prompt; another prompt is a bug here.
    return json(res, 500, { error: 'server_error', error_description: `unexpected interaction prompt ${details.prompt.name}` });
  }
  if (!login) {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { error: 'invalid_request', error_description: 'GET the sign-in page' });
    const hint = typeof details.params['login_hint'] === 'string' ? details.params['login_hint'] : '';
    return html(res, signInPage(details.uid, hint));
  }
  if (req.method !== 'POST') return json(res, 405, { error: 'invalid_request', error_description: 'POST the sign-in form' });
  const body = await readBounded(req, MAX_FORM_BYTES);
  if (body.truncated)
    return json(res, 413, { error: 'invalid_request', error_description: `the form is larger than ${MAX_FORM_BYTES} bytes` });
  const sub = new URLSearchParams(body.bytes.toString('utf8')).get('sub') ?? '';
  if (sub !== '' && knows(sub)) {
    await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    {
      error: 'access_denied',
      error_description: sub === '' ? 'no account was given' : 'the account does not exist at the identity provider',
    },
    { mergeWithLastSubmission: false },
  );
}

function signInPage(uid: string, hint: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in — provspec test IdP</title></head>
<body>
<h1>Sign in</h1>
<form method="post" action="/interaction/${uid}/login">
<label>Account (sub) <input type="text" name="sub" value="${escapeHtml(hint)}" autofocus required></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: Record<string, string>): void {
  // An oversized form was cut by destroying the request, and its socket with it.
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
