// Hover: the schema's description of a key; for SCIM attribute paths, the attribute's type,
// mutability and meaning; for identity and group names, their definition.
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import { parsePointer, spanToRange, type ParsedDocument } from '../../core/document/index.ts';
import { CORE_USER_URN, STANDARD_SCHEMAS, extensionSchemas, resolveAttributePath } from '../../core/scim-schema/index.ts';
import { descriptionOf, schemasAt } from './schema-walk.ts';
import { nodeAt } from './node-at.ts';
import { nameSites, siteAt, valueAt } from './references.ts';

export function hover(doc: ParsedDocument, offset: number): Hover | null {
  const site = siteAt(nameSites(doc), offset);
  if (site && site.kind !== 'variable') {
    const section = site.kind === 'identity' ? 'identities' : 'groups';
    const definition = valueAt(doc.value, `/${section}/${site.name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    const body = definition === undefined
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
    const schemas = [...STANDARD_SCHEMAS, ...extensionSchemas((doc.value as Record<string, unknown> | undefined)?.['extensions'] as never, 'User')];
    const resolved = resolveAttributePath(name, schemas, CORE_USER_URN);
    if (resolved.ok) {
      const a = resolved.attribute;
      const facts = [`${a.type}${a.multiValued ? ' (multi-valued)' : ''}`, a.mutability, a.required ? 'required' : 'optional', a.caseExact ? 'case-exact' : 'case-insensitive', `returned ${a.returned}`, `uniqueness ${a.uniqueness}`];
      const value = `**${resolved.canonical}** — ${resolved.schema.name ?? resolved.schema.id}\n\n${facts.join(' · ')}\n\n${a.description ?? ''}`;
      return { contents: { kind: MarkupKind.Markdown, value }, range: spanToRange(doc, node) };
    }
  }
  const description = descriptionOf(schemasAt(node.pointer));
  if (!description) return null;
  const title = node.part === 'key' ? `**${name}**\n\n` : '';
  return { contents: { kind: MarkupKind.Markdown, value: `${title}${description}` }, range: spanToRange(doc, node) };
}
