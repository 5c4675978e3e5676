// A spec's `extensions` section as RFC 7643 schema definitions, so custom attributes resolve
// exactly like the standard ones.
import type { AttributeDefinition, SchemaDefinition } from './definitions.ts';

type Raw = Record<string, unknown>;

export function extensionSchemas(extensions: Raw | undefined, resource: 'User' | 'Group'): SchemaDefinition[] {
  if (!extensions) return [];
  const out: SchemaDefinition[] = [];
  for (const [urn, raw] of Object.entries(extensions)) {
    const schema = raw as Raw | null;
    if (!schema || typeof schema !== 'object') continue;
    if ((schema['resource'] ?? 'User') !== resource) continue;
    const attributes = schema['attributes'];
    out.push({
      id: urn,
      name: urn.split(':').at(-1) ?? urn,
      description: `Declared in the spec's extensions`,
      attributes: attributes && typeof attributes === 'object' ? toAttributes(attributes as Raw) : [],
    });
  }
  return out;
}

function toAttributes(raw: Raw): AttributeDefinition[] {
  return Object.entries(raw).map(([name, value]) => {
    const a = (value && typeof value === 'object' ? value : {}) as Raw;
    const type = (typeof a['type'] === 'string' ? a['type'] : 'string') as AttributeDefinition['type'];
    const definition: AttributeDefinition = {
      name,
      type,
      multiValued: a['multiValued'] === true,
      description: "Declared in the spec's extensions.",
      required: a['required'] === true,
      caseExact: false,
      mutability: (typeof a['mutability'] === 'string' ? a['mutability'] : 'readWrite') as AttributeDefinition['mutability'],
      returned: 'default',
      uniqueness: 'none',
    };
    if (type === 'complex' && a['subAttributes'] && typeof a['subAttributes'] === 'object') {
      definition.subAttributes = toAttributes(a['subAttributes'] as Raw);
    }
    return definition;
  });
}
