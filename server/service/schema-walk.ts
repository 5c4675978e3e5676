// The parts of the spec's JSON Schema that apply at a JSON pointer: what completion offers and
// what hover explains. Follows $ref, properties, patternProperties, additionalProperties, items
// and every branch of oneOf/anyOf/allOf/if-then-else, since a half-typed node may be any of them.
import schemaJson from '../../schemas/provspec.schema.json' with { type: 'json' };
import { parsePointer } from '../../core/document/index.ts';

export interface SchemaNode {
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  required?: string[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  $ref?: string;
  markdownDescription?: string;
}

export const ROOT_SCHEMA = schemaJson as unknown as SchemaNode & { $defs: Record<string, SchemaNode> };

function deref(node: SchemaNode): SchemaNode {
  let current = node;
  for (let i = 0; i < 10 && current.$ref; i++) {
    const match = /^#\/\$defs\/(.+)$/.exec(current.$ref);
    const target = match ? ROOT_SCHEMA.$defs[match[1]!] : undefined;
    if (!target) break;
    // Keep the referring node's own description: it is the more specific one.
    current = { ...target, ...(current.description ? { description: current.description } : {}) };
  }
  return current;
}

/** The node and every alternative it may take (branches of oneOf/anyOf/allOf/if-then-else). */
export function alternatives(node: SchemaNode): SchemaNode[] {
  const out: SchemaNode[] = [];
  const visit = (n: SchemaNode, depth: number) => {
    if (depth > 8) return;
    const d = deref(n);
    out.push(d);
    for (const branch of [
      ...(d.oneOf ?? []),
      ...(d.anyOf ?? []),
      ...(d.allOf ?? []),
      ...(d.then ? [d.then] : []),
      ...(d.else ? [d.else] : []),
    ])
      visit(branch, depth + 1);
  };
  visit(node, 0);
  return out;
}

function child(node: SchemaNode, token: string): SchemaNode[] {
  const out: SchemaNode[] = [];
  for (const alt of alternatives(node)) {
    if (/^\d+$/.test(token) && alt.items) out.push(alt.items);
    const property = alt.properties?.[token];
    if (property) {
      out.push(property);
      continue;
    }
    let matched = false;
    for (const [pattern, sub] of Object.entries(alt.patternProperties ?? {})) {
      if (new RegExp(pattern, 'u').test(token)) {
        out.push(sub);
        matched = true;
      }
    }
    if (!matched && typeof alt.additionalProperties === 'object') out.push(alt.additionalProperties);
  }
  return out;
}

/** The schema nodes that describe the value at `pointer` (empty when the schema says nothing). */
export function schemasAt(pointer: string): SchemaNode[] {
  let nodes: SchemaNode[] = [ROOT_SCHEMA];
  for (const token of parsePointer(pointer)) {
    nodes = nodes.flatMap((n) => child(n, token));
    if (nodes.length === 0) return [];
  }
  return nodes.flatMap(alternatives);
}

export interface KeyInfo {
  name: string;
  node: SchemaNode;
  required: boolean;
}

/** The keys the schema names for an object at `pointer`, each once, with its description. */
export function keysAt(pointer: string): KeyInfo[] {
  const seen = new Map<string, KeyInfo>();
  for (const node of schemasAt(pointer)) {
    for (const [name, sub] of Object.entries(node.properties ?? {})) {
      if (!seen.has(name)) seen.set(name, { name, node: deref(sub), required: node.required?.includes(name) ?? false });
    }
  }
  return [...seen.values()];
}

export function descriptionOf(nodes: SchemaNode[]): string | undefined {
  return nodes.map((n) => n.markdownDescription ?? n.description).find((d) => d !== undefined);
}

/** Enum and const values allowed at `pointer`. */
export function valuesAt(pointer: string): unknown[] {
  const values: unknown[] = [];
  for (const node of schemasAt(pointer)) {
    for (const v of node.enum ?? []) if (!values.includes(v)) values.push(v);
    if (node.const !== undefined && !values.includes(node.const)) values.push(node.const);
    const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
    if (types.includes('boolean')) for (const b of [true, false]) if (!values.includes(b)) values.push(b);
  }
  return values;
}
