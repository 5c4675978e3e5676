// Go to definition, find references and rename for identities, groups and variables, from the
// one list of name sites (references.ts).
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { spanToRange, type ParsedDocument } from '../../core/document/index.ts';
import { nameSites, siteAt, type NameSite } from './references.ts';

function same(a: NameSite, b: NameSite): boolean {
  return a.kind === b.kind && a.name === b.name;
}

export function definition(doc: ParsedDocument, uri: string, offset: number): Location | null {
  const sites = nameSites(doc);
  const site = siteAt(sites, offset);
  if (!site) return null;
  const declaration = sites.find((s) => s.declaration && same(s, site));
  return declaration ? { uri, range: spanToRange(doc, declaration) } : null;
}

export function references(doc: ParsedDocument, uri: string, offset: number, includeDeclaration: boolean): Location[] {
  const sites = nameSites(doc);
  const site = siteAt(sites, offset);
  if (!site) return [];
  return sites.filter((s) => same(s, site) && (includeDeclaration || !s.declaration)).map((s) => ({ uri, range: spanToRange(doc, s) }));
}

export function prepareRename(doc: ParsedDocument, offset: number): { range: Range; placeholder: string } | null {
  const site = siteAt(nameSites(doc), offset);
  return site ? { range: spanToRange(doc, site), placeholder: site.name } : null;
}

export class RenameError extends Error {}

export function rename(doc: ParsedDocument, uri: string, offset: number, newName: string): WorkspaceEdit | null {
  const sites = nameSites(doc);
  const site = siteAt(sites, offset);
  if (!site) return null;
  const pattern = site.kind === 'variable' ? /^[A-Za-z_][A-Za-z0-9_]*$/ : /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
  if (!pattern.test(newName)) throw new RenameError(`"${newName}" is not a valid ${site.kind} name`);
  if (sites.some((s) => s.declaration && s.kind === site.kind && s.name === newName))
    throw new RenameError(`there already is a ${site.kind} named "${newName}"`);
  const edits: TextEdit[] = sites.filter((s) => same(s, site)).map((s) => ({ range: spanToRange(doc, s), newText: newName }));
  return { changes: { [uri]: edits } };
}
