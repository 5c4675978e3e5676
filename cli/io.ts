/** What a command may touch of its process: injected so tests can run commands in-process too. */
export interface CommandIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted by the first SIGINT/SIGTERM (cli/signals.ts); its reason is the signal's name. */
  stop?: AbortSignal;
}
