// A large, valid spec for benchmarks: many identities, role rules and scenarios, of about the
// requested number of YAML lines. Deterministic, so runs compare like with like.
import { stringify } from 'yaml';

const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'Retail', 'Operations'];

export function generateSpec(targetLines: number): { yaml: string; json: string; value: unknown } {
  const identities: Record<string, unknown> = {};
  const lifecycle: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {
    provspec: 1,
    name: 'Generated benchmark spec',
    target: { baseUrl: 'https://scim.example.test/scim/v2', auth: { bearer: '${{ env.SCIM_TOKEN }}' }, dialect: 'entra', concurrency: 8 },
    identities,
    mapping: {
      userName: '${{ identity.upn }}',
      externalId: '${{ identity.mail }}',
      displayName: '${{ identity.displayName }}',
      'name.givenName': '${{ identity.givenName }}',
      'name.familyName': '${{ identity.surname }}',
      'emails[type eq "work"].value': '${{ identity.mail }}',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': '${{ identity.department }}',
    },
    groups: Object.fromEntries(DEPARTMENTS.map((d) => [d, {}])),
    roles: DEPARTMENTS.map((d) => ({ name: d.toLowerCase(), when: { department: d }, memberOf: [d] })),
    lifecycle,
  };
  for (let i = 0; ; i++) {
    const name = `user${i}`;
    const department = DEPARTMENTS[i % DEPARTMENTS.length]!;
    const next = DEPARTMENTS[(i + 1) % DEPARTMENTS.length]!;
    identities[name] = {
      upn: `${name}@example.test`,
      mail: `${name}@example.test`,
      displayName: `User ${i}`,
      givenName: 'User',
      surname: `Number ${i}`,
      department,
    };
    lifecycle[`mover-${i}`] = {
      identity: name,
      steps: [
        'provision',
        { expect: { active: true, memberOf: [department] } },
        { update: { department: next } },
        { expect: { memberOf: [next], notMemberOf: [department] } },
        'deactivate',
        { expect: { active: false, findable: true } },
        'deprovision',
      ],
    };
    if (i % 10 === 9) {
      const yaml = stringify(spec);
      if (yaml.split('\n').length >= targetLines) return { yaml, json: JSON.stringify(spec, null, 2), value: spec };
    }
  }
}
