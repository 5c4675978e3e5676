// The pure reporters the Action and `provspec merge` share: merging shard reports, annotation
// ranges, the size-bounded Markdown summary, and the log fence for server text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckResult, ScenarioResult, SpecResult } from '../../core/run/result.ts';
import { JsonReportWriter, toJsonReport } from '../../core/report/json.ts';
import { fromJsonReport, mergeReports, parseJsonReport, ReportFormatError } from '../../core/report/merge.ts';
import { checkAnnotations } from '../../core/report/annotations.ts';
import { fenced, toMarkdownSummary } from '../../core/report/markdown.ts';
import { untrusted } from '../../action/src/log.ts';
import { excerpt } from '../../core/report/excerpt.ts';
import { failureBlock } from '../../core/report/pretty.ts';
import { fromCheck } from '../../core/report/finding.ts';

const range = (line: number, from: number, to: number, endLine = line) => ({
  start: { line, character: from },
  end: { line: endLine, character: to },
});

function check(id: string, status: CheckResult['status'], line: number, body = ''): CheckResult {
  return {
    id,
    status,
    rule: 'user.create',
    basis: 'RFC 7644 §3.3',
    level: 'MUST',
    title: `title of ${id}`,
    message: status === 'pass' ? '' : `why ${id} failed`,
    range: range(line, 6, 15),
    ...(status === 'fail' ? { expected: 201, actual: 400 } : {}),
    evidence: body
      ? [
          {
            id: 'r-1',
            method: 'POST',
            url: 'http://127.0.0.1:1/Users',
            requestHeaders: { authorization: 'Bearer [REDACTED]' },
            status: 400,
            responseBody: body,
            ms: 3,
          },
        ]
      : [],
  };
}

function scenario(name: string, line: number, checks: CheckResult[]): ScenarioResult {
  return {
    section: 'lifecycle',
    name,
    range: range(line, 2, 2 + name.length),
    dialect: 'rfc7644',
    status: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
    ms: 5,
    checks,
  };
}

function spec(scenarios: ScenarioResult[]): SpecResult {
  return {
    file: 'a.provspec.yaml',
    name: 'A',
    runId: 'r',
    dialect: 'rfc7644',
    profile: 'rfc7644',
    baseUrl: 'http://127.0.0.1:1',
    status: 'fail',
    ms: 10,
    scenarios,
    audit: [],
    orphans: [],
  };
}

describe('the JSON report written as the run goes', () => {
  it('stays JSON when the runner stopped inside a spec (a spec it never finished is closed)', () => {
    let text = '';
    const writer = new JsonReportWriter((chunk) => (text += chunk), { runId: 'r', startedAt: 's' });
    writer.startSpec();
    writer.scenario(scenario('a', 10, [check('1-provision.created', 'pass', 11)]));
    writer.end(3);
    const report = JSON.parse(text) as { specs: Array<{ status: string; scenarios: unknown[] }>; totals: { pass: number }; ms: number };
    assert.equal(report.specs[0]!.status, 'error');
    assert.equal(report.specs[0]!.scenarios.length, 1);
    assert.equal(report.totals.pass, 1);
    assert.equal(report.ms, 3);
  });
});

describe('merge', () => {
  it('combines shards of one spec in source order with totals recomputed, and round-trips ranges', () => {
    const one = toJsonReport([spec([scenario('b', 20, [check('1-provision.created', 'fail', 21)])])], {
      runId: 'x',
      startedAt: '2026-12-01T00:00:01Z',
      ms: 300,
    });
    const two = toJsonReport([spec([scenario('a', 10, [check('1-provision.created', 'pass', 11)])])], {
      runId: 'x',
      startedAt: '2026-12-01T00:00:00Z',
      ms: 500,
    });
    const merged = mergeReports([one, two]);
    assert.equal(merged.specs.length, 1);
    assert.deepEqual(
      merged.specs[0]!.scenarios.map((s) => s.name),
      ['a', 'b'],
    );
    assert.deepEqual(merged.totals, { pass: 1, fail: 1, warn: 0, blocked: 0, error: 0, skipped: 0 });
    assert.equal(merged.runId, 'x');
    assert.equal(merged.ms, 500);
    assert.equal(merged.startedAt, '2026-12-01T00:00:00Z');
    const back = fromJsonReport(merged);
    assert.deepEqual(back[0]!.scenarios[1]!.checks[0]!.range, range(21, 6, 15));
  });

  it('stores each exchange once, with its body as text, and keeps the ids of what passed', () => {
    const failing = check('1-provision.created', 'fail', 21, '{"detail":"no"}');
    const again = { ...check('1-provision.created.body', 'fail', 21, '{"detail":"no"}') };
    const passing: CheckResult = { ...check('2-update.updated', 'pass', 30), evidence: [], evidenceIds: ['r-9'] };
    const report = toJsonReport([spec([scenario('b', 20, [failing, again, passing])])], { runId: 'x', startedAt: 's', ms: 1 });
    assert.equal(report.report, 2);
    assert.deepEqual(Object.keys(report.exchanges), ['r-1']);
    assert.equal(report.exchanges['r-1']!.responseBody, '{"detail":"no"}');
    assert.equal('json' in report.exchanges['r-1']!, false);
    const checks = report.specs[0]!.scenarios[0]!.checks;
    assert.deepEqual(
      checks.map((c) => c.evidence),
      [['r-1'], ['r-1'], ['r-9']],
    );
    // Read back, the finding has its exchange (body parsed again); what passed keeps the id only.
    const back = fromJsonReport(parseJsonReport(JSON.stringify(report), 'r.json'))[0]!.scenarios[0]!.checks;
    assert.deepEqual(back[0]!.evidence[0]!.json, { detail: 'no' });
    assert.deepEqual(back[2]!.evidence, []);
    assert.deepEqual(back[2]!.evidenceIds, ['r-9']);
  });

  it('reads a version 1 report (evidence inline) as version 2', () => {
    const v2 = toJsonReport([spec([scenario('b', 20, [check('1-provision.created', 'fail', 21, 'x')])])], {
      runId: 'x',
      startedAt: 's',
      ms: 1,
    });
    const { exchanges, ...rest } = v2;
    const v1 = {
      ...rest,
      report: 1,
      specs: v2.specs.map((sp) => ({
        ...sp,
        scenarios: sp.scenarios.map((sc) => ({
          ...sc,
          checks: sc.checks.map((c) => ({ ...c, evidence: c.evidence.map((id) => exchanges[id]) })),
        })),
      })),
    };
    const read = parseJsonReport(JSON.stringify(v1), 'old.json');
    assert.equal(read.report, 2);
    assert.deepEqual(read.exchanges, exchanges);
    assert.deepEqual(read.specs[0]!.scenarios[0]!.checks[0]!.evidence, ['r-1']);
    const merged = mergeReports([read, v2]);
    assert.deepEqual(Object.keys(merged.exchanges), ['r-1']);
  });

  it('names what is wrong with a file that is not a report', () => {
    assert.throws(
      () => parseJsonReport('{', 'r.json'),
      (e: Error) => e instanceof ReportFormatError && /^r\.json: not JSON/.test(e.message),
    );
    assert.throws(() => parseJsonReport('{"report":3}', 'r.json'), /not a provspec report of version 1 or 2/);
    assert.throws(() => parseJsonReport('{"report":2,"runId":"x","specs":[]}', 'r.json'), /version 2 report needs "exchanges"/);
    assert.throws(() => parseJsonReport('{"report":1,"runId":"x","specs":[{"file":"a"}]}', 'r.json'), /specs\[0\] needs/);
  });
});

describe('annotations', () => {
  it('carry 1-based ranges; columns only on one line', () => {
    const c = check('2-update.department', 'fail', 4);
    const multi = { ...check('3-expect.active', 'fail', 7), range: range(7, 4, 3, 9) };
    const [a, b] = checkAnnotations([spec([scenario('mover', 2, [c, multi, check('1-provision.created', 'pass', 3)])])]);
    assert.deepEqual(
      { ...a, message: undefined },
      {
        level: 'error',
        file: 'a.provspec.yaml',
        line: 5,
        endLine: 5,
        column: 7,
        endColumn: 16,
        title: 'provspec failed: lifecycle.mover › title of 2-update.department',
        message: undefined,
        rule: 'user.create',
      },
    );
    assert.equal(a!.message, 'why 2-update.department failed\nMUST · RFC 7644 §3.3\nexpected: 201\nactual:   400');
    assert.deepEqual([b!.line, b!.endLine, b!.column, b!.endColumn], [8, 10, undefined, undefined]);
  });
});

describe('markdown summary', () => {
  it('fences server text with a fence longer than any backtick run in it', () => {
    assert.equal(fenced('a ``` b', 'text'), '````text\na ``` b\n````');
  });

  it('stays under the byte limit by cutting evidence first, then counting failures, and says so', () => {
    const big = 'x'.repeat(50_000);
    const checks = Array.from({ length: 40 }, (_, i) => check(`${i + 1}-provision.created`, 'fail', i, big));
    const input = { specs: [spec([scenario('many', 1, checks)])] };
    const full = toMarkdownSummary(input, { maxBytes: 10_000_000 });
    assert.ok(!full.includes('shortened'));
    const limited = toMarkdownSummary(input, { maxBytes: 100_000 });
    assert.ok(Buffer.byteLength(limited) <= 100_000);
    assert.match(
      limited,
      /This summary was shortened to stay under GitHub's 1 MiB limit: request and response bodies were cut to 500 characters/,
    );
    const tiny = toMarkdownSummary(input, { maxBytes: 8_000 });
    assert.ok(Buffer.byteLength(tiny) <= 8_000);
    assert.match(tiny, /failures are only counted, not shown/);
  });
});

describe('log fence', () => {
  it('wraps text in stop-commands with a fresh random end token', () => {
    const out: string[] = [];
    untrusted((t) => out.push(t), '::set-output name=passed::999\n::error::pwned');
    untrusted((t) => out.push(t), 'again');
    const [first, second] = out;
    const token = /^::stop-commands::(provspec-[0-9a-f]{32})\n/.exec(first!)?.[1];
    assert.ok(token);
    assert.ok(first!.endsWith(`\n::${token}::\n`));
    assert.ok(!second!.includes(token!), 'each block has its own token');
  });
});

describe('check run publishing', () => {
  it('sends annotations 50 per request and, when an update fails, still completes the run before reporting it', async () => {
    const { publishCheckRun } = await import('../../action/src/checks-api.ts');
    const annotation = (line: number) => ({
      level: 'error' as const,
      file: 'a.provspec.yaml',
      line,
      endLine: line,
      title: 't',
      message: 'm',
      rule: 'r',
    });
    const calls: Array<{ kind: string; body: Record<string, unknown> }> = [];
    let updates = 0;
    const client = {
      create: async (body: Record<string, unknown>) => {
        calls.push({ kind: 'create', body });
        return { id: 7 };
      },
      update: async (_id: number, body: Record<string, unknown>) => {
        calls.push({ kind: 'update', body });
        if (++updates === 1) throw Object.assign(new Error('rate limited'), { status: 403 });
      },
    };
    const options = {
      name: 'provspec',
      headSha: 'abc',
      conclusion: 'failure' as const,
      title: 't',
      summary: 's',
      annotations: Array.from({ length: 120 }, (_, i) => annotation(i + 1)),
    };
    await assert.rejects(publishCheckRun(client, options), /rate limited/);
    assert.deepEqual(
      calls.map((c) => c.kind),
      ['create', 'update', 'update'],
    );
    assert.equal((calls[0]!.body['output'] as { annotations: unknown[] }).annotations.length, 50);
    assert.deepEqual(calls[2]!.body, { status: 'completed', conclusion: 'failure' });
  });
});

describe('evidence excerpts', () => {
  const body = JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    padding: 'x'.repeat(400),
    status: '409',
    scimType: 'uniqueness',
    detail: 'emails[0].value ann@example.test is already in use',
  });
  it('cut a long body around what the check compared, not at a fixed length', () => {
    const shown = excerpt(body, 300, ['detail']);
    assert.ok(shown.length <= 302, `${shown.length} characters`);
    assert.match(shown, /"detail":"emails\[0\]\.value ann@example\.test is already in use"/);
    assert.ok(shown.startsWith('…'), 'says it starts mid-body');
  });
  it('cut from the start when the focus is not there or already shown, and leave short bodies whole', () => {
    assert.ok(excerpt(body, 300, ['nothing-like-this']).startsWith('{"schemas"'));
    assert.ok(excerpt(body, 300).endsWith('…'));
    assert.equal(excerpt('{"a":1}', 300, ['a']), '{"a":1}');
  });
  it('show it in the terminal block of a failing check', () => {
    const failed: CheckResult = {
      ...check('1-provision.created', 'fail', 4),
      focus: ['detail'],
      evidence: [
        { id: 'r-1', method: 'POST', url: 'http://127.0.0.1:1/Users', requestHeaders: {}, status: 409, responseBody: body, ms: 3 },
      ],
    };
    assert.match(
      failureBlock(fromCheck('a.provspec.yaml', scenario('joiner', 1, [failed]), failed), undefined, (_s, t) => t),
      /is already in use/,
    );
  });
});
