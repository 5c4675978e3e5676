// The starter spec `provspec init` writes: the quickstart, so that a new user's first run
// (`provspec run <file> --embedded`) passes and shows every kind of scenario. A test keeps it
// valid and passing.

/**
 * The starter with a modeline naming the schema of this provspec version as the package
 * publishes it, so yaml-language-server in any editor validates and completes it (the VS Code
 * extension and provspec's own server need no modeline).
 */
export function starterSpec(version: string): string {
  const schema = `https://unpkg.com/provspec@${version === 'unknown' ? 'latest' : version}/schemas/provspec.schema.json`;
  return `# yaml-language-server: $schema=${schema}\n${STARTER_SPEC}`;
}

export const STARTER_SPEC = `# A first spec: two people, joiner / mover / leaver, role rules, and a request a correct
# server must refuse. Run it against the embedded reference server, or point
# SCIM_BASE_URL and SCIM_TOKEN at your own SCIM endpoint.
provspec: 1
name: Quickstart — joiner, mover, leaver

target:
  baseUrl: \${{ env.SCIM_BASE_URL }}
  auth:
    bearer: \${{ env.SCIM_TOKEN }}
  dialect: rfc7644

identities:
  alice:
    email: alice@example.test
    givenName: Alice
    familyName: Liddell
    department: Engineering
  bob:
    email: bob@example.test
    givenName: Bob
    familyName: Builder
    department: Sales

mapping:
  userName: \${{ identity.email }}
  externalId: \${{ identity.email }}
  name.givenName: \${{ identity.givenName }}
  name.familyName: \${{ identity.familyName }}
  emails[type eq "work"].value: \${{ identity.email }}
  active: true
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: \${{ identity.department }}

groups:
  Engineering: {}
  Sales: {}

roles:
  - name: engineers
    when: { department: Engineering }
    memberOf: [Engineering]
    notMemberOf: [Sales]
  - name: sales
    when: { department: Sales }
    memberOf: [Sales]
    notMemberOf: [Engineering]

lifecycle:
  joiner:
    description: A new engineer gets an account with every mapped attribute and the Engineering group.
    identity: alice
    steps:
      - provision
      - expect: { active: true, findable: true, memberOf: [Engineering] }
  mover:
    description: Moving to Sales changes the department and swaps the groups.
    identity: alice
    steps:
      - provision
      - update: { department: Sales }
      - expect: { memberOf: [Sales], notMemberOf: [Engineering] }
  leaver:
    description: A leaver is deactivated (still readable, inactive), then removed.
    identity: bob
    steps:
      - provision
      - deactivate
      - expect: { active: false, findable: true }
      - reactivate
      - deprovision
      - expect: { exists: false, findable: false }

negative:
  missing-userName:
    description: A create without userName is refused.
    create: alice
    without: [userName]
    expect: { status: 400 } # scimType is OPTIONAL (RFC 7644 §3.12); add \`scimType: invalidValue\` to require one
  bad-token:
    description: A wrong bearer token is refused.
    auth: { bearer: not-the-token }
    get: /Users
    expect: { status: 401 }

concurrency:
  duplicate-create:
    description: Eight identical creates racing (an IdP retrying) make exactly one user.
    action: provision
    identity: alice
    parallel: 8
    expect: { created: 1, conflict: 7 }
`;
