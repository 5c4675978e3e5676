// VS Code's Test Explorer: specs → scenarios → steps, from the language server's outline (the
// same document model as the diagnostics), run through the extension's own run (environment
// file, trace) one spec at a time. A scenario's result is the server's: passed, failed with each
// finding at its spec line, its duration; a lifecycle step fails when a finding is one of its
// checks. The run's report (failures with their exchanges) is the run's output.
import * as vscode from 'vscode';
import type { RunResponse, ScenarioOutcome } from '../../server/protocol.ts';

const SECTIONS = new Set(['lifecycle', 'negative', 'concurrency', 'load']);

/** Runs scenarios of a spec (all when none are named), or undefined when it could not (said elsewhere). */
export type RunScenarios = (document: vscode.TextDocument, scenarios: string[] | undefined) => Promise<RunResponse | undefined>;

export function registerTests(context: vscode.ExtensionContext, specGlob: string, runScenarios: RunScenarios): vscode.TestController {
  const controller = vscode.tests.createTestController('provspec', 'provspec');
  context.subscriptions.push(controller);

  const fileItem = (uri: vscode.Uri): vscode.TestItem => {
    const existing = controller.items.get(uri.toString());
    if (existing) return existing;
    const item = controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
    item.canResolveChildren = true;
    controller.items.add(item);
    return item;
  };

  /** A spec's scenarios and their steps, from the server's document symbols. */
  const resolveFile = async (item: vscode.TestItem): Promise<void> => {
    if (!item.uri) return;
    const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', item.uri)) ?? [];
    const scenarios: vscode.TestItem[] = [];
    for (const section of symbols.filter((s) => SECTIONS.has(s.name))) {
      for (const scenario of section.children) {
        const child = controller.createTestItem(`${item.id}#${section.name}.${scenario.name}`, scenario.name, item.uri);
        child.range = scenario.selectionRange;
        child.description = section.name;
        child.children.replace(
          scenario.children.map((step, i) => {
            const stepItem = controller.createTestItem(`${child.id}/${i + 1}`, `${i + 1}. ${step.name}`, item.uri);
            stepItem.range = step.selectionRange;
            return stepItem;
          }),
        );
        scenarios.push(child);
      }
    }
    item.children.replace(scenarios);
  };

  controller.resolveHandler = async (item) => {
    if (item) return resolveFile(item);
    for (const uri of await vscode.workspace.findFiles(specGlob, '**/node_modules/**')) fileItem(uri);
  };
  controller.refreshHandler = async () => {
    controller.items.replace([]);
    for (const uri of await vscode.workspace.findFiles(specGlob, '**/node_modules/**')) await resolveFile(fileItem(uri));
  };

  // A spec's tree follows its text (on save) and the workspace's files.
  const watcher = vscode.workspace.createFileSystemWatcher(specGlob);
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate((uri) => fileItem(uri)),
    watcher.onDidDelete((uri) => controller.items.delete(uri.toString())),
    vscode.workspace.onDidSaveTextDocument((document) => {
      const item = controller.items.get(document.uri.toString());
      if (item) void resolveFile(item);
    }),
  );

  const runHandler = async (request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> => {
    const run = controller.createTestRun(request);
    // What was asked for, by spec: the whole spec (its file item) or some of its scenarios.
    const bySpec = new Map<string, { file: vscode.TestItem; scenarios: vscode.TestItem[] | undefined }>();
    const asked: vscode.TestItem[] = request.include ? [...request.include] : [];
    if (!request.include) controller.items.forEach((item) => asked.push(item));
    for (const item of asked) {
      const file = item.parent?.parent ?? item.parent ?? item;
      const scenario = item === file ? undefined : (item.parent === file ? item : item.parent)!;
      if (!file.children.size) await resolveFile(file);
      const entry = bySpec.get(file.id) ?? { file, scenarios: [] as vscode.TestItem[] | undefined };
      if (!scenario) entry.scenarios = undefined;
      else if (entry.scenarios && !entry.scenarios.includes(scenario)) entry.scenarios.push(scenario);
      bySpec.set(file.id, entry);
    }
    for (const { file, scenarios } of bySpec.values()) {
      if (token.isCancellationRequested || !file.uri) break;
      const all: vscode.TestItem[] = scenarios ?? [];
      if (!scenarios) file.children.forEach((c) => all.push(c));
      const items = all.filter((i) => !request.exclude?.includes(i));
      for (const item of items) run.started(item);
      const document = await vscode.workspace.openTextDocument(file.uri);
      const response = await runScenarios(
        document,
        items.map((i) => i.label),
      );
      if (!response) {
        for (const item of items) run.errored(item, new vscode.TestMessage('provspec could not run this spec (see the provspec output).'));
        continue;
      }
      run.appendOutput(`${response.text.replace(/\r?\n/g, '\r\n')}\r\n`);
      const outcomes = new Map((response.scenarios ?? []).map((o) => [o.name, o]));
      for (const item of items) report(run, item, document, outcomes.get(item.label));
    }
    run.end();
  };
  controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, runHandler, true);
  return controller;
}

/** One scenario's outcome onto its item and its steps' items. */
function report(run: vscode.TestRun, item: vscode.TestItem, document: vscode.TextDocument, outcome: ScenarioOutcome | undefined): void {
  if (!outcome) {
    run.skipped(item);
    return;
  }
  // Warnings do not fail a test (as in JUnit); failed and errored checks do, each at its line.
  const failing = outcome.findings
    .filter((f) => f.status !== 'warn')
    .map((f) => {
      const message = new vscode.TestMessage(`${f.id}: ${f.message}`);
      message.location = new vscode.Location(document.uri, new vscode.Position(f.line, f.character));
      return { id: f.id, message };
    });
  const messages = failing.map((f) => f.message);
  item.children.forEach((step) => {
    // A lifecycle check's id starts with its step: "3-deactivate.active" is step 3's.
    const index = step.id.slice(step.id.lastIndexOf('/') + 1);
    const own = failing.filter((f) => f.id.startsWith(`${index}-`)).map((f) => f.message);
    if (outcome.status === 'skipped') run.skipped(step);
    else if (own.length) run.failed(step, own);
    else run.passed(step);
  });
  if (outcome.status === 'skipped') run.skipped(item);
  else if (messages.length) run.failed(item, messages, outcome.ms);
  else run.passed(item, outcome.ms);
}
