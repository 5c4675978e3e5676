// "Run scenario" above each scenario and "Run all" at the top; the client executes them.
import type { CodeLens } from 'vscode-languageserver-types';
import { joinPointer, spanToRange, type ParsedDocument } from '../../core/document/index.ts';

export const RUN_SCENARIO = 'provspec.runScenario';
export const RUN_FILE = 'provspec.runFile';

export function codeLenses(doc: ParsedDocument, uri: string): CodeLens[] {
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
      lenses.push({ range: spanToRange(doc, key), command: { title: '▶ Run scenario', command: RUN_SCENARIO, arguments: [uri, name] } });
    }
  }
  if (any)
    lenses.unshift({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      command: { title: '▶ Run all', command: RUN_FILE, arguments: [uri] },
    });
  return lenses;
}
