// JUnit XML output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toJunit } from '../../core/report/junit.ts';

describe('junit', () => {
  it('junit escapes markup and control characters', () => {
    const xml = toJunit([
      {
        file: 'a.yaml',
        name: 'x<y>&"z"',
        runId: 'r',
        dialect: 'rfc7644',
        profile: 'rfc7644',
        baseUrl: '',
        status: 'fail',
        ms: 5,
        audit: [],
        orphans: [],
        scenarios: [
          {
            section: 'lifecycle',
            name: 's',
            range: { start: { line: 1, character: 2 }, end: { line: 1, character: 3 } },
            dialect: 'rfc7644',
            status: 'fail',
            ms: 1,
            checks: [
              {
                id: 'c',
                status: 'fail',
                rule: 'user.create',
                basis: 'RFC 7644 §3.3',
                level: 'MUST',
                title: 't',
                message: 'bad \u0001 <tag>',
                range: { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } },
                evidence: [],
              },
            ],
          },
        ],
      },
    ]);
    assert.match(xml, /name="x&lt;y&gt;&amp;&quot;z&quot;"/);
    assert.match(xml, /<failure message="t: bad {2}&lt;tag&gt;" type="c">a\.yaml:5:1 c/);
    assert.doesNotMatch(xml, /\u0001/);
  });

  it('puts a failing test case at its first failing check, and the totals and times on suites', () => {
    const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 1 } });
    const check = (id: string, status: 'pass' | 'fail', line: number) => ({
      id,
      status,
      rule: 'user.create',
      basis: 'RFC 7644 §3.3',
      level: 'MUST' as const,
      title: id,
      message: status === 'fail' ? 'no' : '',
      range: range(line),
      evidence: [],
    });
    const scenario = (name: string, status: 'pass' | 'fail', checks: ReturnType<typeof check>[]) => ({
      section: 'lifecycle' as const,
      name,
      range: range(9),
      dialect: 'rfc7644',
      status,
      ms: 20,
      startedAt: '2026-12-04T10:00:01.000Z',
      checks,
    });
    const spec = {
      file: 'a.yaml',
      name: 'a',
      runId: 'r',
      dialect: 'rfc7644',
      profile: 'rfc7644',
      baseUrl: '',
      status: 'fail' as const,
      ms: 1500,
      startedAt: '2026-12-04T10:00:00.000Z',
      audit: [],
      orphans: [],
      scenarios: [
        scenario('ok', 'pass', [check('a', 'pass', 11)]),
        scenario('bad', 'fail', [check('a', 'pass', 11), check('b', 'fail', 14), check('c', 'fail', 17)]),
      ],
    };
    const xml = toJunit([spec, { ...spec, file: 'b.yaml', startedAt: '2026-12-04T09:59:00.000Z' }]);
    assert.match(
      xml,
      /<testsuites name="provspec" tests="4" failures="2" errors="0" skipped="0" time="3\.000" timestamp="2026-12-04T09:59:00\.000Z">/,
    );
    assert.match(xml, /<testsuite name="a" file="a\.yaml" tests="2" failures="1" [^>]*timestamp="2026-12-04T10:00:00\.000Z">/);
    assert.match(xml, /name="lifecycle\.ok" file="a\.yaml" line="10" time="0\.020" timestamp="2026-12-04T10:00:01\.000Z"/);
    assert.match(xml, /name="lifecycle\.bad" file="a\.yaml" line="15" /);
  });
});
