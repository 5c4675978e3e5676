// "Run scenario" above each scenario and "Run all" at the top. They name the server's own
// commands (workspace/executeCommand), which any LSP client can send; the VS Code extension
// asks for its commands instead (initializationOptions.clientRunCommands), which add its output
// channel, environment file and Test Explorer.
import type { CodeLens } from 'vscode-languageserver-types';
import { joinPointer, spanToRange, type ParsedDocument } from '../../core/document/index.ts';
import type { ScenarioOutcome } from '../protocol.ts';

export interface RunCommands {
  scenario: string;
  file: string;
}

/** Run by the server, for any client. Ids apart from the extension's: vscode-languageclient registers a server's commands as its own. */
export const SERVER_COMMANDS: RunCommands = { scenario: 'provspec.server.runScenario', file: 'provspec.server.runFile' };
/** Run by the VS Code extension. */
export const CLIENT_COMMANDS: RunCommands = { scenario: 'provspec.runScenario', file: 'provspec.runFile' };
export const RUN_SCENARIO = CLIENT_COMMANDS.scenario;
export const RUN_FILE = CLIENT_COMMANDS.file;

export type { ScenarioOutcome };

/** `✔ 21 checks · 0.4 s`, `✖ 2 of 32 failed · 0.4 s`. */
export function outcomeTitle(outcome: ScenarioOutcome): string {
  const time = `${(outcome.ms / 1000).toFixed(1)} s`;
  if (outcome.status === 'skipped') return `- skipped · ${time}`;
  if (outcome.failed) return `✖ ${outcome.failed} of ${outcome.checks} failed · ${time}`;
  return `${outcome.status === 'pass' ? '✔' : '▲'} ${outcome.checks} checks · ${time}`;
}

/**
 * The lenses: run all, run each scenario, and beside a scenario that ran since the file last
 * changed, its result (which runs it again).
 */
export function codeLenses(
  doc: ParsedDocument,
  uri: string,
  commands: RunCommands = SERVER_COMMANDS,
  outcomes: ReadonlyMap<string, ScenarioOutcome> = new Map(),
): CodeLens[] {
  const spec = doc.value as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') return [];
  const lenses: CodeLens[] = [];
  let any = false;
  for (const section of ['lifecycle', 'negative', 'concurrency', 'load'] as const) {
    const scenarios = spec[section];
    if (typeof scenarios !== 'object' || scenarios === null) continue;
    for (const name of Object.keys(scenarios)) {
      const key = doc.locations.get(joinPointer(`/${section}`, name))?.key;
      if (!key) continue;
      any = true;
      const range = spanToRange(doc, key);
      lenses.push({ range, command: { title: '▶ Run scenario', command: commands.scenario, arguments: [uri, name] } });
      const outcome = outcomes.get(name);
      if (outcome) lenses.push({ range, command: { title: outcomeTitle(outcome), command: commands.scenario, arguments: [uri, name] } });
    }
  }
  if (any)
    lenses.unshift({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      command: { title: '▶ Run all', command: commands.file, arguments: [uri] },
    });
  return lenses;
}
