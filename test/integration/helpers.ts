// Running specs in-process against a real reference server over loopback HTTP.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan, type PlanOptions } from '../../core/plan/plan.ts';
import { runPlan, type RunOptions, type StartedIdp } from '../../core/run/runner.ts';
import type { SpecResult } from '../../core/run/result.ts';
import { main } from '../../cli/main.ts';
import type { CommandIO } from '../../cli/io.ts';
import {
  SAML_MISBEHAVIOURS,
  startReferenceServer,
  type Misbehaviour,
  type ReferenceServer,
  type ReferenceServerOptions,
} from '../../reference/index.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function withServer<T>(
  misbehave: Misbehaviour[],
  work: (server: ReferenceServer) => Promise<T>,
  options: Pick<ReferenceServerOptions, 'slowMs' | 'log'> = {},
): Promise<T> {
  const server = await startReferenceServer({ misbehave, ...options });
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}

export async function runSpecFile(
  file: string,
  server: Pick<ReferenceServer, 'baseUrl' | 'token'>,
  plan: PlanOptions = {},
  run: Partial<RunOptions> = {},
): Promise<SpecResult> {
  const absolute = path.resolve(ROOT, file);
  const validation = validateText(readFileSync(absolute, 'utf8'), absolute);
  if (!validation.spec) throw new Error(`${file} is invalid: ${validation.diagnostics.map((d) => d.message).join('; ')}`);
  return runPlan(buildPlan(file, validation.document, validation.spec, plan), {
    env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token, ...run.env },
    ...run,
  });
}

/** Users and groups left on the server (by anyone), read over HTTP. */
export async function leftOnServer(server: ReferenceServer): Promise<{ users: number; groups: number }> {
  const count = async (what: string): Promise<number> => {
    // A flaky server fails some requests on purpose; ask until it answers.
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await fetch(`${server.baseUrl}/${what}?count=0`, { headers: { authorization: `Bearer ${server.token}` } });
      const body = (await response.json()) as { totalResults?: number };
      if (response.status === 200 && typeof body.totalResults === 'number') return body.totalResults;
    }
    throw new Error(`could not list ${what}`);
  };
  return { users: await count('Users'), groups: await count('Groups') };
}

export function failing(result: SpecResult): Array<{ scenario: string; id: string; line: number; status: string; message: string }> {
  return result.scenarios.flatMap((s) =>
    s.checks
      .filter((c) => c.status === 'fail' || c.status === 'error')
      .map((c) => ({ scenario: s.name, id: c.id, line: c.range.start.line + 1, status: c.status, message: c.message })),
  );
}

/**
 * A reference server whose demo app is an OIDC relying party and a SAML service provider with
 * just-in-time provisioning, registered at the IdP the run starts (its issuer, SSO URL and
 * certificate come through onFederation), and the run options that wire a run to it. `flags`
 * are the app's misbehaviours, OIDC and SAML alike.
 */
export async function withFederatedServer<T>(
  flags: readonly string[],
  work: (server: ReferenceServer, run: Partial<RunOptions>) => Promise<T>,
): Promise<T> {
  const idp: { oidc?: StartedIdp; saml?: StartedIdp } = {};
  const clientId = 'provspec-test-app';
  const clientSecret = randomBytes(18).toString('base64url');
  const saml = (flag: string) => (SAML_MISBEHAVIOURS as readonly string[]).includes(flag);
  const server = await startReferenceServer({
    federationMisbehave: flags.filter((f) => !saml(f)),
    samlMisbehave: flags.filter(saml),
    federation: {
      oidc: { issuer: () => idp.oidc?.issuer, clientId, clientSecret },
      saml: { idpSsoUrl: () => idp.saml?.ssoUrl, idpCert: () => idp.saml?.certificatePem, idpIssuer: () => idp.saml?.issuer },
    },
  });
  try {
    return await work(server, {
      env: {
        SCIM_BASE_URL: server.baseUrl,
        SCIM_TOKEN: server.token,
        APP_URL: server.appUrl,
        OIDC_CLIENT_ID: clientId,
        OIDC_CLIENT_SECRET: clientSecret,
      },
      onFederation: (started) => {
        idp[started.protocol] = started;
      },
    });
  } finally {
    await server.close();
  }
}

/** The CLI in-process, its output captured: for commands whose output a test reads. */
export async function cliInProcess(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = {
    stdout: { write: (t: string) => out.push(t), isTTY: false } as unknown as NodeJS.WriteStream,
    stderr: { write: (t: string) => err.push(t), isTTY: false } as unknown as NodeJS.WriteStream,
    cwd: ROOT,
    env,
    stop: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}
