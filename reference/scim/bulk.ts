// Bulk (RFC 7644 §3.7), where this server offers it (the `bulk` variant): the operations of a
// BulkRequest applied in order, "bulkId:…" references in their data replaced by the ids of the
// resources made earlier in the request (§3.7.2), processing stopped once failOnErrors errors
// happened, and a request over maxOperations refused whole with 413 (§3.7.4).
import { ScimError, errorBody } from './errors.ts';
import type { ScimService } from './service.ts';
import { RESOURCE_TYPES, type ResourceTypeName } from '../schema/definitions.ts';
import type { Misbehaviour } from '../misbehaviours.ts';

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const BULK_MAX_OPERATIONS = 10;
export const BULK_MAX_PAYLOAD = 1_048_576;

interface BulkOperation {
  method?: unknown;
  bulkId?: unknown;
  path?: unknown;
  data?: unknown;
}

export function bulk(svc: ScimService, body: unknown, flags: ReadonlySet<Misbehaviour>): { status: number; body: Record<string, unknown> } {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { Operations?: unknown }).Operations)) {
    throw new ScimError(400, 'A BulkRequest needs "Operations".', 'invalidSyntax');
  }
  const request = body as { Operations: BulkOperation[]; failOnErrors?: unknown };
  if (request.Operations.length > BULK_MAX_OPERATIONS && !flags.has('bulk-no-413')) {
    throw new ScimError(413, `At most ${BULK_MAX_OPERATIONS} operations per BulkRequest (there are ${request.Operations.length}).`);
  }
  const failOnErrors =
    typeof request.failOnErrors === 'number' && !flags.has('bulk-ignores-fail-on-errors') ? request.failOnErrors : Infinity;
  const ids = new Map<string, string>();
  const results: Record<string, unknown>[] = [];
  let errors = 0;
  for (const operation of request.Operations) {
    if (errors >= failOnErrors) break;
    const method = String(operation.method ?? '').toUpperCase();
    const bulkId = typeof operation.bulkId === 'string' ? operation.bulkId : undefined;
    const result: Record<string, unknown> = { method, ...(bulkId ? { bulkId } : {}) };
    try {
      const data = flags.has('bulk-ignores-bulkid') ? operation.data : resolveBulkIds(operation.data, ids);
      const [, collection, id] = /^\/(Users|Groups)(?:\/([^/?]+))?$/.exec(String(operation.path ?? '')) ?? [];
      const type: ResourceTypeName | undefined = collection === 'Users' ? 'User' : collection === 'Groups' ? 'Group' : undefined;
      if (!type) throw new ScimError(400, `No endpoint ${JSON.stringify(operation.path)} for a bulk operation.`, 'invalidPath');
      const at = (stored: { id: string }) => `${svc.baseUrl}${RESOURCE_TYPES[type].endpoint}/${stored.id}`;
      if (method === 'POST' && id === undefined) {
        if (!bulkId) throw new ScimError(400, 'A bulk POST needs a "bulkId".', 'invalidValue');
        const written = svc.create(type, data);
        ids.set(bulkId, written.stored.id);
        Object.assign(result, { location: at(written.stored), status: '201' });
      } else if ((method === 'PUT' || method === 'PATCH') && id !== undefined) {
        const written = method === 'PUT' ? svc.replace(type, id, data, {}) : svc.patch(type, id, data, {});
        Object.assign(result, { location: at(written.stored), status: '200' });
      } else if (method === 'DELETE' && id !== undefined) {
        svc.delete(type, id, {});
        Object.assign(result, { location: `${svc.baseUrl}${RESOURCE_TYPES[type].endpoint}/${id}`, status: '204' });
      } else {
        throw new ScimError(400, `A bulk ${method} cannot go to ${JSON.stringify(operation.path)}.`, 'invalidValue');
      }
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      errors++;
      Object.assign(result, { status: String(error.status), response: errorBody(error, true) });
    }
    results.push(result);
  }
  return { status: 200, body: { schemas: [BULK_RESPONSE], Operations: results } };
}

/** Every "bulkId:x" string in the data replaced by the id the operation with bulkId x made (RFC 7644 §3.7.2). */
function resolveBulkIds(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('bulkId:')) {
    const id = ids.get(value.slice('bulkId:'.length));
    if (!id) throw new ScimError(409, `${value} names no resource made earlier in this request.`, 'invalidValue');
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveBulkIds(v, ids));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveBulkIds(v, ids)]));
  }
  return value;
}
