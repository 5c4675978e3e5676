// What `${{ env.NAME }}` can read in a spec run by the Action. A spec may come from a pull
// request, so the runner's own credentials stay out of reach: the Action's inputs (the token
// among them, which the spec gets as SCIM_TOKEN only), the runtime tokens GitHub gives every
// action (cache, artifacts, OIDC), and GITHUB_TOKEN if a workflow exported it.
const HIDDEN = [/^INPUT_/, /^ACTIONS_/, /^GITHUB_TOKEN$/, /^GH_TOKEN$/];

export function specEnvironment(env: NodeJS.ProcessEnv, scim: { token: string; baseUrl?: string }): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(env).filter(([name]) => !HIDDEN.some((pattern) => pattern.test(name))),
  );
  out['SCIM_TOKEN'] = scim.token;
  if (scim.baseUrl) out['SCIM_BASE_URL'] = scim.baseUrl;
  return out;
}
