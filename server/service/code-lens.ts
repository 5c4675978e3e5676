// "Run scenario" above each scenario and "Run all" at the top. They name the server's own
// commands (workspace/executeCommand), which any LSP client can send; the VS Code extension
// asks for its commands instead (initializationOptions.clientRunCommands), which add its output
// channel, environment file and Test Explorer.
import type { CodeLens } from 'vscode-languageserver-types';
import { joinPointer, spanToRange, type ParsedDocument } from '../../core/document/index.ts';

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

export function codeLenses(doc: ParsedDocument, uri: string, commands: RunCommands = SERVER_COMMANDS): CodeLens[] {
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
      lenses.push({
        range: spanToRange(doc, key),
        command: { title: '▶ Run scenario', command: commands.scenario, arguments: [uri, name] },
      });
    }
  }
  if (any)
    lenses.unshift({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      command: { title: '▶ Run all', command: commands.file, arguments: [uri] },
    });
  return lenses;
}
