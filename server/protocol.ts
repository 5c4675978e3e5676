// The language server's own requests beyond LSP (`provspec/run`): their parameters and results,
// the one part of the server a client (the VS Code extension) shares. Types only.
import type { Dialect } from '../core/spec/types.ts';

export interface RunRequest {
  uri: string;
  scenarios?: string[];
  env?: Record<string, string>;
  /** The dialect for a spec whose target names none (the editor's default-dialect setting). */
  defaultDialect?: Dialect;
  /** Also write the run's NDJSON trace (as `provspec run --trace`) to this file. */
  trace?: string;
}

export interface RunResponse {
  text: string;
  passed: number;
  failed: number;
  errored: number;
  /** Each scenario that ran: what its lens and the editor's test explorer show. */
  scenarios?: ScenarioOutcome[];
}

/** A scenario's run. */
export interface ScenarioOutcome {
  section: string;
  name: string;
  status: 'pass' | 'fail' | 'warn' | 'blocked' | 'error' | 'skipped';
  checks: number;
  failed: number;
  ms: number;
  /** Its failed, errored and warned checks: where (0-based, as LSP), the check's id and what went wrong. */
  findings: Array<{ id: string; status: string; message: string; line: number; character: number }>;
}

/** What a client may say in `initialize`'s initializationOptions. */
export interface InitializationOptions {
  /** The lenses name the client's own run commands (the VS Code extension's), not the server's. */
  clientRunCommands?: boolean;
  /** The server's run commands run against the built-in reference server, with no set-up at all. */
  embedded?: boolean;
}
