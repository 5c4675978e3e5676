// The extension in a real VS Code: code-server with the packaged .vsix installed, driven through
// chromium like a person would. A broken spec shows its squiggle and its Problems row (our code,
// message and position); typing the fix clears both; hover and the Run lenses come from our
// server, and a lens click runs the scenario against a real SCIM server with the variables of the
// workspace's .env; Open trace shows that run's trace and Validate sums up the workspace's specs.
// Ctrl+Space offers a key only our schema knows (with its description), and a Quick Fix
// ("Change to "alice"") repairs a did-you-mean mistake, saved to disk. Screenshots of the key
// moments go to test/.tmp/vscode/ (or $PROVSPEC_ARTIFACTS) and are named in the test's output.
// Negative controls: a YAML file that is not a spec gets nothing, and the same
// workspace in a VS Code without the extension shows no squiggle and no provspec completion.
// Needs scripts/setup-vscode-e2e.sh (skipped with the reason when missing, a failure when CI=true,
// unless the script recorded why this machine cannot install them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startReferenceServer } from '../../reference/index.ts';
import { openSession, ROOT, toolsMissing, toolsUnavailable, type Page, type Session } from './code-server.ts';
import { packagedVsix } from '../e2e/vsix.ts';

const missing = toolsMissing();
const inCi = process.env.CI === 'true';
// The set-up script tried and this machine could not install the tools: skipped, with its reason.
const unavailable = missing ? toolsUnavailable() : undefined;

const QUICKSTART = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');
const BROKEN = QUICKSTART.replace('identity: alice', 'identity: alcie'); // line 52, column 15
const MODELINE = QUICKSTART.split('\n')[0]!;
assert.match(MODELINE, /^# yaml-language-server: \$schema=.*provspec\.schema\.json$/);
const NOT_A_SPEC = BROKEN.replace(`${MODELINE}\n`, ''); // same text, but no name or modeline makes it a spec

/** The broken spec as JSON, copied from a folder whose schema it still names: `$schema` resolves to nothing. */
const COPIED_JSON = `${JSON.stringify({ $schema: '../../elsewhere/schemas/provspec.schema.json', ...parseYaml(BROKEN) }, null, 2)}\n`;

const ARTIFACTS = process.env.PROVSPEC_ARTIFACTS || path.join(ROOT, 'test', '.tmp', 'vscode');

const ms = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Every file under a folder (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** A JSON syntax error: what VS Code's built-in JSON features underline, the cold-start baseline. */
const BROKEN_JSON = '{\n  "name": "x",\n  "items": [1, 2,, 3]\n}\n';
/** Click to first diagnostic, in ms, of provspec (first test) and of VS Code's JSON (second); `own`: from
 * loading provspec's bundle to its first diagnostics, as the extension measured it. */
const coldStart: { provspec?: number; json?: number; own?: number } = {};

async function openFromExplorer(page: Page, name: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: name }).first().click();
  await page.locator('.tabs-container .tab.active').filter({ hasText: name }).waitFor({ state: 'visible' });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

async function goTo(page: Page, lineColumn: string): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').first().waitFor({ state: 'visible' });
  await page.keyboard.type(lineColumn);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').first().waitFor({ state: 'hidden' });
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').first().waitFor({ state: 'visible' });
  await page.keyboard.type(title);
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').first().waitFor({ state: 'hidden' });
}

/** Opens the Problems panel unless it is open (Ctrl+Shift+M on an open, focused panel closes it). */
async function showProblems(page: Page): Promise<void> {
  if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor({ state: 'visible' });
}

async function problems(page: Page): Promise<string[]> {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

/** A PNG of the whole page into ARTIFACTS; returns its path. */
async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Ctrl+Space at the cursor until the suggest widget lists `label` (again every 3 s in case a busy workbench dropped it). */
async function suggestUntil(page: Page, label: string, ms: number): Promise<void> {
  let tries = 0;
  await until(`the suggestion ${label}`, ms, async () => {
    const rows = await page.locator('.suggest-widget .monaco-list-row').allInnerTexts();
    if (rows.some((r) => r.includes(label))) return undefined;
    if (tries++ % 12 === 0) {
      // Ctrl+Space in an open widget toggles its details instead of asking again: close it first.
      if (tries > 1) await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Space');
    }
    return JSON.stringify(rows);
  });
}

/** Polls until `check` holds (it returns a message while it does not), within `ms`. */
async function until(what: string, ms: number, check: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + ms;
  let last: string | undefined;
  for (;;) {
    last = await check();
    if (last === undefined) return;
    if (Date.now() > deadline) assert.fail(`${what} within ${ms / 1000} s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const skip = unavailable ? `the tools could not be installed on this machine: ${unavailable}` : missing && !inCi ? missing : false;

describe('the extension in a real VS Code (code-server + chromium)', { skip, timeout: 420_000 }, () => {
  let scratch: string;
  let vsix: string;

  before(() => {
    if (missing) assert.fail(`CI=true, and the real VS Code test cannot run: ${missing}`);
    scratch = mkdtempSync(path.join(tmpdir(), 'provspec-vscode-test-'));
    vsix = packagedVsix();
  });
  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it(
    'shows our diagnostic as a squiggle and in Problems, clears it when the fix is typed, hovers, completes, ' +
      'quick-fixes, and runs a scenario from its lens',
    async (t) => {
      const scim = await startReferenceServer({});
      let session: Session | undefined;
      const started = performance.now();
      try {
        session = await openSession({
          vsix,
          settings: { 'provspec.trace.server': 'messages' },
          files: {
            'broken.provspec.yaml': BROKEN,
            'notes.yaml': NOT_A_SPEC,
            'modeline.yaml': BROKEN,
            '.env': `# read through provspec.run.envFile (default .env)\nSCIM_BASE_URL=${scim.baseUrl}\nSCIM_TOKEN="${scim.token}"\n`,
          },
        });
        const { page } = session;
        process.stderr.write(`# workbench loaded after ${ms(started)}\n`);

        // The squiggle, on our spec, in our language: from the click to the first diagnostic is
        // provspec's cold start (activation, server start, initialize, first validation).
        const clicked = performance.now();
        await openFromExplorer(page, 'broken.provspec.yaml');
        await goTo(page, '52:15'); // the editor draws only the lines in view: the error's line first
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 90_000 });
        coldStart.provspec = performance.now() - clicked;
        process.stderr.write(`# squiggle after ${ms(started)} (${(coldStart.provspec / 1000).toFixed(2)} s from the click)\n`);
        assert.match(await page.locator('.statusbar').innerText(), /\bprovspec\b/, 'the status bar names the language provspec');
        // provspec.trace.server alone traces the protocol, into its own output channel (a file in the logs).
        await until('the protocol trace', 20_000, async () => {
          const logs = path.join(path.dirname(session!.workspace), 'user-data', 'logs');
          const traced = filesUnder(logs).filter((f) => f.includes('provspec language server (trace)'));
          const text = traced.map((f) => readFileSync(f, 'utf8')).join('\n');
          return /Received notification 'textDocument\/publishDiagnostics'/.test(text)
            ? undefined
            : `${traced.length} trace file(s): ${text.slice(0, 200)}`;
        });
        assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 1, 'exactly one error squiggle');
        // provspec's own share of that cold start, as the extension measured it (its "provspec" channel).
        await until("the extension's start-up figures", 20_000, async () => {
          const logs = path.join(path.dirname(session!.workspace), 'user-data', 'logs');
          const text = filesUnder(logs)
            .filter((f) => /-provspec\.log$/.test(f))
            .map((f) => readFileSync(f, 'utf8'))
            .join('\n');
          const started = /provspec: started in (\d+) ms \(.*\)/.exec(text);
          const first = /provspec: first diagnostics (\d+) ms after loading/.exec(text);
          if (!started || !first) return text.slice(0, 300) || '(no provspec channel yet)';
          coldStart.own = Number(first[1]);
          process.stderr.write(`# ${started[0]}; first diagnostics ${first[1]} ms after loading\n`);
          return undefined;
        });

        // The Problems panel: our message, source, code and position.
        await page.keyboard.press('Control+Shift+M');
        await page.locator('.markers-panel .monaco-list-row').first().waitFor({ state: 'visible' });
        await until('the Problems row for unknown-identity', 20_000, async () => {
          const rows = await problems(page);
          const row = rows.find((r) => r.includes('Unknown identity "alcie"'));
          if (!row) return JSON.stringify(rows);
          for (const part of ['Did you mean "alice"?', 'provspec', 'unknown-identity', '[Ln 52, Col 15]'])
            if (!row.includes(part)) return `${part} missing from ${JSON.stringify(row)}`;
          return undefined;
        });
        assert.equal((await problems(page)).filter((r) => r.includes('unknown-identity')).length, 1);
        const shots = [await screenshot(page, '1-diagnostic')];

        // Hover comes from our server: the SCIM attribute behind a mapping key.
        await goTo(page, '27:3');
        let showHover = 0;
        await until('the hover for userName', 20_000, async () => {
          const hovers = await page.locator('.monaco-hover').allInnerTexts();
          if (hovers.some((h) => h.includes('Unique identifier for the User') && h.includes('readWrite'))) return undefined;
          // "Show or Focus Hover" at the cursor; again every 3 s in case a busy workbench dropped it.
          if (showHover++ % 12 === 0) {
            await page.keyboard.press('Control+K');
            await page.keyboard.press('Control+I');
          }
          return JSON.stringify(hovers);
        });
        await page.keyboard.press('Escape');

        // The fix, typed: the squiggle and the Problems row go.
        await goTo(page, '52:15');
        await page.keyboard.press('Shift+End');
        await page.keyboard.type('alice');
        await page.locator('.view-line').filter({ hasText: 'identity: alice' }).first().waitFor({ state: 'visible' });
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 20_000 });
        await until('the Problems row to go', 20_000, async () => {
          const rows = await problems(page);
          return rows.some((r) => r.includes('unknown-identity')) ? JSON.stringify(rows) : undefined;
        });
        process.stderr.write(`# fixed after ${ms(started)}\n`);

        // Completion: under `target:` (line 13 is blank), Ctrl+Space offers allowedOrigins, a key only
        // our schema has, with its description in the details; accepting it inserts our snippet.
        await goTo(page, '13:1');
        await page.keyboard.type('  allow');
        await suggestUntil(page, 'allowedOrigins', 20_000);
        const details = page.locator('.monaco-editor .suggest-details').first();
        if (!(await details.isVisible())) await page.keyboard.press('Control+Space'); // "Read More": the focused item's documentation
        await until('the description of allowedOrigins in the suggestion details', 10_000, async () => {
          const text = (await details.isVisible()) ? await details.innerText() : '(details hidden)';
          return text.includes('The only origins the credential is ever sent to') ? undefined : text;
        });
        shots.push(await screenshot(page, '2-completion'));
        await page.keyboard.press('Enter');
        await page.locator('.view-line').filter({ hasText: 'allowedOrigins: []' }).first().waitFor({ state: 'visible', timeout: 10_000 });
        await page.keyboard.press('Escape'); // leave the snippet
        await goTo(page, '13:1');
        await page.keyboard.press('Shift+End');
        await page.keyboard.press('Backspace');
        await page.locator('.view-line').filter({ hasText: 'allowedOrigins' }).first().waitFor({ state: 'detached', timeout: 10_000 });
        process.stderr.write(`# completion after ${ms(started)}\n`);

        // Negative control: the same broken text in a YAML file that is no spec gets nothing from us…
        await openFromExplorer(page, 'notes.yaml');
        await goTo(page, '51:15');
        assert.doesNotMatch(await page.locator('.statusbar').innerText(), /\bprovspec\b/, 'notes.yaml is plain YAML');
        await page.waitForTimeout(5000); // after the spec's diagnostics came in well under a second
        assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 0, 'no squiggle in notes.yaml');
        assert.ok(!(await problems(page)).some((r) => r.includes('unknown-identity')), 'no provspec problem for notes.yaml');
        // …while a YAML file whose modeline names the provspec schema is served like a spec.
        await openFromExplorer(page, 'modeline.yaml');
        await goTo(page, '52:15');
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 20_000 });
        await until('the Problems row for modeline.yaml', 20_000, async () => {
          const rows = await problems(page);
          return rows.some((r) => r.includes('modeline.yaml')) && rows.some((r) => r.includes('unknown-identity'))
            ? undefined
            : JSON.stringify(rows);
        });

        // Quick Fix on `alcie`: our "Change to "alice"" repairs the line, the squiggle and the
        // Problems row go, and Ctrl+S writes exactly the original quickstart.
        let quickFix = 0;
        const fix = page.locator('.action-widget .monaco-list-row').filter({ hasText: 'Change to "alice"' }).first();
        await until('the Quick Fix "Change to "alice""', 20_000, async () => {
          if (await fix.isVisible()) return undefined;
          if (quickFix++ % 12 === 0) {
            if (quickFix > 1) await page.keyboard.press('Escape');
            await page.keyboard.press('Control+.');
          }
          return JSON.stringify(await page.locator('.action-widget .monaco-list-row').allInnerTexts());
        });
        await fix.click();
        await page
          .locator('.editor-group-container.active .view-line')
          .filter({ hasText: 'identity: alcie' })
          .first()
          .waitFor({ state: 'detached', timeout: 10_000 });
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 20_000 });
        await until('the Problems row for modeline.yaml to go', 20_000, async () => {
          const rows = await problems(page);
          return rows.some((r) => r.includes('unknown-identity')) ? JSON.stringify(rows) : undefined;
        });
        shots.push(await screenshot(page, '3-quick-fixed'));
        await page.keyboard.press('Control+S');
        await until('modeline.yaml saved with the fix', 10_000, async () => {
          const saved = readFileSync(path.join(session!.workspace, 'modeline.yaml'), 'utf8');
          return saved === QUICKSTART ? undefined : saved.split('\n')[51];
        });
        process.stderr.write(`# quick fix after ${ms(started)}\n`);
        t.diagnostic(`screenshots: ${shots.join(', ')}`);

        // "▶ Run scenario" above `joiner` in the fixed spec: the run goes through our server to the
        // SCIM server named in .env, and the report comes back in the "provspec" output channel.
        await openFromExplorer(page, 'broken.provspec.yaml');
        await goTo(page, '50:1');
        const lens = page.locator('.codelens-decoration a').filter({ hasText: 'Run scenario' }).first();
        await lens.waitFor({ state: 'visible', timeout: 20_000 });
        await lens.click();
        await until('the run report in the provspec output channel', 60_000, async () => {
          const output = await page
            .locator('.panel .output-view .view-lines, .panel [id="workbench.panel.output"] .view-lines')
            .allInnerTexts();
          const text = output.join('\n').replace(/\u00a0/g, ' ');
          return /lifecycle\.joiner/.test(text) && /1 of 1 scenarios? passed/.test(text)
            ? undefined
            : text.slice(-800) || '(no output yet)';
        });
        const notifications = (await page.locator('.notifications-toasts').allInnerTexts()).join('\n');
        assert.match(notifications, /provspec: all \d+ checks passed/);
        const output = (await page.locator('.panel .output-view .view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
        assert.doesNotMatch(output, /lifecycle\.mover|lifecycle\.leaver/, 'only the scenario of the lens ran');
        assert.ok(!output.includes(scim.token), 'the token is not shown');
        process.stderr.write(`# scenario run after ${ms(started)}\n`);

        // The other commands, from the command palette: Open trace shows the run's NDJSON trace…
        await runCommand(page, 'provspec: Open trace');
        await page
          .locator('.tabs-container .tab.active')
          .filter({ hasText: 'last-run.trace.ndjson' })
          .waitFor({ state: 'visible', timeout: 20_000 });
        await until('the trace in the editor', 20_000, async () => {
          const text = (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(
            /\u00a0/g,
            ' ',
          );
          return /"type":"exchange"/.test(text) && /"scenario":"joiner"/.test(text) ? undefined : text.slice(0, 400);
        });
        // …and Validate checks every spec of the workspace (one, now valid).
        await runCommand(page, 'provspec: Validate');
        await until('the validation summary', 20_000, async () => {
          const toasts = (await page.locator('.notifications-toasts').allInnerTexts()).join('\n');
          return /provspec: 1 spec\(s\) validated, 0 error\(s\), 0 warning\(s\)/.test(toasts) ? undefined : toasts || '(no notification)';
        });

        // The Test Explorer lists the spec and runs its scenarios: the spec's row turns passed.
        await runCommand(page, 'Focus on Test Explorer View');
        const explorer = page.locator('.test-explorer');
        await explorer
          .locator('.monaco-list-row')
          .filter({ hasText: 'broken.provspec.yaml' })
          .first()
          .waitFor({ state: 'visible', timeout: 30_000 });
        await runCommand(page, 'Run All Tests');
        await until('a passed spec in the Test Explorer', 60_000, async () => {
          const row = explorer.locator('.monaco-list-row').filter({ hasText: 'broken.provspec.yaml' }).first();
          return (await row.locator('.codicon-testing-passed-icon').count()) > 0 ? undefined : await row.innerText();
        });
        process.stderr.write(`# test explorer run after ${ms(started)}\n`);
        t.diagnostic(`screenshot: ${await screenshot(page, '4-test-explorer')}`);

        // A JSON spec copied from elsewhere, its relative `$schema` dead: language provspec-json,
        // served by our server alone, so VS Code's JSON service never tries that `$schema` (the
        // negative control shows the "Unable to load schema" warning it gives a plain .json).
        writeFileSync(path.join(session.workspace, 'copied.provspec.json'), COPIED_JSON);
        await page.keyboard.press('Control+Shift+E'); // back from the Testing view to the Explorer
        await page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'copied.provspec.json' }).first().waitFor();
        await openFromExplorer(page, 'copied.provspec.json');
        assert.match(
          await page.locator('.statusbar').innerText(),
          /provspec \(JSON\)/,
          'the status bar names the language provspec (JSON)',
        );
        await showProblems(page);
        await until('the Problems row for copied.provspec.json', 30_000, async () => {
          const rows = await problems(page);
          return rows.some((r) => r.includes('copied.provspec.json')) && rows.some((r) => r.includes('Unknown identity "alcie"'))
            ? undefined
            : JSON.stringify(rows);
        });
        assert.ok(!(await problems(page)).some((r) => /Unable to load schema/.test(r)), 'no warning about the dead $schema');
        process.stderr.write(`# json spec after ${ms(started)}\n`);
      } catch (error) {
        if (session) {
          const shot = await screenshot(session.page, `failure-${Date.now()}`).catch(() => '(none)');
          throw new Error(`${(error as Error).message}\n(screenshot: ${shot})\ncode-server log (tail):\n${session.log().slice(-3000)}`, {
            cause: error,
          });
        }
        throw error;
      } finally {
        await session?.close();
        await scim.close();
      }
    },
  );

  it('negative control: without the extension, the same broken spec shows no squiggle', async () => {
    const session = await openSession({
      files: { 'broken.provspec.yaml': BROKEN, 'broken.json': BROKEN_JSON, 'copied.provspec.json': COPIED_JSON },
    });
    try {
      const { page } = session;
      // The baseline for provspec's cold start, in a fresh editor too: VS Code's own JSON language
      // features, from the click on a broken .json file to its first squiggle.
      const clicked = performance.now();
      await openFromExplorer(page, 'broken.json');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 90_000 });
      coldStart.json = performance.now() - clicked;
      if (coldStart.provspec !== undefined)
        process.stderr.write(
          `# cold start, click to first diagnostic: provspec ${(coldStart.provspec / 1000).toFixed(2)} s, ` +
            `VS Code's JSON ${(coldStart.json / 1000).toFixed(2)} s (${(coldStart.provspec / coldStart.json).toFixed(2)}x); ` +
            `provspec's own share ${((coldStart.own ?? Number.NaN) / 1000).toFixed(2)} s\n`,
        );
      // A copied JSON spec with a dead `$schema` is plain JSON here: VS Code's JSON service warns.
      await openFromExplorer(page, 'copied.provspec.json');
      await showProblems(page);
      await until('VS Code warning about the dead $schema', 30_000, async () => {
        const rows = await problems(page);
        return rows.some((r) => /Unable to load schema/.test(r)) ? undefined : JSON.stringify(rows);
      });
      await openFromExplorer(page, 'broken.provspec.yaml');
      await goTo(page, '52:15');
      await page.locator('.view-line').filter({ hasText: 'identity: alcie' }).first().waitFor({ state: 'visible' });
      await page.waitForTimeout(8000);
      assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 0);
      await showProblems(page);
      await page.waitForTimeout(500);
      assert.ok(!(await problems(page)).some((r) => r.includes('unknown-identity')));
      // …and Ctrl+Space under `target:` offers no allowedOrigins (at most words of the file).
      await goTo(page, '13:1');
      await page.keyboard.type('  allow');
      await page.keyboard.press('Control+Space');
      await page.waitForTimeout(2000);
      assert.ok(!(await page.locator('.suggest-widget .monaco-list-row').allInnerTexts()).some((r) => r.includes('allowedOrigins')));
    } finally {
      await session.close();
    }
  });
});
