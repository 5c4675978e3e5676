// Classic bugs of a SAML service provider, each reproducible on demand so that the runner's SAML
// checks can prove they are able to fail. Apart from the OIDC relying party's flags
// (misbehaviours.ts): the two protocols fail in different places, and each flag names one bug.
export const SAML_MISBEHAVIOURS = [
  'saml-accepts-unsigned',
  'saml-accepts-wrong-audience',
  'saml-ignores-recipient',
  'saml-accepts-expired',
  'saml-ignores-in-response-to',
  'saml-accepts-replay',
  'saml-reads-first-assertion',
  'saml-reads-name-id-text-node',
  'saml-accepts-unsolicited',
  'saml-accepts-sha1',
] as const;

export type SamlMisbehaviour = (typeof SAML_MISBEHAVIOURS)[number];

export const SAML_MISBEHAVIOUR_DESCRIPTIONS: Record<SamlMisbehaviour, string> = {
  'saml-accepts-unsigned': 'a SAML response in which neither the Response nor the Assertion carries a signature signs the person in',
  'saml-accepts-wrong-audience':
    "the assertion's AudienceRestriction is not checked: an assertion meant for another SP signs the person in",
  'saml-ignores-recipient':
    "neither the Response's Destination nor the bearer Recipient is checked: a response meant for another ACS signs the person in",
  'saml-accepts-expired':
    "the assertion's time limits are not checked: one past its NotOnOrAfter (Conditions and SubjectConfirmationData) signs the person in",
  'saml-ignores-in-response-to':
    'InResponseTo is not checked: a response that answers no request the app made (or none) signs the person in, once',
  'saml-accepts-replay':
    'answered requests and used assertions are not remembered: a response captured once signs the person in again, in a later login',
  'saml-reads-first-assertion':
    'signature wrapping: one signed assertion is enough, and the person is read from the first Assertion, which may be an unsigned forgery',
  'saml-accepts-unsolicited':
    'a Response without InResponseTo (unsolicited, IdP-initiated) signs the person in, though the app says it takes none',
  'saml-accepts-sha1': 'a Response signed with RSA-SHA1 over SHA-1 digests signs the person in, as node-saml by itself allows',
  'saml-reads-name-id-text-node':
    "the NameID is read as its first text node: a comment in a signed NameID (a.b<!---->.c) cuts it short to another person's (a.b)",
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
