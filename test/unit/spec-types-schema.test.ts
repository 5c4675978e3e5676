// core/spec/types.ts and schemas/provspec.schema.json are kept by hand side by side: each
// interface of the spec must name exactly the properties its schema definition allows (Spec is
// the schema's root; Target is $defs.target, and so on), so that neither drifts from the other.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface SchemaNode {
  properties?: Record<string, unknown>;
  $defs?: Record<string, SchemaNode>;
}

/** Interface name → its property names, read from the declarations' text. */
export function interfaceKeys(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^export interface (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)) {
    out.set(m[1]!, new Set([...m[2]!.matchAll(/^ {2}(?:readonly )?'?([\w$.-]+)'?\??:/gm)].map((k) => k[1]!)));
  }
  return out;
}

/** Each interface's differences from its schema definition (empty when they agree). */
export function drift(text: string, schema: SchemaNode): string[] {
  const problems: string[] = [];
  for (const [name, keys] of interfaceKeys(text)) {
    const def = name === 'Spec' ? schema : schema.$defs?.[`${name[0]!.toLowerCase()}${name.slice(1)}`];
    if (!def?.properties) {
      problems.push(`${name}: no schema definition with properties (expected $defs.${name[0]!.toLowerCase()}${name.slice(1)})`);
      continue;
    }
    const props = new Set(Object.keys(def.properties));
    for (const key of keys) if (!props.has(key)) problems.push(`${name}.${key} is in types.ts but not in the schema`);
    for (const key of props) if (!keys.has(key)) problems.push(`${name}.${key} is in the schema but not in types.ts`);
  }
  return problems;
}

const TYPES = readFileSync(`${ROOT}core/spec/types.ts`, 'utf8');
const SCHEMA = JSON.parse(readFileSync(`${ROOT}schemas/provspec.schema.json`, 'utf8')) as SchemaNode;

describe('spec types and schema', () => {
  it('every spec interface names exactly the properties of its schema definition', () => {
    assert.ok(interfaceKeys(TYPES).size >= 10, 'the interfaces were read');
    assert.deepEqual(drift(TYPES, SCHEMA), []);
  });

  it('a planted drift is caught, either way', () => {
    const withExtra = TYPES.replace(/^export interface Target \{\n/m, 'export interface Target {\n  planted?: string;\n');
    assert.deepEqual(drift(withExtra, SCHEMA), ['Target.planted is in types.ts but not in the schema']);
    const schema = structuredClone(SCHEMA);
    delete schema.$defs!['group']!.properties!['externalId'];
    assert.deepEqual(drift(TYPES, schema), ['Group.externalId is in types.ts but not in the schema']);
  });
});
