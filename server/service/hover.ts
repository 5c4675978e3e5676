// Hover: the schema's description of a key; for SCIM attribute paths, the attribute's type,
// mutability and meaning; for identity and group names, their definition.
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import { parsePointer, spanToRange, type ParsedDocument } from '../../core/document/index.ts';
import { CORE_USER_URN, STANDARD_SCHEMAS, extensionSchemas, resolveAttributePath } from '../../core/scim-schema/index.ts';
import { descriptionOf, schemasAt } from './schema-walk.ts';
import { nodeAt } from './node-at.ts';
import { nameSites, siteAt, valueAt } from './references.ts';
import { tagValue, taggedAttributes } from '../../core/run/identity.ts';
import type { Spec } from '../../core/spec/types.ts';

export function hover(doc: ParsedDocument, offset: number): Hover | null {
  const site = siteAt(nameSites(doc), offset);
  if (site && site.kind !== 'variable') {
    const section = site.kind === 'identity' ? 'identities' : 'groups';
    const definition = valueAt(doc.value, `/${section}/${site.name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    const body =
      definition === undefined
        ? `**${site.kind} ${site.name}** is not declared under \`${section}\`.`
        : `**${site.kind} ${site.name}**\n\n\`\`\`json\n${JSON.stringify(definition, null, 2)}\n\`\`\``;
    return { contents: { kind: MarkupKind.Markdown, value: body }, range: spanToRange(doc, site) };
  }
  const node = nodeAt(doc, offset);
  if (!node) return null;
  const tokens = parsePointer(node.pointer);
  const parent = tokens[tokens.length - 2];
  const name = tokens[tokens.length - 1] ?? '';
  if (node.part === 'key' && (parent === 'attributes' || (tokens.length === 2 && tokens[0] === 'mapping'))) {
    const schemas = [
      ...STANDARD_SCHEMAS,
      ...extensionSchemas((doc.value as Record<string, unknown> | undefined)?.['extensions'] as never, 'User'),
    ];
    const resolved = resolveAttributePath(name, schemas, CORE_USER_URN);
    if (resolved.ok) {
      const a = resolved.attribute;
      const facts = [
        `${a.type}${a.multiValued ? ' (multi-valued)' : ''}`,
        a.mutability,
        a.required ? 'required' : 'optional',
        a.caseExact ? 'case-exact' : 'case-insensitive',
        `returned ${a.returned}`,
        `uniqueness ${a.uniqueness}`,
      ];
      const title = `**${resolved.canonical}** — ${resolved.schema.name ?? resolved.schema.id}`;
      const value = `${title}\n\n${facts.join(' · ')}\n\n${a.description ?? ''}`;
      return { contents: { kind: MarkupKind.Markdown, value }, range: spanToRange(doc, node) };
    }
  }
  if (node.part === 'key' && tokens.length === 3 && tokens[0] === 'identities') {
    const scoped = runScopeHover(doc.value, tokens[1]!, name);
    if (scoped) return { contents: { kind: MarkupKind.Markdown, value: scoped }, range: spanToRange(doc, node) };
  }
  const description = descriptionOf(schemasAt(node.pointer));
  if (!description) return null;
  const title = node.part === 'key' ? `**${name}**\n\n` : '';
  return { contents: { kind: MarkupKind.Markdown, value: `${title}${description}` }, range: spanToRange(doc, node) };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A mapping rule of the shapes the spec allows: a scalar, or `{ value: scalar, … }`. */
function isRule(rule: unknown): boolean {
  return isScalar(rule) || isScalar(obj(rule)?.['value']);
}

/**
 * An identity attribute: whether each scenario sends it with the run's tag (so runs never collide
 * on a value the server keeps unique) or exactly as written, and how to change that.
 */
function runScopeHover(value: unknown, identity: string, attribute: string): string | undefined {
  const spec = obj(value);
  const mapping = obj(spec?.['mapping']);
  if (!spec || !mapping) return undefined;
  // taggedAttributes reads a valid spec; a half-typed one keeps only the parts of the shape it reads.
  const identities = Object.fromEntries(
    Object.entries(obj(spec['identities']) ?? {}).filter(([, v]) => obj(v) !== undefined),
  ) as Spec['identities'];
  const rules = Object.fromEntries(Object.entries(mapping).filter(([, rule]) => isRule(rule))) as Spec['mapping'];
  const tagged = taggedAttributes({ ...spec, identities, mapping: rules, runScoped: obj(spec['runScoped']) ?? {} } as Spec);
  const raw = identities[identity]?.[attribute];
  const example = typeof raw === 'string' ? ` (\`${raw}\` is sent as \`${tagValue(raw, 'ps-<run>-<n>')}\`)` : '';
  return tagged.has(attribute)
    ? `**${attribute}** is run-scoped: each scenario sends it with the run's tag${example}, so no ` +
        `two scenarios, shards or runs send a value the server could keep unique. It is tagged because ` +
        `it feeds userName, externalId, displayName, emails, phoneNumbers or ims, looks like an email ` +
        `address, or \`runScoped\` says so; \`runScoped: { ${attribute}: false }\` sends it as written.`
    : `**${attribute}** is sent exactly as written. \`runScoped: { ${attribute}: true }\` ` +
        `tags it with the run's id, for a value your server keeps unique (an employee number).`;
}
