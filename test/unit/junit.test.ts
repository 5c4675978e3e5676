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
});
