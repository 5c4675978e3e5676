// Reading a request body with a hard size limit: a client that declares or sends more than the
// limit gets 413 without the server buffering it.
import type { IncomingMessage } from 'node:http';
import { ScimError } from '../scim/errors.ts';

export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): ScimError {
  return new ScimError(413, `The request body is larger than this server accepts (${maxBytes} bytes).`);
}

const JSON_TYPES = /^application\/(scim\+)?json\s*(;|$)/i;

/** The JSON a POST, PUT or PATCH carries; SCIM clients send application/scim+json or application/json. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (contentType !== undefined && contentType !== '' && !JSON_TYPES.test(contentType)) {
    throw new ScimError(415, `Send the body as application/scim+json (not ${contentType}).`);
  }
  if (raw.length === 0) throw new ScimError(400, 'The request needs a JSON body.', 'invalidSyntax');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ScimError(400, `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 'invalidSyntax');
  }
}
