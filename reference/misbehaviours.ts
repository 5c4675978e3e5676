// Classic real-world SCIM server bugs, each reproducible on demand so that the runner's tests
// can prove every check is able to fail. One flag, one behaviour.
export const MISBEHAVIOURS = [
  'case-sensitive-op',
  'reject-string-booleans',
  'ignore-pathless-patch',
  'remove-member-wipes-group',
  'no-value-path-patch',
  'hide-inactive-users',
  'no-location',
  'wrong-content-type',
  'no-scimtype-on-409',
  'case-sensitive-username',
  'delete-returns-200',
  'slow',
  'flaky',
] as const;

export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

export const MISBEHAVIOUR_DESCRIPTIONS: Record<Misbehaviour, string> = {
  'case-sensitive-op': 'PATCH ops other than lowercase add/replace/remove are refused (Entra sends "Replace")',
  'reject-string-booleans': '"True"/"False" strings for booleans are refused (Entra sends active "False")',
  'ignore-pathless-patch': 'PATCH operations without a path are silently ignored',
  'remove-member-wipes-group': 'removing members with a value array removes every member',
  'no-value-path-patch': 'PATCH paths with value filters (emails[type eq "work"].value) are refused',
  'hide-inactive-users': 'deactivated users vanish from list and filter results',
  'no-location': 'creates answer without a Location header',
  'wrong-content-type': 'responses are application/json instead of application/scim+json',
  'no-scimtype-on-409': 'a uniqueness conflict answers 409 without scimType',
  'case-sensitive-username': 'userName uniqueness and filters are case-sensitive',
  'delete-returns-200': 'DELETE answers 200 with a body instead of 204',
  slow: 'every request is delayed (slowMs, default 200 ms)',
  flaky: 'every third request fails before doing anything: alternately 429 with Retry-After: 1, and 500',
};

export function parseMisbehaviours(text: string): Misbehaviour[] {
  const out: Misbehaviour[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(MISBEHAVIOURS as readonly string[]).includes(part)) {
      throw new Error(`Unknown misbehaviour "${part}". Known: ${MISBEHAVIOURS.join(', ')}.`);
    }
    out.push(part as Misbehaviour);
  }
  return out;
}
