// Bodies read up to a limit. A hostile peer can send an endless body; what is past the limit is
// never held: the stream is destroyed there (the connection with it), so memory stays bounded
// whatever arrives. (core/scim/bounded.ts bounds parsed JSON for evidence, not a byte stream.)

export interface BoundedBody {
  bytes: Buffer;
  /** The body went on past the limit; only the first `limit` bytes were kept. */
  truncated: boolean;
}

interface Readable extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

export async function readBounded(body: Readable, limit: number): Promise<BoundedBody> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    const left = limit - size;
    if (chunk.length > left) {
      if (left > 0) chunks.push(chunk.subarray(0, left));
      body.destroy();
      return { bytes: Buffer.concat(chunks, limit), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks, size), truncated: false };
}
