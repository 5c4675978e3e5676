// The HTML report in a real chromium, as a person opens it from a CI artifact: a failing run's
// report shows the failing scenario opened, its failing step marked on the timeline and its
// evidence (code frame, request and response) open; keyboard, search by request id, filters and
// a person's journey work; it asks the network for nothing; a hostile response body stays text;
// and 200 scenarios with 5,000 exchanges open without drawing what nobody opened. Screenshots go
// to test/.tmp/html-report/ (or $PROVSPEC_ARTIFACTS) and are named in the test's output.
// Needs scripts/setup-vscode-e2e.sh (skipped with the reason when missing, a failure when CI=true).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateText } from '../../core/validate/index.ts';
import { buildPlan } from '../../core/plan/plan.ts';
import { runSession } from '../../core/session/session.ts';
import { toHtml } from '../../core/report/html/page.ts';
import { HtmlTimeline } from '../../core/report/html/timeline.ts';
import type { ScenarioResult, SpecResult } from '../../core/run/result.ts';
import type { Plan } from '../../core/plan/plan.ts';
import { computeLineStarts } from '../../core/document/position.ts';
import { chromiumMissing, launchChromium, ROOT, type Browser, type Page } from '../vscode/chromium.ts';
import { withServer } from '../integration/helpers.ts';

const missing = chromiumMissing();
const inCi = process.env.CI === 'true';
const ARTIFACTS = process.env.PROVSPEC_ARTIFACTS
  ? path.join(process.env.PROVSPEC_ARTIFACTS, 'html-report')
  : path.join(ROOT, 'test', '.tmp', 'html-report');

async function open(browser: Browser, file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  return { page, problems };
}

async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

describe('the HTML report in chromium', { skip: missing && !inCi ? missing : false, timeout: 180_000 }, () => {
  let browser: Browser;
  let scratch: string;
  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'provspec-html-'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('shows a failing run: the failing step on the timeline, its evidence open, and every control working', async (t) => {
    const file = 'examples/quickstart.provspec.yaml';
    const validated = validateText(readFileSync(path.join(ROOT, file), 'utf8'), file);
    const plan = buildPlan(file, validated.document, validated.spec!);
    const html = path.join(scratch, 'run', 'report.html');
    let requestIds: string[] = [];
    await withServer(['no-location'], async (server) => {
      const session = await runSession([plan], { env: { SCIM_BASE_URL: server.baseUrl, SCIM_TOKEN: server.token }, html });
      assert.equal(session.htmlError, undefined);
      requestIds = session.results[0]!.scenarios.flatMap((s) =>
        s.checks.filter((c) => c.status === 'fail').flatMap((c) => c.evidence.map((e) => e.id)),
      );
    });
    assert.ok(requestIds.length > 0, 'the misbehaving server made failures');
    const text = readFileSync(html, 'utf8');
    assert.doesNotMatch(text, /<link|src="http|@import|url\(http/i, 'nothing to fetch');

    const { page, problems } = await open(browser, html);
    // The first failing scenario is open: its failing check, code frame and evidence are shown.
    const finding = page.locator('.finding.fail').first();
    await finding.waitFor({ state: 'visible' });
    const said = await finding.innerText();
    assert.match(said, /1-provision\.created\.location/);
    assert.match(said, /no Location header/);
    assert.match(said, /MUST · RFC 7644 §3\.3/);
    assert.match(said, /54 \|\s+- provision/, 'the code frame of the spec line');
    assert.match(said, /POST http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users → 201/, 'the decisive exchange, open');
    assert.match(said, /authorization: Bearer \[REDACTED\]/);
    // The failing step on the timeline: the bar of its exchange is marked, and the check's moment.
    const bar = page.locator(`.bar.evidence[data-id="${requestIds[0]}"]`);
    await bar.waitFor({ state: 'visible' });
    assert.ok((await page.locator('.marks .mark').count()) > 0, 'the failing check is marked on the axis');
    t.diagnostic(`screenshot: ${await screenshot(page, '1-failing-run')}`);
    // The audit trail: what the run did, each entry with its time and actor.
    await page.locator('details.audit summary').first().click();
    const audit = await page.locator('details.audit').first().innerText();
    assert.match(audit, /Audit trail: \d+ entries/);
    assert.match(audit, /deactivated\s+User [0-9a-f-]+\s+bob\+ps-/);
    assert.match(audit, /rfc7644-shaped run \w+/);

    // Keyboard: / to search; a request id opens its scenario and marks its bar.
    await page.keyboard.press('/');
    await page.keyboard.type(requestIds.at(-1)!);
    await page.locator(`.bar.hit[data-id="${requestIds.at(-1)}"]`).waitFor({ state: 'visible' });
    t.diagnostic(`screenshot: ${await screenshot(page, '2-request-id-search')}`);
    await page.locator('#search').fill('');
    await page.keyboard.press('Escape');
    // f: failed only; the arrows move between rows and Enter opens one.
    await page.keyboard.press('f');
    assert.match(await page.locator('#count').innerText(), /^3 of 7 scenarios$/);
    const visibleRows = await page.locator('tr.scenario:not(.hidden)').allInnerTexts();
    assert.ok(
      visibleRows.every((row) => /FAIL/i.test(row)),
      JSON.stringify(visibleRows),
    );
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('tr.scenario:not(.hidden)').nth(1).getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('f');
    // The status code filter: scenarios with an exchange answered 409 (the duplicate create).
    await page.locator('#code').fill('409');
    assert.match(await page.locator('#count').innerText(), /^1 of 7 scenarios$/);
    await page.locator('#code').fill('');
    // A person's journey across scenarios.
    await page.locator('#person').fill('alice');
    await page.locator('#person').press('Enter');
    const journey = await page.locator('#journey').innerText();
    assert.match(journey, /Journey of alice \(\d+ events\)/);
    assert.match(journey, /lifecycle\.joiner POST \/scim\/v2\/Users → 201/);
    assert.match(journey, /lifecycle\.mover/);
    t.diagnostic(`screenshot: ${await screenshot(page, '3-journey')}`);
    assert.deepEqual(problems, []);
  });

  it('keeps a hostile response body as text, and opens 200 scenarios of 5,000 exchanges drawing only what is open', async (t) => {
    const { html, hostileId } = syntheticReport(scratch);
    const { page, problems } = await open(browser, html);
    assert.equal(await page.locator('tr.scenario').count(), 200);
    // Only the scenario opened at load (the first failing one) is drawn: 25 bars, not 5,000.
    assert.equal(await page.locator('.bar').count(), 25);
    const evidence = await page.locator(`details.exchange[data-id="${hostileId}"]`).innerText();
    assert.match(evidence, /<img src=x onerror=/, 'the markup is shown as text');
    assert.equal(await page.evaluate<string | undefined>('document.body.dataset.pwned'), undefined, 'and never ran');
    assert.equal(await page.locator('img').count(), 0);
    await page.keyboard.press('f');
    assert.match(await page.locator('#count').innerText(), /^20 of 200 scenarios$/);
    t.diagnostic(`screenshot: ${await screenshot(page, '4-large-run')}`);
    assert.deepEqual(problems, []);
  });
});

/** A report of 200 scenarios of 25 exchanges each, every tenth failing, one response body hostile. */
function syntheticReport(dir: string): { html: string; hostileId: string } {
  const timeline = new HtmlTimeline();
  const file = 'big.provspec.yaml';
  const scenarios: ScenarioResult[] = [];
  const range = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 8 } });
  const plan = {
    file,
    scenarios: Array.from({ length: 200 }, (_, i) => ({
      section: 'lifecycle',
      name: `s${i}`,
      pointer: '',
      range: range(i),
      dialect: 'rfc7644',
    })),
  } as unknown as Plan;
  const callbacks = timeline.forPlan(plan);
  const hostileId = 'r-0-0';
  for (let i = 0; i < 200; i++) {
    const planned = plan.scenarios[i]!;
    callbacks.onScenarioStart?.(planned);
    const evidence = [];
    for (let j = 0; j < 25; j++) {
      const exchange = {
        id: `r-${i}-${j}`,
        method: 'GET',
        url: `http://127.0.0.1:1/scim/v2/Users/${i}-${j}`,
        requestHeaders: { authorization: 'Bearer [REDACTED]' },
        status: j === 0 && i % 10 === 0 ? 500 : 200,
        responseHeaders: { 'content-type': 'text/html' },
        responseBody:
          i === 0 && j === 0 ? '<img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=1</script>' : '{}',
        ms: 1,
      };
      callbacks.onExchange?.(exchange, { scenario: planned.name, step: '1-provision' });
      if (j === 0) evidence.push(exchange);
    }
    const failed = i % 10 === 0;
    const check = {
      id: '1-provision.created',
      status: failed ? ('fail' as const) : ('pass' as const),
      rule: 'user.create',
      basis: 'RFC 7644 §3.3',
      level: 'MUST' as const,
      title: 'the create answers 201 Created',
      message: failed ? 'it answered 500' : '',
      range: range(i),
      evidence: failed ? evidence : [],
    };
    callbacks.onCheck?.(check, planned);
    scenarios.push({
      section: 'lifecycle',
      name: planned.name,
      range: range(i),
      dialect: 'rfc7644',
      status: check.status,
      ms: 30,
      checks: [check],
    });
  }
  const spec: SpecResult = {
    file,
    name: 'A large run',
    runId: 'big',
    dialect: 'rfc7644',
    profile: 'rfc7644',
    baseUrl: 'http://127.0.0.1:1/scim/v2',
    status: 'fail',
    ms: 6000,
    scenarios,
    audit: [],
    orphans: [],
  };
  const html = path.join(dir, 'big.html');
  const text = Array.from({ length: 210 }, (_, i) => `line ${i}`).join('\n');
  const lineStarts = computeLineStarts(text);
  writeFileSync(
    html,
    toHtml({
      runId: 'big',
      startedAt: new Date(0).toISOString(),
      ms: 6000,
      results: [spec],
      timeline,
      sources: new Map([[file, { text, lineStarts }]]),
    }),
  );
  assert.ok(existsSync(html));
  return { html, hostileId };
}
