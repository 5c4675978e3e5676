// PATCH (RFC 7644 §3.5.2). scim-patch applies the operations; this module first turns what real
// IdPs send into what the RFC says, and (when asked) into what buggy servers do instead:
//  - op names are case-insensitive (Entra sends "Replace", "Add", "Remove");
//  - path-less add/replace values may use dotted or URN-qualified keys (Entra 2020), and may
//    repeat the resource's own id (Okta's group push rename);
//  - "remove members" with a value array removes just those members (Entra).
// Type normalisation ("False" → false, manager as a bare id) happens when the patched resource is
// validated again as a whole, so every path into the store goes through the same check.
import { scimPatch, ScimError as PatchLibraryError, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { ScimError } from './errors.ts';
import { ALL_SCHEMAS } from '../schema/definitions.ts';

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchBehaviour {
  caseSensitiveOp: boolean;
  ignorePathlessPatch: boolean;
  removeMemberWipesGroup: boolean;
  noValuePathPatch: boolean;
}

export interface Operation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export function readPatchRequest(body: unknown, behaviour: PatchBehaviour): Operation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ScimError(400, 'A PATCH body must be a PatchOp object.', 'invalidSyntax');
  }
  const request = body as Record<string, unknown>;
  const schemas = request['schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_SCHEMA.toLowerCase())) {
    throw new ScimError(400, `A PATCH body must list "${PATCH_SCHEMA}" in "schemas".`, 'invalidSyntax');
  }
  const operations = request['Operations'] ?? request['operations'];
  if (!Array.isArray(operations)) throw new ScimError(400, 'A PATCH body needs an "Operations" array.', 'invalidSyntax');
  const out: Operation[] = [];
  operations.forEach((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null) throw new ScimError(400, `Operation ${index + 1} is not an object.`, 'invalidSyntax');
    const operation = raw as Record<string, unknown>;
    const name = operation['op'];
    if (typeof name !== 'string') throw new ScimError(400, `Operation ${index + 1} has no "op".`, 'invalidSyntax');
    const op = behaviour.caseSensitiveOp ? name : name.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new ScimError(400, `Operation ${index + 1} has an unknown op ${JSON.stringify(name)}.`, 'invalidSyntax');
    }
    const path = operation['path'];
    if (path !== undefined && (typeof path !== 'string' || path.trim() === '')) {
      throw new ScimError(400, `Operation ${index + 1} has an invalid path.`, 'invalidPath');
    }
    if (
      path !== undefined &&
      /^(id|meta|groups)([.[]|$)/i.test(path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i, ''))
    ) {
      throw new ScimError(400, `"${path}" is read-only: a PATCH cannot change it.`, 'mutability');
    }
    if (path === undefined && op === 'remove') throw new ScimError(400, `Operation ${index + 1} removes without a path.`, 'noTarget');
    if (path === undefined && behaviour.ignorePathlessPatch) return;
    if (path !== undefined && behaviour.noValuePathPatch && path.includes('[')) {
      throw new ScimError(400, `Value-path filters in PATCH paths are not supported (${path}).`, 'invalidPath');
    }
    if (op !== 'remove' && !('value' in operation))
      throw new ScimError(400, `Operation ${index + 1} (${op}) has no "value".`, 'invalidValue');
    const value = operation['value'];
    if (op === 'remove' && behaviour.removeMemberWipesGroup && path?.toLowerCase() === 'members') {
      out.push({ op, path }); // the bug: the value naming which members to remove is dropped
      return;
    }
    if (op === 'remove' && path !== undefined && !path.includes('[') && Array.isArray(value)) {
      // Entra's member remove: the value array names which elements to remove, by "value".
      for (const item of value as unknown[]) {
        const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['value'] : undefined;
        if (typeof id !== 'string')
          throw new ScimError(400, `Operation ${index + 1} removes an element without a "value".`, 'invalidValue');
        out.push({ op, path: `${path}[value eq ${JSON.stringify(id)}]` });
      }
      return;
    }
    out.push(path === undefined ? { op, value } : op === 'remove' && value === undefined ? { op, path } : { op, path, value });
  });
  return out;
}

/** Applies the operations to a copy of `resource`; throws a ScimError and changes nothing on failure. */
export function applyPatch(resource: Record<string, unknown>, operations: readonly Operation[]): Record<string, unknown> {
  const expanded = operations
    .flatMap((operation) => expandPathless(resource, operation))
    .filter((operation) => !removesFromNothing(resource, operation));
  try {
    const copy = structuredClone(resource) as unknown as ScimResource;
    const patched = scimPatch(copy, expanded as ScimPatchOperation[], { mutateDocument: true }) as unknown as Record<string, unknown>;
    demoteOtherPrimaries(resource, patched);
    return patched;
  } catch (error) {
    if (error instanceof PatchLibraryError) {
      const scimType =
        error.scimCode === 'noTarget'
          ? 'noTarget'
          : error.scimCode === 'invalidValue'
            ? 'invalidValue'
            : error.scimCode === 'invalidPath'
              ? 'invalidPath'
              : 'invalidSyntax';
      throw new ScimError(400, error.message || 'The PATCH operation could not be applied.', scimType);
    }
    if (error instanceof ScimError) throw error;
    throw new ScimError(
      400,
      `The PATCH operation could not be applied: ${error instanceof Error ? error.message : String(error)}`,
      'invalidPath',
    );
  }
}

/**
 * RFC 7644 §3.5.2: "For multi-valued attributes, a PATCH operation that sets a value's "primary"
 * sub-attribute to "true" SHALL cause the server to automatically set "primary" to "false" for
 * any other values in the array." The value the PATCH made primary is one that was not, as it
 * now is, in the resource before.
 */
function demoteOtherPrimaries(before: Record<string, unknown>, after: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(after)) {
    if (!Array.isArray(value)) continue;
    const primaries = value.filter((v): v is Record<string, unknown> => isObject(v) && v['primary'] === true);
    if (primaries.length < 2) continue;
    const earlier = Array.isArray(before[key]) ? (before[key] as unknown[]).map((v) => JSON.stringify(v)) : [];
    const fresh = primaries.filter((v) => !earlier.includes(JSON.stringify(v)));
    const keep = fresh[fresh.length - 1];
    if (keep === undefined) continue;
    for (const element of primaries) if (element !== keep) element['primary'] = false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removing filtered elements of an attribute that has none is a no-op, not an error. */
function removesFromNothing(resource: Record<string, unknown>, operation: Operation): boolean {
  if (operation.op !== 'remove' || operation.path === undefined) return false;
  const bracket = operation.path.indexOf('[');
  if (bracket < 0) return false;
  const attribute = operation.path.slice(0, bracket).toLowerCase();
  const key = Object.keys(resource).find((k) => k.toLowerCase() === attribute);
  const value = key === undefined ? undefined : resource[key];
  return !Array.isArray(value) || value.length === 0;
}

/**
 * A path-less add/replace whose value has dotted keys ("name.givenName") or URN-qualified
 * extension keys is the same as one operation per key with that key as the path.
 */
function expandPathless(resource: Record<string, unknown>, operation: Operation): Operation[] {
  if (operation.path !== undefined || operation.op === 'remove') return [operation];
  const value = operation.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScimError(400, `A path-less ${operation.op} needs an object value.`, 'invalidValue');
  }
  const plain: Record<string, unknown> = {};
  const pathed: Operation[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (key === 'id') {
      // Okta's group push repeats the group's id; changing it is not a thing a client can do.
      if (item !== resource['id']) throw new ScimError(400, '"id" is read-only.', 'mutability');
      continue;
    }
    if (key === 'schemas' || key === 'meta') continue;
    const isSchema = ALL_SCHEMAS.some((schema) => schema.id.toLowerCase() === key.toLowerCase());
    if (!isSchema && (key.includes('.') || key.startsWith('urn:'))) {
      pathed.push({ op: operation.op, path: key, value: item });
    } else if (isObject(item)) {
      // A complex value replaces only the sub-attributes it names (RFC 7644 §3.5.2.3), so it
      // becomes one operation per sub-attribute; an extension's object, one per attribute.
      const separator = isSchema ? ':' : '.';
      for (const [sub, subValue] of Object.entries(item))
        pathed.push({ op: operation.op, path: `${key}${separator}${sub}`, value: subValue });
    } else {
      plain[key] = item;
    }
  }
  return Object.keys(plain).length > 0 ? [{ op: operation.op, value: plain }, ...pathed] : pathed;
}
