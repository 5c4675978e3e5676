// A run that any LSP client asks for (workspace/executeCommand, from a lens): which spec and
// scenario, the environment a terminal user would have (the process's, with the workspace's
// `.env` over it), and the one-line summary shown with window/showMessage. The run itself is
// runDocument's, as for the VS Code extension's `provspec/run`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
// From the server package, not the protocol package: two copies of the protocol in the bundle
// cost ~35 ms at every start.
import { MessageType } from 'vscode-languageserver/node';
import { parseEnvFile } from '../../core/plan/env-file.ts';
import { SERVER_COMMANDS } from './code-lens.ts';
import type { RunResponse } from '../protocol.ts';

export interface CommandRun {
  uri: string;
  /** Undefined: every scenario of the file. */
  scenarios?: string[];
}

/** The run a command names, or what is wrong with it (arguments arrive as whatever JSON the client sent). */
export function commandRunOf(command: string, args: readonly unknown[] | undefined): CommandRun | string {
  const [uri, name] = args ?? [];
  if (command !== SERVER_COMMANDS.scenario && command !== SERVER_COMMANDS.file) return `unknown command ${command}`;
  if (typeof uri !== 'string') return `${command} needs the spec's URI as its first argument`;
  if (command === SERVER_COMMANDS.file) return { uri };
  if (typeof name !== 'string') return `${command} needs the scenario's name as its second argument`;
  return { uri, scenarios: [name] };
}

/**
 * The run's environment: the server's own, with `.env` of the workspace folder holding the spec
 * (or of the spec's own folder, outside any workspace) over it, as a terminal user keeps it. A
 * missing `.env` is fine; one that cannot be read is said.
 */
export async function runEnvironment(
  file: string,
  folders: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ env: Record<string, string | undefined>; from?: string; problem?: string }> {
  const folder =
    folders
      .filter((f) => file === f || file.startsWith(f.endsWith(path.sep) ? f : `${f}${path.sep}`))
      .sort((a, b) => b.length - a.length)[0] ?? path.dirname(file);
  const dotenv = path.join(folder, '.env');
  try {
    return { env: { ...env, ...parseEnvFile(await readFile(dotenv, 'utf8')) }, from: dotenv };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { env: { ...env } };
    return { env: { ...env }, problem: `${dotenv} could not be read (${code ?? (error as Error).message})` };
  }
}

/**
 * What the client shows when the run ends: the summary's line (and its cleanup line when
 * something was left behind), or why nothing ran; an error when anything failed.
 */
export function runMessage(response: RunResponse): { type: MessageType; message: string } {
  const lines = response.text.split('\n');
  const at = lines.findLastIndex((l) => /^[✔✖] \d+ of \d+ scenarios passed/.test(l));
  const cleanup = at >= 0 ? lines[at + 1]?.trim() : undefined;
  const said =
    at < 0
      ? (lines.find((l) => l.trim() !== '') ?? 'nothing was run')
      : `${lines[at]}${cleanup && !cleanup.endsWith('nothing left behind') ? ` · ${cleanup}` : ''}`;
  const failed = response.failed + response.errored > 0;
  return {
    type: failed ? MessageType.Error : MessageType.Info,
    message: `provspec: ${said}${failed && at >= 0 ? ' (the failing steps are marked in the spec)' : ''}`,
  };
}
