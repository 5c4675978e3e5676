// A real LSP client over stdio against the bundled server (dist/server.js): what an editor does.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LspClient {
  connection: ProtocolConnection;
  child: ChildProcess;
  /** Resolves with the next diagnostics published for `uri` (and version, when given). */
  diagnostics(uri: string, version?: number): Promise<Diagnostic[]>;
  open(uri: string, text: string, languageId?: string, version?: number): void;
  change(
    uri: string,
    version: number,
    changes: Array<{ range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }>,
  ): void;
  stderr(): string;
  close(): Promise<void>;
}

export async function startClient(): Promise<LspClient> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const waiting: Array<{ uri: string; version: number | undefined; resolve: (d: Diagnostic[]) => void }> = [];
  const published: PublishDiagnosticsParams[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    const index = waiting.findIndex((w) => w.uri === params.uri && (w.version === undefined || w.version === params.version));
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(params.diagnostics);
    else published.push(params);
  });
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    child,
    diagnostics(uri, version) {
      const index = published.findIndex((p) => p.uri === uri && (version === undefined || p.version === version));
      if (index >= 0) return Promise.resolve(published.splice(index, 1)[0]!.diagnostics);
      return new Promise((resolve) => waiting.push({ uri, version, resolve }));
    },
    open(uri, text, languageId = 'provspec', version = 1) {
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    },
    change(uri, version, changes) {
      void connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    },
    stderr: () => stderr,
    async close() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      connection.dispose();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** A document with `|` marking the cursor: the text without it and the cursor's position. */
export function cursor(marked: string): { text: string; position: { line: number; character: number } } {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  return { text, position: { line: before.length - 1, character: before[before.length - 1]!.length } };
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(
  text: string,
  edits: ReadonlyArray<{
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
  }>,
): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((out, e) => out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end)), text);
}
