// The language server's glue: LSP messages in, the pure service functions, LSP messages out.
// Diagnostics: a lone edit is validated at once (on the next turn of the event loop); edits that
// arrive together are validated once, for the newest version; results for older versions are
// dropped.
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  ResponseError,
  ShowMessageNotification,
  CodeLensRefreshRequest,
  type CancellationToken,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { DocumentCache, formatOf, isSpecDocument, offsetOfPosition } from './service/documents.ts';
import { validationDiagnostic } from './service/diagnostics.ts';
import { complete } from './service/completion.ts';
import { hover } from './service/hover.ts';
import { codeActions } from './service/code-actions.ts';
import { documentSymbols } from './service/symbols.ts';
import { definition, prepareRename, references, rename, RenameError } from './service/navigation.ts';
import { foldingRanges, format } from './service/layout.ts';
import { CLIENT_COMMANDS, codeLenses, SERVER_COMMANDS, type RunCommands, type ScenarioOutcome } from './service/code-lens.ts';
import { commandRunOf, runEnvironment, runMessage } from './service/run-command.ts';
import type { InitializationOptions } from './protocol.ts';
import type { RunRequest, RunResponse } from './service/run.ts';

export const RUN_REQUEST = 'provspec/run';

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  const cache = new DocumentCache();
  const pending = new Set<string>();
  const runDiagnostics = new Map<string, Diagnostic[]>();
  /** Each document's scenarios' last results, for their lenses, until the document changes. */
  const outcomes = new Map<string, Map<string, ScenarioOutcome>>();

  const spec = (uri: string): TextDocument | undefined => {
    const document = documents.get(uri);
    return document && isSpecDocument(uri, document.getText()) ? document : undefined;
  };
  const parsedOf = (document: TextDocument) =>
    cache.parsed(document.uri, document.version, document.getText(), formatOf(document.uri, document.languageId));

  const publish = (uri: string) => {
    pending.delete(uri);
    const document = spec(uri);
    if (!document) return;
    const version = document.version;
    const { diagnostics } = cache.validated(uri, version, document.getText(), formatOf(uri, document.languageId));
    if (documents.get(uri)?.version !== version) return; // an edit arrived meanwhile: its own validation follows
    void connection.sendDiagnostics({
      uri,
      version,
      diagnostics: [...diagnostics.map(validationDiagnostic), ...(runDiagnostics.get(uri) ?? [])],
    });
  };
  // Clients that can be asked to fetch lenses again are (a result appeared or went stale).
  let lensRefresh = false;
  const refreshLenses = () => {
    if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  };
  /** A run's results, for the version of the text it ran: an edit during the run makes them stale at once. */
  const remember = (uri: string, version: number, ran: readonly ScenarioOutcome[] | undefined) => {
    if (!ran?.length || documents.get(uri)?.version !== version) return;
    const kept = outcomes.get(uri) ?? new Map<string, ScenarioOutcome>();
    for (const outcome of ran) kept.set(outcome.name, outcome);
    outcomes.set(uri, kept);
    refreshLenses();
  };
  const schedule = (uri: string) => {
    if (pending.has(uri)) return;
    pending.add(uri);
    setImmediate(() => publish(uri));
  };

  // What the client said in initialize: whose run commands the lenses name, whether the server's
  // run embedded, and the workspace folders whose `.env` a run reads.
  let lensCommands: RunCommands = SERVER_COMMANDS;
  let embedded = false;
  let folders: string[] = [];

  connection.onInitialize((params) => {
    const options = (
      typeof params.initializationOptions === 'object' && params.initializationOptions !== null ? params.initializationOptions : {}
    ) as InitializationOptions;
    if (options.clientRunCommands === true) lensCommands = CLIENT_COMMANDS;
    embedded = options.embedded === true;
    lensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    folders = [...(params.workspaceFolders ?? []).map((f) => f.uri), ...(params.rootUri ? [params.rootUri] : [])]
      .filter((uri) => uri.startsWith('file:'))
      .map((uri) => fileURLToPath(uri));
    return {
      capabilities: {
        executeCommandProvider: { commands: [SERVER_COMMANDS.scenario, SERVER_COMMANDS.file] },
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '.', '-', '"', '{'] },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        documentSymbolProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'provspec' },
    };
  });

  documents.onDidChangeContent(({ document }) => {
    runDiagnostics.delete(document.uri); // run results describe an older text
    if (outcomes.delete(document.uri)) refreshLenses();
    schedule(document.uri);
  });
  documents.onDidClose(({ document }) => {
    cache.forget(document.uri);
    runDiagnostics.delete(document.uri);
    outcomes.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  const offsetOf = (document: TextDocument, position: { line: number; character: number }) => offsetOfPosition(document, position);

  connection.onCompletion(({ textDocument, position }) => {
    const document = spec(textDocument.uri);
    if (!document) return [];
    return complete(parsedOf(document), offsetOf(document, position));
  });
  connection.onHover(({ textDocument, position }) => {
    const document = spec(textDocument.uri);
    return document ? hover(parsedOf(document), offsetOf(document, position)) : null;
  });
  connection.onCodeAction(({ textDocument, context }) => {
    const document = spec(textDocument.uri);
    return document
      ? codeActions(parsedOf(document), textDocument.uri, Array.isArray(context?.diagnostics) ? context.diagnostics : [])
      : [];
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const document = spec(textDocument.uri);
    return document ? documentSymbols(parsedOf(document)) : [];
  });
  connection.onDefinition(({ textDocument, position }) => {
    const document = spec(textDocument.uri);
    return document ? definition(parsedOf(document), textDocument.uri, offsetOf(document, position)) : null;
  });
  connection.onReferences(({ textDocument, position, context }) => {
    const document = spec(textDocument.uri);
    return document
      ? references(parsedOf(document), textDocument.uri, offsetOf(document, position), context?.includeDeclaration === true)
      : [];
  });
  connection.onPrepareRename(({ textDocument, position }) => {
    const document = spec(textDocument.uri);
    return document ? prepareRename(parsedOf(document), offsetOf(document, position)) : null;
  });
  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const document = spec(textDocument.uri);
    if (!document) return null;
    if (typeof newName !== 'string') throw new ResponseError(-32602, 'newName must be a string');
    try {
      return rename(parsedOf(document), textDocument.uri, offsetOf(document, position), newName);
    } catch (error) {
      if (error instanceof RenameError) throw new ResponseError(-32602, error.message);
      throw error;
    }
  });
  connection.onFoldingRanges(({ textDocument }) => {
    const document = spec(textDocument.uri);
    return document ? foldingRanges(parsedOf(document)) : [];
  });
  connection.onDocumentFormatting(({ textDocument, options }) => {
    const document = spec(textDocument.uri);
    return document ? format(parsedOf(document), options?.tabSize) : [];
  });
  connection.onCodeLens(({ textDocument }) => {
    const document = spec(textDocument.uri);
    return document ? codeLenses(parsedOf(document), textDocument.uri, lensCommands, outcomes.get(textDocument.uri)) : [];
  });
  // A lens's run from any client: the workspace's .env (or the embedded reference server), the
  // failing steps as diagnostics, and the summary as a message.
  /** What both runs do first: the open spec, its validation, the runner, cancellation. */
  const prepareRun = async (uri: string, token: CancellationToken) => {
    const document = spec(uri);
    if (!document) throw new ResponseError(-32602, `${uri} is not an open provspec spec`);
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    // The runner (HTTP client, dialects, checks) loads on the first run: editing never pays for it.
    const run = await import('./service/run.ts');
    return {
      document,
      run,
      signal: controller.signal,
      file: uri.startsWith('file:') ? fileURLToPath(uri) : uri,
      validation: cache.validated(document.uri, document.version, document.getText(), formatOf(document.uri, document.languageId)),
    };
  };
  /** What both do after: the findings on their steps, the results on their lenses. */
  const ran = (uri: string, version: number, { response, diagnostics }: { response: RunResponse; diagnostics: Diagnostic[] }) => {
    runDiagnostics.set(uri, diagnostics);
    remember(uri, version, response.scenarios);
    publish(uri);
  };

  // A lens's run from any client: the workspace's .env (or the embedded reference server), the
  // failing steps as diagnostics, and the summary as a message.
  connection.onExecuteCommand(async ({ command, arguments: args }, token): Promise<RunResponse> => {
    const request = commandRunOf(command, args);
    if (typeof request === 'string') throw new ResponseError(-32602, request);
    const { document, run, signal, file, validation } = await prepareRun(request.uri, token);
    const environment = await runEnvironment(file, folders, process.env);
    if (environment.problem) void connection.window.showWarningMessage(`provspec: ${environment.problem}; running without it.`);
    let reference: { baseUrl: string; token: string; appUrl: string; close: () => Promise<void> } | undefined;
    try {
      if (embedded) {
        // The reference server (and its SQLite store) loads only for an embedded run.
        const { startReferenceServer } = await import('../reference/index.ts');
        reference = await startReferenceServer({});
        Object.assign(environment.env, { SCIM_BASE_URL: reference.baseUrl, SCIM_TOKEN: reference.token });
        environment.env['APP_URL'] ??= reference.appUrl;
      }
      const target = reference ? { baseUrl: reference.baseUrl, allowedOrigins: [new URL(reference.baseUrl).origin] } : {};
      const scenarios = request.scenarios ? { scenarios: request.scenarios } : {};
      const result = await run.runDocument(validation, file, { uri: request.uri, ...scenarios }, environment.env, signal, target);
      ran(request.uri, document.version, result);
      const { type, message } = runMessage(result.response);
      void connection.sendNotification(ShowMessageNotification.type, { type, message });
      return result.response;
    } finally {
      await reference?.close();
    }
  });
  connection.onRequest(RUN_REQUEST, async (params: unknown, token): Promise<RunResponse> => {
    const request = runRequestOf(params);
    if (typeof request === 'string') throw new ResponseError(-32602, request);
    const { document, run, signal, file, validation } = await prepareRun(request.uri, token);
    const result = await run.runDocument(validation, file, request, process.env, signal);
    ran(request.uri, document.version, result);
    return result.response;
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

/** The params of a run request, checked (they arrive as whatever JSON the client sent), or what is wrong with them. */
function runRequestOf(params: unknown): RunRequest | string {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const env = p['env'];
  if (typeof p['uri'] !== 'string') return 'uri must be a string';
  if (p['scenarios'] !== undefined && !strings(p['scenarios'])) return 'scenarios must be a list of scenario names';
  const envOk =
    env === undefined ||
    (typeof env === 'object' && env !== null && !Array.isArray(env) && Object.values(env).every((v) => typeof v === 'string'));
  if (!envOk) return 'env must map names to strings';
  if (p['trace'] !== undefined && typeof p['trace'] !== 'string') return 'trace must be a file path';
  return p as unknown as RunRequest;
}
