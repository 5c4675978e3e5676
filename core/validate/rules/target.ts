// Where credentials may go: plain-text transport, allowed origins, secrets written inline.
import { joinPointer } from '../../document/pointer.ts';
import { arr, obj, str, type RuleContext } from '../context.ts';
import { findExpressions } from '../../expressions/parse.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function literalUrl(value: unknown): URL | undefined {
  const text = str(value);
  if (!text || text.includes('${{')) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname.endsWith('.localhost');
}

export function checkTarget(ctx: RuleContext): void {
  const target = obj(ctx.spec['target']);
  if (!target) return;
  const base = literalUrl(target['baseUrl']);
  if (base && base.protocol === 'http:' && !isLoopback(base)) {
    ctx.report.at(
      '/target/baseUrl',
      'value',
      'warning',
      'insecure-target',
      `The target is reached over plain http: the credential would cross ` +
        `the network unencrypted. Use https (http is fine only for loopback).`,
    );
  }
  const tokenUrl = literalUrl(obj(obj(target['auth'])?.['oauth2'])?.['tokenUrl']);
  if (tokenUrl && tokenUrl.protocol === 'http:' && !isLoopback(tokenUrl)) {
    ctx.report.at(
      '/target/auth/oauth2/tokenUrl',
      'value',
      'warning',
      'insecure-target',
      'The token endpoint is reached over plain http: the client secret would cross the network unencrypted.',
    );
  }

  const origins = arr(target['allowedOrigins']);
  if (base && origins.length && origins.every((o) => typeof o === 'string' && !o.includes('${{'))) {
    const allowed = origins.map((o) => literalUrl(o)?.origin).filter(Boolean);
    if (!allowed.includes(base.origin)) {
      ctx.report.at(
        '/target/allowedOrigins',
        'key',
        'error',
        'origin-not-allowed',
        `allowedOrigins does not contain the target's origin ${base.origin}: the credential could never be sent to the target.`,
        { suggestions: [base.origin] },
      );
    }
  }
  const literalOrigins = origins.every((o) => typeof o === 'string' && !o.includes('${{'));
  if (tokenUrl && base && literalOrigins && tokenUrl.origin !== base.origin) {
    const allowed = origins.map((o) => literalUrl(o)?.origin).filter(Boolean);
    if (!allowed.includes(tokenUrl.origin)) {
      ctx.report.at(
        '/target/auth/oauth2/tokenUrl',
        'value',
        'error',
        'origin-not-allowed',
        `The token endpoint's origin ${tokenUrl.origin} is not in allowedOrigins: the ` +
          `client secret is only ever sent to allowed origins, so no token could be fetched.`,
        { suggestions: [tokenUrl.origin] },
      );
    }
  }
  origins.forEach((o, i) => {
    const url = literalUrl(o);
    if (url && url.protocol === 'http:' && !isLoopback(url)) {
      ctx.report.at(
        joinPointer('/target/allowedOrigins', i),
        'value',
        'warning',
        'insecure-target',
        `Allowing ${url.origin} sends the credential over plain http.`,
      );
    }
  });

  checkSecrets(ctx, '/target/auth', target['auth']);
}

/** Secrets belong in the environment, not in a file that gets committed. */
function checkSecrets(ctx: RuleContext, pointer: string, auth: unknown): void {
  const a = obj(auth);
  if (!a) return;
  const places: Array<[string, unknown]> = [
    [joinPointer(pointer, 'bearer'), a['bearer']],
    [`${pointer}/basic/password`, obj(a['basic'])?.['password']],
    [`${pointer}/header/value`, obj(a['header'])?.['value']],
    [`${pointer}/oauth2/clientSecret`, obj(a['oauth2'])?.['clientSecret']],
  ];
  for (const [at, value] of places) {
    const text = str(value);
    if (text === undefined || text === '') continue;
    // Any expression means the author meant to read it from somewhere; a wrong namespace is
    // reported by the expression rules, not as a literal.
    if (findExpressions(text).length === 0) {
      ctx.report.at(
        at,
        'value',
        'warning',
        'literal-secret',
        'This credential is written in the spec itself. Read it from the environment ' +
          'instead, e.g. ${{ env.SCIM_TOKEN }}: specs get committed and shared.',
      );
    }
  }
}
