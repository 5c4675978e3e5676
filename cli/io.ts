import { createReadStream } from 'node:fs';
import { once } from 'node:events';
/** What a command may touch of its process: injected so tests can run commands in-process too. */
export interface CommandIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted by the first SIGINT/SIGTERM (cli/signals.ts); its reason is the signal's name. */
  stop?: AbortSignal;
}

/** A written file to the terminal in chunks, waiting when the terminal is slower (a report can be large). */
export async function copyTo(file: string, out: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of createReadStream(file)) if (!out.write(chunk as Buffer)) await once(out, 'drain');
}
