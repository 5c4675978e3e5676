import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

/**
 * Where `run` and `merge` write the JSON report as they go: the --report file, or, for
 * --format json without one, a scratch file that `print` copies to the terminal and `dispose`
 * removes. No file when neither asks for the report.
 */
export async function reportTarget(values: { report?: string | undefined; format?: string | undefined }): Promise<{
  file: string | undefined;
  print: (out: NodeJS.WritableStream) => Promise<void>;
  dispose: () => Promise<void>;
}> {
  const scratch = values.format === 'json' && !values.report ? await mkdtemp(path.join(tmpdir(), 'provspec-report-')) : undefined;
  const file = values.report ?? (scratch ? path.join(scratch, 'report.json') : undefined);
  return {
    file,
    print: async (out) => {
      if (file) await copyTo(file, out);
    },
    dispose: async () => {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}
