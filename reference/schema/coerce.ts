// Turns a client's resource body into the canonical stored shape, or refuses it with the SCIM
// error a client can act on. Canonical means: attribute names in the schema's spelling,
// extension attributes under their schema URN, read-only attributes dropped (RFC 7643 §2.2:
// the server ignores them), and the IdP quirks this server tolerates normalised away:
// "True"/"False" strings for booleans (Entra) and a manager given as a bare id.
import { createHash } from 'node:crypto';
import { ScimError } from '../scim/errors.ts';
import { COMMON_ATTRIBUTES, findAttribute, findExtension, type AttributeDefinition, type ResourceType } from './definitions.ts';

export interface CoerceOptions {
  /** Refuse "True"/"False" strings for booleans instead of reading them (a classic server bug). */
  rejectStringBooleans: boolean;
  /** `manager-bare-string-refused`: a manager must be the complex value. */
  rejectBareManager?: boolean;
  /** `unknown-attribute-500`: an undefined attribute crashes instead of being refused. */
  crashOnUnknown?: boolean;
}

export type Resource = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates and normalises a full resource (create, replace, or the result of a PATCH). */
export function coerceResource(type: ResourceType, body: unknown, options: CoerceOptions): Resource {
  if (!isObject(body)) throw new ScimError(400, 'The request body must be a JSON object.', 'invalidSyntax');
  const out: Resource = {};
  const extensionsUsed = new Set<string>();
  const declared = body['schemas'];
  if (declared !== undefined) {
    if (!Array.isArray(declared) || declared.some((s) => typeof s !== 'string')) {
      throw new ScimError(400, '"schemas" must be an array of schema URNs.', 'invalidSyntax');
    }
    for (const urn of declared as string[]) {
      const lower = urn.toLowerCase();
      if (lower === type.schema.id.toLowerCase() || type.ignoredSchemas.some((s) => s.toLowerCase() === lower)) continue;
      const extension = findExtension(type, urn);
      if (!extension) throw new ScimError(400, `Unknown schema "${urn}" for a ${type.name}.`, 'invalidValue');
      extensionsUsed.add(extension.id);
    }
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schemas') continue;
    const extension = findExtension(type, key);
    if (extension) {
      if (value === null) continue;
      if (!isObject(value)) throw new ScimError(400, `"${key}" must be an object of the extension's attributes.`, 'invalidValue');
      const inner: Resource = {};
      for (const [name, sub] of Object.entries(value)) {
        const attribute = findAttribute(extension.attributes, name);
        if (!attribute) throw new ScimError(400, `"${name}" is not an attribute of ${extension.id}.`, 'invalidSyntax');
        setCoerced(inner, attribute, sub, `${extension.id}:${attribute.name}`, options);
      }
      if (Object.keys(inner).length > 0) {
        out[extension.id] = inner;
        extensionsUsed.add(extension.id);
      }
      continue;
    }
    const attribute = findAttribute(COMMON_ATTRIBUTES, key) ?? findAttribute(type.schema.attributes, key);
    if (!attribute && options.crashOnUnknown) throw new TypeError(`Cannot read properties of undefined (reading '${key}')`);
    if (!attribute) throw new ScimError(400, `"${key}" is not an attribute of a ${type.name}.`, 'invalidSyntax');
    setCoerced(out, attribute, value, attribute.name, options);
  }
  for (const attribute of type.schema.attributes) {
    if (
      (attribute.required || type.alsoRequired.includes(attribute.name)) &&
      attribute.mutability !== 'readOnly' &&
      isMissing(out[attribute.name])
    ) {
      throw new ScimError(400, `A ${type.name} needs "${attribute.name}".`, 'invalidValue');
    }
  }
  out['schemas'] = [type.schema.id, ...type.extensions.filter((e) => extensionsUsed.has(e.id) && out[e.id] !== undefined).map((e) => e.id)];
  return out;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function setCoerced(target: Resource, attribute: AttributeDefinition, value: unknown, path: string, options: CoerceOptions): void {
  if (attribute.mutability === 'readOnly') return;
  if (value === null) return; // null means "no value" (RFC 7643 §2.5)
  if (attribute.multiValued) {
    if (!Array.isArray(value)) throw new ScimError(400, `"${path}" is multi-valued: send an array.`, 'invalidValue');
    const items = value.filter((v) => v !== null).map((v, i) => coerceSingle(attribute, v, `${path}[${i}]`, options));
    if (items.length > 0) target[attribute.name] = items;
    return;
  }
  const single = coerceSingle(attribute, value, path, options);
  if (single !== undefined) target[attribute.name] = single;
}

function coerceSingle(attribute: AttributeDefinition, value: unknown, path: string, options: CoerceOptions): unknown {
  const wrong = (expected: string) => new ScimError(400, `"${path}" must be ${expected}, not ${JSON.stringify(value)}.`, 'invalidValue');
  switch (attribute.type) {
    case 'complex': {
      // Entra and others send the manager as the bare id (RFC 7643 §4.3 makes it complex).
      if (typeof value === 'string' && attribute.name === 'manager' && !options.rejectBareManager) return { value };
      if (!isObject(value)) throw wrong('an object');
      const out: Resource = {};
      for (const [name, sub] of Object.entries(value)) {
        const subAttribute =
          findAttribute(attribute.subAttributes, name) ?? (attribute.multiValued ? defaultSubAttribute(name) : undefined);
        if (!subAttribute) {
          // `$ref: null` is how Entra shapes member references; a null says nothing.
          if (sub === null) continue;
          throw new ScimError(400, `"${name}" is not a sub-attribute of "${path}".`, 'invalidSyntax');
        }
        setCoerced(out, subAttribute, sub, `${path}.${subAttribute.name}`, options);
      }
      for (const sub of attribute.subAttributes ?? []) {
        if (sub.required && out[sub.name] === undefined) throw new ScimError(400, `"${path}" needs "${sub.name}".`, 'invalidValue');
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) {
        if (options.rejectStringBooleans) throw wrong('a boolean');
        return value.toLowerCase() === 'true';
      }
      throw wrong('a boolean');
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw wrong('an integer');
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw wrong('a number');
    case 'dateTime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw wrong('an xsd:dateTime string');
    default:
      if (typeof value !== 'string') throw wrong('a string');
      if (attribute.mutability === 'writeOnly') return hashSecret(value);
      return value;
  }
}

/**
 * RFC 7643 §2.4: every multi-valued attribute may carry type, primary, display, value and $ref,
 * whether or not its schema lists them (Okta sends members with "display").
 */
function defaultSubAttribute(name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  const canonical = ['type', 'primary', 'display', 'value', '$ref'].find((n) => n.toLowerCase() === lower);
  if (!canonical) return undefined;
  return {
    name: canonical,
    type: canonical === 'primary' ? 'boolean' : canonical === '$ref' ? 'reference' : 'string',
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  };
}

/** Write-only values (passwords) are never returned; they are not kept in the clear either. */
function hashSecret(value: string): string {
  return value.startsWith('sha256:') ? value : `sha256:${createHash('sha256').update(value).digest('hex')}`;
}
