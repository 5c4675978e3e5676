// Classic bugs of a SAML service provider, each reproducible on demand so that the runner's SAML
// checks can prove they are able to fail. Apart from the OIDC relying party's flags
// (misbehaviours.ts): the two protocols fail in different places, and each flag names one bug.
export const SAML_MISBEHAVIOURS = ['saml-accepts-unsigned', 'saml-accepts-wrong-audience'] as const;

export type SamlMisbehaviour = (typeof SAML_MISBEHAVIOURS)[number];

export const SAML_MISBEHAVIOUR_DESCRIPTIONS: Record<SamlMisbehaviour, string> = {
  'saml-accepts-unsigned': 'a SAML response in which neither the Response nor the Assertion carries a signature signs the person in',
  'saml-accepts-wrong-audience':
    "the assertion's AudienceRestriction is not checked: an assertion meant for another SP signs the person in",
};

export function isSamlMisbehaviour(name: string): name is SamlMisbehaviour {
  return (SAML_MISBEHAVIOURS as readonly string[]).includes(name);
}

export function parseSamlMisbehaviours(text: string): SamlMisbehaviour[] {
  const out: SamlMisbehaviour[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isSamlMisbehaviour(part)) throw new Error(`Unknown SAML misbehaviour "${part}". Known: ${SAML_MISBEHAVIOURS.join(', ')}.`);
    out.push(part);
  }
  return out;
}
