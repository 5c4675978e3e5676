// Files a session writes as it goes (the report, the trace): opened before anything is sent,
// their folders made, closed once everything is flushed.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export async function openFile(file: string): Promise<WriteStream> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const stream = createWriteStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}

/** Writes, waiting for the stream to drain when its buffer is full (so a big report never piles up in memory). */
export async function written(stream: WriteStream, chunk: string | Buffer): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export function closed(stream: WriteStream | undefined): Promise<void> {
  return new Promise<void>((resolve) => (!stream || stream.destroyed ? resolve() : stream.end(() => resolve())));
}
