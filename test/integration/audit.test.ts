// The audit trail of a real run (core/report/audit.ts): what a joiner, a mover and a leaver did
// to the target, in order, each entry with its time, its actor, the step, the source values that
// drove it and, for changes, what the server showed before and after.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { runSession } from '../../core/session/session.ts';
import { toAuditNdjson } from '../../core/report/audit.ts';
import { diffResources } from '../../core/run/audit-diff.ts';
import { ROOT, withServer } from './helpers.ts';

type Line = Record<string, unknown> & { action: string; scenario: string; time: string };

describe('the audit trail', () => {
  it('tells what the run did, when, by whom, from which values, and each change before and after', async () => {
    const file = 'examples/quickstart.provspec.yaml';
    const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
    const plan = buildPlan(file, validated.document, validated.spec!);
    await withServer([], async (server) => {
      const session = await runSession([plan], { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token } });
      const text = toAuditNdjson(session.results);
      assert.ok(!text.includes(server.token), 'no secret in the trail');
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      const times = lines.map((l) => Date.parse(l.time));
      assert.ok(
        times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!)),
        'stamped, in order',
      );
      assert.ok(lines.every((l) => l['actor'] === `rfc7644-shaped run ${session.runId}`));
      const of = (scenario: string) => lines.filter((l) => l.scenario === scenario && l['resourceType'] === 'User');
      // The mover: created from the source values, added to a group, changed with the diff, moved.
      const mover = of('mover');
      assert.deepEqual(
        mover.map((l) => l.action),
        ['created', 'added to group', 'changed', 'removed from group', 'added to group'],
      );
      const created = mover[0]!;
      assert.equal(created['step'], '1-provision');
      assert.equal((created['source'] as Record<string, unknown>)['department'], 'Engineering');
      assert.match(String((created['source'] as Record<string, unknown>)['email']), /^alice\+ps-/, 'the run-scoped values it sent');
      assert.equal(mover[1]!['group'], 'Engineering');
      const changed = mover[2]!;
      assert.deepEqual(changed['source'], { department: 'Sales' });
      assert.deepEqual(changed['changes'], [
        { attribute: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', before: 'Engineering', after: 'Sales' },
      ]);
      // The leaver: deactivated and reactivated with active's before and after, removed by its step.
      const leaver = of('leaver').map((l) => [l.action, l['step'], l['changes']]);
      assert.deepEqual(leaver.slice(-3), [
        ['deactivated', '2-deactivate', [{ attribute: 'active', before: true, after: false }]],
        ['reactivated', '4-reactivate', [{ attribute: 'active', before: false, after: true }]],
        ['removed', '5-deprovision', undefined],
      ]);
      // What the scenarios left, cleanup removed: every created resource has its removal.
      const removed = new Set(lines.filter((l) => l.action === 'removed').map((l) => l['id']));
      for (const l of lines.filter((x) => x.action === 'created')) assert.ok(removed.has(l['id']), `${String(l['id'])} was removed`);
    });
  });

  it('diffs what the server showed at the depth the mapping names, leaving out meta and groups', () => {
    const before = {
      id: '1',
      name: { givenName: 'Alice', familyName: 'Liddell' },
      emails: [{ value: 'a@x', type: 'work' }],
      meta: { version: 'W/"1"' },
      groups: [],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Eng', manager: { value: 'm1' } },
    };
    const after = {
      ...before,
      name: { givenName: 'Alice', familyName: 'Hart' },
      emails: [{ value: 'b@x', type: 'work' }],
      meta: { version: 'W/"2"' },
      groups: [{ value: 'g' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Eng', manager: { value: 'm2' } },
      title: 'Boss',
    };
    assert.deepEqual(diffResources(before, after), [
      { attribute: 'emails', before: [{ value: 'a@x', type: 'work' }], after: [{ value: 'b@x', type: 'work' }] },
      { attribute: 'name.familyName', before: 'Liddell', after: 'Hart' },
      { attribute: 'title', before: null, after: 'Boss' },
      { attribute: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', before: 'm1', after: 'm2' },
    ]);
  });
});
