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

export type ExpressionShape = 'many strings' | 'one string' | 'misspelt variables';

/**
 * A spec with about `count` `${{ }}` expressions: spread over many values, all in one value, or
 * half of them variables read from the environment and half misspelt uses of those variables
 * (each use an unknown-variable error with a did-you-mean).
 */
export function generateExpressionSpec(count: number, shape: ExpressionShape): string {
  let out = 'provspec: 1\nname: Expressions\ntarget:\n  baseUrl: ${{ env.SCIM_BASE_URL }}\n  auth:\n    bearer: ${{ env.SCIM_TOKEN }}\n';
  out += 'mapping:\n  userName: ${{ identity.email }}\n';
  if (shape === 'misspelt variables') {
    out += 'variables:\n';
    for (let i = 0; i < count / 2; i++) out += `  tenant_${i}: \${{ env.TENANT_${i} }}\n`;
    out += 'identities:\n';
    for (let i = 0; i < count / 2; i++) out += `  user${i}:\n    email: user${i}@example.test\n    tenant: \${{ vars.tenent_${i} }}\n`;
    return out;
  }
  out += 'variables:\n  domain: example.test\nidentities:\n';
  if (shape === 'one string') {
    const parts = Array.from({ length: count }, (_, i) => (i % 2 ? '${{ vars.domain }}' : '${{ env.SCIM_TENANT }}'));
    return `${out}  user0:\n    email: user0@example.test\n    notes: ${parts.join(' ')}\n`;
  }
  for (let i = 0; i < count / 4; i++) {
    out +=
      `  user${i}:\n    email: user${i}@\${{ vars.domain }}\n    tenant: \${{ ` +
      `env.SCIM_TENANT }}\n    notes: "\${{ env.SCIM_TENANT }} / \${{ vars.domain }}"\n`;
  }
  return out;
}

/**
 * "Billion laughs": `levels` anchored lists, each holding nine aliases of the one before, and a
 * scenario whose steps are the last. Expanded, 9^levels values in a few hundred bytes.
 */
export function generateAliasBomb(levels: number): string {
  let out = 'provspec: 1\nname: Alias bomb\ntarget:\n  baseUrl: https://scim.example.test/scim/v2\n  auth: none\n';
  out += 'identities:\n  alice:\n    email: alice@example.test\nmapping:\n  userName: ${{ identity.email }}\n';
  out += 'x-levels:\n  l0: &l0 [provision, provision, provision, provision, provision, provision, provision, provision, provision]\n';
  for (let i = 1; i < levels; i++)
    out += `  l${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  return `${out}lifecycle:\n  bomb:\n    identity: alice\n    steps: *l${levels - 1}\n`;
}
