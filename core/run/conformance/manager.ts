// The enterprise extension's manager (RFC 7643 §4.3), where the server offers the extension:
// set as the RFC's complex value (or as Entra sends it, a bare id string), read back as the
// complex value naming the manager, and gone after removal — absent, not {} or "" (RFC 7644
// §3.5.2.2: the attribute "SHALL be considered unassigned"). Entra removes a manager with a
// path-only Remove.
import type { Suite } from './suite.ts';
import type { PoolUser } from './pool.ts';
import type { Declared } from './declared.ts';
import { declaredSchema, offersExtension } from './declared.ts';
import { patch } from '../../scim/dialects/base.ts';
import { getKey } from '../../scim/resource.ts';
import { ENTERPRISE_USER_URN } from '../../scim-schema/index.ts';
import { isRecorded, writeThenRead } from './clearing.ts';
import type { CheckResult } from '../result.ts';
import type { RuleId } from '../../checks/rules.ts';

const PATH = `${ENTERPRISE_USER_URN}:manager`;

interface ManagerStep {
  id: string;
  title: string;
  rule: RuleId;
  operation: Record<string, unknown>;
  /** The manager id that must be there afterwards; undefined: none. */
  expect: string | undefined;
}

export async function managerChecks(suite: Suite, subject: PoolUser, manager: PoolUser, declared: Declared): Promise<void> {
  const offered = offersExtension(declared, 'User', ENTERPRISE_USER_URN) ?? declaredSchema(declared, ENTERPRISE_USER_URN) !== undefined;
  const steps = managerSteps(suite, manager.id);
  if (!offered) {
    for (const s of steps)
      suite.skipped(s.rule, s.id, s.title, 'the server does not offer the enterprise User extension (/ResourceTypes, /Schemas)');
    return;
  }
  const url = `/Users/${encodeURIComponent(subject.id)}`;
  let broken: CheckResult | undefined;
  for (const s of steps) {
    if (broken) {
      suite.blocked(s.rule, s.id, s.title, broken, 'the manager was already not as expected');
      continue;
    }
    const result = await writeThenRead(suite, patch(url, [s.operation]), url, s.rule, s.id, s.title);
    if (isRecorded(result)) {
      broken = result;
      continue;
    }
    const extension = getKey(result.resource, ENTERPRISE_USER_URN);
    const actual = getKey(extension, 'manager');
    const value = getKey(actual, 'value');
    const ok = s.expect === undefined ? actual === undefined || actual === null : value === s.expect;
    const check = suite.check(
      s.rule,
      s.id,
      s.title,
      ok,
      s.expect === undefined
        ? `after ${JSON.stringify(s.operation)} the manager reads back as ${JSON.stringify(actual)}, not absent`
        : actual === undefined
          ? `after ${JSON.stringify(s.operation)} the user has no manager`
          : `after ${JSON.stringify(s.operation)} the manager reads back as ${JSON.stringify(actual)}, ` +
            `not {"value": ${JSON.stringify(s.expect)}}`,
      {
        expected: s.expect === undefined ? '(absent)' : { value: s.expect },
        actual: actual ?? null,
        focus: ['manager'],
        evidence: [result.write, result.read],
      },
    );
    if (check.status !== 'pass') broken = check;
  }
}

function managerSteps(suite: Suite, managerId: string): ManagerStep[] {
  if (suite.ctx.planned.conformance === 'entra') {
    return [
      {
        id: 'manager.entra-set',
        title: "Entra's manager as a bare id reads back as the complex value",
        rule: 'user.manager.idp-shape',
        operation: { op: 'Add', path: PATH, value: managerId },
        expect: managerId,
      },
      {
        id: 'manager.entra-remove',
        title: "Entra's path-only Remove of the manager leaves none",
        rule: 'user.manager.removed',
        operation: { op: 'Remove', path: PATH },
        expect: undefined,
      },
      {
        id: 'manager.entra-replace',
        title: "Entra's Replace with a bare id sets the manager again",
        rule: 'user.manager.idp-shape',
        operation: { op: 'Replace', path: PATH, value: managerId },
        expect: managerId,
      },
    ];
  }
  return [
    {
      id: 'manager.set',
      title: 'a manager set as the complex value reads back',
      rule: 'user.manager.set',
      operation: { op: 'replace', path: PATH, value: { value: managerId } },
      expect: managerId,
    },
    {
      id: 'manager.remove',
      title: 'a remove of the manager leaves none (absent, not empty)',
      rule: 'user.manager.removed',
      operation: { op: 'remove', path: PATH },
      expect: undefined,
    },
  ];
}
