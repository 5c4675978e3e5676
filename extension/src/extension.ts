/// <reference types="vscode" />
// The VS Code side of provspec, kept thin: it starts the bundled language server (dist/server.js)
// and turns commands into requests to it. What a spec means (diagnostics, completion, hover, quick
// fixes, code lenses, runs) is the server's business, the same server `provspec lsp` starts.
import { loadStarted } from './load-start.ts';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunRequest, RunResponse } from '../../server/protocol.ts';
import { parseEnvFile } from '../../core/plan/env-file.ts';
import type { InitializationOptions } from '../../server/protocol.ts';
import { registerTests } from './testing.ts';
import { serverTraceChannel } from './trace-channel.ts';

const SPEC_GLOB = '**/*.provspec.{yaml,yml,json}';
const RUN_REQUEST = 'provspec/run';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const activated = performance.now();
  let diagnosed: (at: number) => void = () => {};
  const firstDiagnostics = new Promise<number>((resolve) => (diagnosed = resolve)); // settles once; later calls are no-ops
  const output = vscode.window.createOutputChannel('provspec');
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  // Node's compile cache (Node 22.1 and newer; older ones ignore the variable) keeps the server's
  // compiled code between starts. Measured on the server alone it saves little (spawn to the
  // initialize answer: ~90 ms either way, against Node's ~20 ms floor; V8 compiles lazily and the
  // time is the bundle's top-level evaluation), but costs nothing.
  const compileCache = path.join(context.globalStorageUri.fsPath, 'node-compile-cache');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { env: { ...process.env, NODE_COMPILE_CACHE: compileCache } } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const traceChannel = serverTraceChannel();
  context.subscriptions.push(traceChannel);
  const clientOptions: LanguageClientOptions = {
    // *.provspec.yaml|yml are language `provspec`, *.provspec.json `provspec-json`: coloured by the
    // YAML and JSON grammars, understood by this server alone. Left as `json`, VS Code's JSON service
    // would follow a spec's own `$schema` over the contributed one and warn "Unable to load schema"
    // on a copied spec whose relative `$schema` no longer resolves. Other YAML/JSON documents go to
    // the server as well: it serves those whose `$schema` or modeline names the provspec schema.
    documentSelector: [
      { language: 'provspec' },
      { language: 'provspec-json' },
      { language: 'yaml' },
      { language: 'json' },
      { language: 'jsonc' },
    ],
    // The lenses name this extension's run commands (output channel, env file), not the server's own.
    initializationOptions: { clientRunCommands: true } satisfies InitializationOptions,
    traceOutputChannel: traceChannel,
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        diagnosed(performance.now());
        next(uri, diagnostics);
      },
    },
  };
  // The id `provspec` makes the client honour the `provspec.trace.server` setting; its log goes to
  // the "provspec language server" channel, the protocol trace to "provspec language server
  // (trace)" (trace-channel.ts), runs and validations to "provspec".
  const languageClient = new LanguageClient('provspec', 'provspec language server', serverOptions, clientOptions);
  client = languageClient;

  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const traceFile = path.join(storage, 'last-run.trace.ndjson');

  /** The spec a command acts on: its argument (a code lens passes a URI string, a menu a Uri), else the active editor. */
  const specDocument = async (target: unknown): Promise<vscode.TextDocument | undefined> => {
    const uri =
      typeof target === 'string'
        ? vscode.Uri.parse(target)
        : target instanceof vscode.Uri
          ? target
          : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showWarningMessage('provspec: open a spec (*.provspec.yaml) first.');
      return undefined;
    }
    return vscode.workspace.openTextDocument(uri);
  };

  const run = async (document: vscode.TextDocument, scenarios: string[] | undefined): Promise<RunResponse | undefined> => {
    const config = vscode.workspace.getConfiguration('provspec', document.uri);
    const env = await loadEnvFile(config.get<string>('run.envFile', ''), document, output);
    const label = scenarios?.length
      ? `${scenarios.join(', ')} in ${vscode.workspace.asRelativePath(document.uri)}`
      : vscode.workspace.asRelativePath(document.uri);
    await mkdir(storage, { recursive: true });
    const request: RunRequest = {
      uri: document.uri.toString(),
      ...(scenarios?.length ? { scenarios } : {}),
      env,
      defaultDialect: config.get<RunRequest['defaultDialect']>('run.defaultDialect', 'rfc7644'),
      trace: traceFile,
    };
    output.appendLine(`▶ provspec run ${label}`);
    output.show(true);
    try {
      const response = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `provspec: running ${label}`, cancellable: true },
        (_progress, token) => languageClient.sendRequest<RunResponse>(RUN_REQUEST, request, token),
      );
      output.appendLine(response.text);
      output.appendLine('');
      const verdict =
        response.failed || response.errored
          ? `provspec: ${response.failed} check(s) failed, ${response.errored} errored, ${response.passed} passed`
          : `provspec: all ${response.passed} checks passed`;
      const shown =
        response.failed || response.errored
          ? vscode.window.showWarningMessage(verdict, 'Open trace')
          : vscode.window.showInformationMessage(verdict, 'Open trace');
      void shown.then((choice) => choice && vscode.commands.executeCommand('provspec.openTrace', vscode.Uri.file(traceFile)));
      return response;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.appendLine(`! ${message}`);
      void vscode.window.showErrorMessage(`provspec: ${message}`);
      return undefined;
    }
  };
  // The Test Explorer runs through the same run: environment file, trace, output channel.
  registerTests(context, SPEC_GLOB, run);

  context.subscriptions.push(
    vscode.commands.registerCommand('provspec.validate', async (target?: unknown) => {
      const explicit =
        target ?? (isSpec(vscode.window.activeTextEditor?.document) ? vscode.window.activeTextEditor?.document.uri : undefined);
      const uris = explicit
        ? [typeof explicit === 'string' ? vscode.Uri.parse(explicit) : (explicit as vscode.Uri)]
        : await vscode.workspace.findFiles(SPEC_GLOB, '**/node_modules/**');
      await validate(uris, output);
    }),
    vscode.commands.registerCommand('provspec.runScenario', async (target?: unknown, name?: unknown) => {
      const document = await specDocument(target);
      if (!document) return;
      let scenario = typeof name === 'string' ? name : undefined;
      if (!scenario) {
        // The server's "Run scenario" lenses name every scenario of the document.
        const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
        const names = lenses.filter((l) => l.command?.command === 'provspec.runScenario').map((l) => String(l.command?.arguments?.[1]));
        if (!names.length) {
          void vscode.window.showWarningMessage(
            `provspec: ${vscode.workspace.asRelativePath(document.uri)} has no scenarios to run (or is not valid yet).`,
          );
          return;
        }
        scenario = await vscode.window.showQuickPick(names, { placeHolder: 'Scenario to run' });
        if (!scenario) return;
      }
      await run(document, [scenario]);
    }),
    vscode.commands.registerCommand('provspec.runFile', async (target?: unknown) => {
      const document = await specDocument(target);
      if (document) await run(document, undefined);
    }),
    vscode.commands.registerCommand('provspec.openTrace', async (target?: unknown) => {
      let file = target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.file(target) : undefined;
      if (!file && (await exists(traceFile))) file = vscode.Uri.file(traceFile);
      if (!file) {
        // No run from the editor yet: a trace written by `provspec run --trace FILE`.
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Open trace',
          filters: { 'provspec trace (NDJSON)': ['ndjson', 'jsonl'], 'All files': ['*'] },
        });
        file = picked?.[0];
      }
      if (file) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { preview: false });
    }),
  );

  const spawned = performance.now();
  await languageClient.start();
  output.appendLine(startupLine(activated, spawned, performance.now()));
  // The first diagnostics (of the spec whose opening activated us) usually arrive after `start()`.
  void firstDiagnostics.then((at) => output.appendLine(`provspec: first diagnostics ${Math.round(at - loadStarted)} ms after loading`));
}

/** One line for the "provspec" channel: where provspec's own start-up time went, in ms from the
 * bundle's first line (the real VS Code test reads it; the editor's share comes before). */
function startupLine(activated: number, spawned: number, ready: number): string {
  const ms = (n: number) => `${Math.round(n)} ms`;
  return (
    `provspec: started in ${ms(ready - loadStarted)} (extension loaded ${ms(activated - loadStarted)}, ` +
    `activated ${ms(spawned - activated)}, server spawned and initialized ${ms(ready - spawned)})`
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function isSpec(document: vscode.TextDocument | undefined): boolean {
  if (!document) return false;
  return document.languageId === 'provspec' || /\.provspec\.(ya?ml|json)$/i.test(document.uri.path);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The variables of provspec.run.envFile, resolved against the spec's workspace folder (or its own folder). */
async function loadEnvFile(setting: string, document: vscode.TextDocument, output: vscode.OutputChannel): Promise<Record<string, string>> {
  if (!setting.trim()) return {};
  const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? path.dirname(document.uri.fsPath);
  const file = path.resolve(folder, setting.replace(/^\$\{workspaceFolder\}/, folder));
  try {
    const env = parseEnvFile(await readFile(file, 'utf8'));
    output.appendLine(`  environment: ${Object.keys(env).length} variable(s) from ${file}`);
    return env;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') output.appendLine(`! cannot read ${file}: ${(error as Error).message}`);
    return {};
  }
}

/** Opens the specs (the server validates what is opened), waits for their diagnostics, and lists them. */
async function validate(uris: readonly vscode.Uri[], output: vscode.OutputChannel): Promise<void> {
  if (!uris.length) {
    void vscode.window.showInformationMessage('provspec: no *.provspec.yaml, *.provspec.yml or *.provspec.json files in this workspace.');
    return;
  }
  const alreadyOpen = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  const waiting = new Set(uris.map(String).filter((u) => !alreadyOpen.has(u)));
  const published = new Promise<void>((resolve) => {
    if (!waiting.size) return resolve();
    const timer = setTimeout(done, 10_000);
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      for (const uri of event.uris) waiting.delete(uri.toString());
      if (!waiting.size) done();
    });
    function done() {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    }
  });
  for (const uri of uris) await vscode.workspace.openTextDocument(uri);
  await published;
  let errors = 0;
  let warnings = 0;
  output.appendLine(`▶ provspec validate (${uris.length} spec${uris.length === 1 ? '' : 's'})`);
  for (const uri of uris) {
    for (const d of vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'provspec')) {
      const severity =
        d.severity === vscode.DiagnosticSeverity.Error ? 'error' : d.severity === vscode.DiagnosticSeverity.Warning ? 'warning' : 'info';
      if (severity === 'error') errors++;
      if (severity === 'warning') warnings++;
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      output.appendLine(
        `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` +
          `${severity} ${code ?? ''}: ${d.message}`,
      );
    }
  }
  const summary = `provspec: ${uris.length} spec(s) validated, ${errors} error(s), ${warnings} warning(s)`;
  output.appendLine(summary);
  if (errors || warnings) {
    void vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.showWarningMessage(summary);
  } else {
    void vscode.window.showInformationMessage(summary);
  }
}
