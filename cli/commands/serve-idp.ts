// `provspec serve --idp SPEC`: provspec's identity provider in the foreground, for signing in to
// an app by hand. It registers the app as the spec's `federation` section states it (an OIDC
// client or a SAML service provider) and holds the spec's identities as accounts, each under its
// own name (`alice`), with the claims the spec derives from it. Its sign-in page asks for that
// name. Nothing is sent to any SCIM target.
import { readFile } from 'node:fs/promises';
import { checkSources } from '../../core/session/session.ts';
import { identityClaims, startFederation } from '../../core/run/federation.ts';
import { SecretRegistry } from '../../core/scim/secrets.ts';
import { codeFrame } from '../../core/report/code-frame.ts';
import { displayPath, findSpecFiles, UsageError } from '../files.ts';
import type { CommandIO } from '../io.ts';

/** The IdP's port when neither --port nor federation.port names one: next to the reference server's 7644. */
export const DEFAULT_IDP_PORT = 7645;

export async function serveIdp(path: string, port: number | undefined, io: CommandIO, stop: AbortSignal): Promise<number> {
  const [file] = await findSpecFiles([path], io.cwd);
  const text = await readFile(file!, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${path}: cannot read (${error.code ?? error.message})`);
  });
  const checked = checkSources([{ display: displayPath(file!, io.cwd), text }]);
  const source = checked[0]!;
  // Only the federation section's variables matter here (no SCIM target is reached): an unset one
  // is said when the IdP is set up from it.
  const spec = source.result.spec;
  if (source.errors.length || !spec) {
    for (const d of source.errors)
      io.stderr.write(
        `${source.source.display}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` +
          `error ${d.code}: ${d.message}\n${codeFrame(text, source.result.document.lineStarts, d.range)}\n\n`,
      );
    io.stderr.write('provspec serve --idp: the spec above cannot be used.\n');
    return 2;
  }
  if (!spec.federation) throw new UsageError(`${source.source.display} has no federation section: there is no app to register`);
  const secrets = new SecretRegistry();
  const scope = { env: io.env, vars: spec.variables ?? {}, run: { id: 'serve' } };
  const withPort = { ...spec, federation: { ...spec.federation, port: port ?? spec.federation.port ?? DEFAULT_IDP_PORT } };
  let federation;
  try {
    federation = await startFederation(withPort, scope, secrets);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${withPort.federation.port} is in use` : (error as Error).message;
    io.stderr.write(`provspec serve --idp: could not start: ${reason}\n`);
    return 1;
  }
  const groups = spec.groups ?? {};
  for (const [name, identity] of Object.entries(spec.identities)) {
    const claims = identityClaims(spec, { ...scope, identity }, identity, federation.groupsClaim, (g) => groups[g]?.displayName);
    federation.idp.setAccount({ sub: name, claims });
  }
  const { saml } = federation.idp;
  io.stdout.write(
    saml
      ? `SAML_IDP_ENTITY_ID=${saml.issuer}\nSAML_IDP_SSO_URL=${saml.ssoUrl}\nSAML_IDP_METADATA_URL=${saml.metadataUrl}\n`
      : `OIDC_ISSUER=${federation.idp.issuer}\n`,
  );
  io.stderr.write(
    `provspec ${saml ? 'SAML' : 'OpenID Connect'} identity provider on ${federation.idp.issuer}; ` +
      `sign in as ${Object.keys(spec.identities).join(', ')}. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    if (stop.aborted) return resolve();
    stop.addEventListener('abort', () => resolve(), { once: true });
  });
  await federation.idp.close();
  return 0;
}
