// The target a spec names, opened for requests: its base URL (or the one the workflow gives),
// the credential resolved and registered as a secret, target.headers, and a client that sends
// the credential to allowed origins only. Shared by a run and by `provspec cleanup`.
import type { ParsedDocument } from '../document/index.ts';
import type { Spec } from '../spec/types.ts';
import type { Range } from '../diagnostic.ts';
import { rangeAt } from '../plan/plan.ts';
import { durationMs } from '../spec/duration.ts';
import { interpolate, ExpressionError } from '../expressions/evaluate.ts';
import { SecretRegistry } from '../scim/secrets.ts';
import { CredentialSource, resolveAuth } from '../scim/auth.ts';
import { ScimClient, type RequestContext } from '../scim/client.ts';
import type { Exchange } from '../scim/exchange.ts';

export interface TargetOptions {
  env: Readonly<Record<string, string | undefined>>;
  runId: string;
  /** Overrides target.baseUrl (the Action's base-url input, --base-url). */
  baseUrl?: string;
  /** Overrides target.allowedOrigins (set by the workflow, not by the spec). */
  allowedOrigins?: readonly string[];
  /** The W3C trace id of the whole run (every spec's requests join one trace). */
  traceId?: string;
  onExchange?: (exchange: Exchange, context: RequestContext) => void;
}

export interface OpenTarget {
  client: ScimClient;
  secrets: SecretRegistry;
  /** The spec's variables, each evaluated when first read. */
  vars: Record<string, unknown>;
  /** Redacted, for reports. */
  baseUrl: string;
  origin: string;
  requestTimeoutMs: number;
}

export type TargetOutcome = { target: OpenTarget } | { error: { message: string; range: Range }; baseUrl: string };

/**
 * target.headers, evaluated. A value taken from the environment is treated as a credential (an API
 * key, a tenant secret): redacted wherever it would be shown, and never sent to other origins.
 */
function targetHeaders(
  headers: Record<string, string>,
  evaluate: (text: string) => string,
  secrets: SecretRegistry,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, template]) => {
      const value = evaluate(template);
      if (/\$\{\{\s*env\./.test(template)) secrets.add(value);
      return [name, value];
    }),
  );
}

export async function openTarget(spec: Spec, document: ParsedDocument, options: TargetOptions): Promise<TargetOutcome> {
  const secrets = new SecretRegistry();
  const vars: Record<string, unknown> = {};
  const baseScope = { env: options.env, vars, run: { id: options.runId } };
  const evaluate = (text: string) => String(interpolate(text, baseScope));
  try {
    // Variables are evaluated when first used: an unset APP_URL only matters to the probe that needs it.
    for (const [name, value] of Object.entries(spec.variables ?? {})) {
      let cached: { value: unknown } | undefined;
      Object.defineProperty(vars, name, {
        enumerable: true,
        get: () => (cached ??= { value: typeof value === 'string' ? interpolate(value, baseScope) : value }).value,
      });
    }
    const baseUrl = options.baseUrl ?? evaluate(spec.target.baseUrl);
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new ExpressionError(spec.target.baseUrl, `target.baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new ExpressionError(spec.target.baseUrl, `target.baseUrl must be http(s), not ${parsed.protocol}`);
    const requestTimeoutMs = durationMs(spec.target.timeouts?.request, 10_000);
    const auth = resolveAuth(spec.target.auth, evaluate, secrets);
    const allowedOrigins = options.allowedOrigins ?? (spec.target.allowedOrigins ?? []).map(evaluate);
    const client: ScimClient = new ScimClient({
      baseUrl,
      // The client is assigned before any request can ask for a token.
      credentials: new CredentialSource(auth, secrets, requestTimeoutMs, (url) => client.isAllowed(url)),
      allowedOrigins,
      requestTimeoutMs,
      // Connections: one per scenario running at once, or as many as a load run keeps in flight.
      concurrency: Math.max(spec.target.concurrency ?? 4, ...Object.values(spec.load ?? {}).map((l) => (l.skip ? 0 : (l.inFlight ?? 64)))),
      headers: targetHeaders(spec.target.headers ?? {}, evaluate, secrets),
      secrets,
      runId: options.runId,
      ...(options.traceId ? { traceId: options.traceId } : {}),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    });
    // Reported only now, when every credential is registered: a key in the URL is redacted too.
    const shown = secrets.redact(baseUrl);
    // A workflow's allowed origins win over the spec's: a spec that points elsewhere never gets the token.
    if (
      !client.isAllowed(baseUrl) ||
      (options.allowedOrigins && !options.allowedOrigins.some((o) => new URL(o).origin === parsed.origin))
    ) {
      await client.close();
      return {
        baseUrl: shown,
        error: {
          message:
            `The target ${parsed.origin} is not an allowed origin ` +
            `(${(options.allowedOrigins ?? []).join(', ') || 'none'}); nothing was sent and the credential stayed here.`,
          range: rangeAt(document, '/target/baseUrl', 'value'),
        },
      };
    }
    return { target: { client, secrets, vars, baseUrl: shown, origin: secrets.redact(parsed.origin), requestTimeoutMs } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { baseUrl: '', error: { message: secrets.redact(message), range: rangeAt(document, '/target', 'key') } };
  }
}
