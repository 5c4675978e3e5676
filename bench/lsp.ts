// bench/lsp: a 5,000-line and a 50,000-line spec open in the language server; single-character
// edits, spaced apart, each timed from sending didChange to receiving its publishDiagnostics, then
// completion and hover in the spec's last scenario. The same edits against yaml-language-server
// (the usual way to get schema validation of YAML in editors) configured with provspec's schema,
// in the same run (fewer at 50,000 lines, where each of its edits takes seconds).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { generateSpec } from './generate-spec.ts';
import { ms, table } from './stats.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EDITS = Number(process.env['BENCH_EDITS'] ?? 200);
const SIZES = [5000, 50_000];
/** Requests of each kind (completion, hover) timed per size. */
const QUERIES = Number(process.env['BENCH_QUERIES'] ?? 100);

interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

interface Timings extends Percentiles {
  /** For our server: completion and hover in the last scenario. */
  completion?: Percentiles;
  hover?: Percentiles;
  diagnostics: number;
  /** What the server said about a spec with a misspelt key: proof it applies the schema. */
  probe: string;
}

function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}

async function measure(
  command: string[],
  settings: unknown,
  languageId: string,
  size: number,
  edits: number,
  queries: number,
): Promise<Timings> {
  const child = spawn(process.execPath, command, { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  let waiting: ((params: PublishDiagnosticsParams) => void) | undefined;
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => waiting?.(params));
  // yaml-language-server asks the client for its settings.
  connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) =>
    params.items.map((item) => (item.section === 'yaml' ? (settings as { yaml: unknown }).yaml : null)),
  );
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(ROOT).toString(),
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
    workspaceFolders: [{ uri: pathToFileURL(ROOT).toString(), name: 'provspec' }],
  });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('workspace/didChangeConfiguration', { settings });

  // First prove the server applies the schema at all: a spec with a misspelt top-level key.
  const probeUri = pathToFileURL(path.join(ROOT, 'bench', 'probe.provspec.yaml')).toString();
  const probed = new Promise<PublishDiagnosticsParams>(
    (resolve) => (waiting = (p) => p.uri === probeUri && p.diagnostics.length > 0 && resolve(p)),
  );
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: probeUri, languageId, version: 1, text: 'provspec: 1\nname: probe\nidentitees: {}\n' },
  });
  const probe = await Promise.race([probed, sleep(10_000).then(() => undefined)]);

  const { yaml } = generateSpec(size);
  const uri = pathToFileURL(path.join(ROOT, 'bench', 'big.provspec.yaml')).toString();
  const next = () => new Promise<PublishDiagnosticsParams>((resolve) => (waiting = (p) => p.uri === uri && resolve(p)));
  let pending = next();
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: yaml } });
  const opened = await pending;
  // The edit: flip a letter in the spec's name (a valid edit that changes the text each time).
  const lines = yaml.split('\n');
  const line = lines.findIndex((l) => l.startsWith('name:'));
  const samples: number[] = [];
  for (let i = 0; i < edits; i++) {
    await sleep(15); // spaced: each edit is a lone edit, not part of a burst
    pending = next();
    const started = performance.now();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: { line, character: 6 }, end: { line, character: 7 } }, text: i % 2 ? 'G' : 'g' }],
    });
    await pending;
    samples.push(performance.now() - started);
  }
  // Completion of a step and hover on one, in the last scenario (the end of the file).
  const step = lines.findLastIndex((l) => l.trim() === '- provision');
  const position = { line: step, character: lines[step]!.indexOf('provision') + 2 };
  const time = async (method: string, params: unknown) => {
    const out: number[] = [];
    for (let i = 0; i < queries; i++) {
      const started = performance.now();
      await connection.sendRequest(method, params);
      out.push(performance.now() - started);
    }
    return percentiles(out);
  };
  const completion = queries ? await time('textDocument/completion', { textDocument: { uri }, position }) : undefined;
  const hover = queries ? await time('textDocument/hover', { textDocument: { uri }, position }) : undefined;
  await connection.sendRequest('shutdown').catch(() => undefined);
  await connection.sendNotification('exit').catch(() => undefined);
  connection.dispose();
  child.kill();
  return {
    ...percentiles(samples),
    ...(completion ? { completion } : {}),
    ...(hover ? { hover } : {}),
    diagnostics: opened.diagnostics.length,
    probe: probe?.diagnostics.map((d) => d.message).join(' / ') ?? 'none within 10 s',
  };
}

export async function benchLsp(): Promise<void> {
  const schema = pathToFileURL(path.join(ROOT, 'schemas', 'provspec.schema.json')).toString();
  const ylsSettings = {
    yaml: {
      validate: true,
      schemas: { [schema]: '*.provspec.yaml' },
      schemaStore: { enable: false },
      format: { enable: false },
      hover: false,
      completion: false,
    },
  };
  for (const size of SIZES) {
    // yaml-language-server re-validates 50,000 lines in seconds: fewer edits keep the bench in minutes.
    const ylsEdits = size > 10_000 ? Math.min(EDITS, 20) : EDITS;
    const ours = await measure([path.join(ROOT, 'dist', 'server.js'), '--stdio'], {}, 'provspec', size, EDITS, QUERIES);
    const yls = await measure(
      [path.join(ROOT, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'],
      ylsSettings,
      'yaml',
      size,
      ylsEdits,
      0,
    );
    console.log(`\nbench/lsp: a ${size}-line spec, spaced single-character edits, didChange → publishDiagnostics\n`);
    console.log(
      table([
        ['server', 'edits', 'p50', 'p95', 'max', 'ratio (p95)'],
        ['provspec language server', String(EDITS), ms(ours.p50), ms(ours.p95), ms(ours.max), `${(yls.p95 / ours.p95).toFixed(1)}x faster`],
        ['yaml-language-server + provspec schema', String(ylsEdits), ms(yls.p50), ms(yls.p95), ms(yls.max), '1.0x'],
      ]),
    );
    if (ours.completion && ours.hover)
      console.log(
        `\nprovspec, ${QUERIES} requests each in the last scenario: completion p50 ${ms(ours.completion.p50)}, ` +
          `p95 ${ms(ours.completion.p95)}; hover p50 ${ms(ours.hover.p50)}, p95 ${ms(ours.hover.p95)}`,
      );
    console.log(
      `(provspec also runs its semantic rules; yaml-language-server checks the JSON Schema only. Diagnostics on ` +
        `opening the valid spec: provspec ${ours.diagnostics}, yaml-language-server ${yls.diagnostics}.)`,
    );
    console.log(`Schema applied? A misspelt key gets, from provspec: ${ours.probe}; from yaml-language-server: ${yls.probe}`);
  }
}

if (import.meta.main) await benchLsp();
