// Where a spec names its identities, groups and variables: the one list that completion,
// go to definition, find references and rename all read, so they cannot disagree.
import type { ParsedDocument } from '../../core/document/index.ts';
import { joinPointer, parsePointer } from '../../core/document/index.ts';
import { findExpressions } from '../../core/expressions/parse.ts';

export type SymbolKind = 'identity' | 'group' | 'variable';

export interface NameSite {
  kind: SymbolKind;
  name: string;
  /** Offsets of just the name in the source. */
  start: number;
  end: number;
  /** The declaration itself (the key under identities/groups/variables). */
  declaration: boolean;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The pointer of every place that references an identity or a group, by the shape of the spec. */
export function referencePointers(value: unknown): Array<{ pointer: string; kind: 'identity' | 'group' }> {
  const spec = obj(value);
  if (!spec) return [];
  const out: Array<{ pointer: string; kind: 'identity' | 'group' }> = [];
  // Only strings name anything: a map or a number in a list of names is the validator's to report.
  const names = (pointer: string, list: unknown, kind: 'identity' | 'group') =>
    arr(list).forEach((item, i) => {
      if (typeof item === 'string') out.push({ pointer: joinPointer(pointer, String(i)), kind });
    });
  const groupList = (pointer: string, list: unknown) => names(pointer, list, 'group');
  arr(spec['roles']).forEach((rule, i) => {
    groupList(`/roles/${i}/memberOf`, obj(rule)?.['memberOf']);
    groupList(`/roles/${i}/notMemberOf`, obj(rule)?.['notMemberOf']);
  });
  for (const [name, scenario] of Object.entries(obj(spec['lifecycle']) ?? {})) {
    const base = joinPointer('/lifecycle', name);
    if (typeof obj(scenario)?.['identity'] === 'string') out.push({ pointer: joinPointer(base, 'identity'), kind: 'identity' });
    arr(obj(scenario)?.['steps']).forEach((step, i) => {
      const s = obj(step);
      if (!s) return;
      const at = joinPointer(joinPointer(base, 'steps'), String(i));
      for (const key of ['assign', 'unassign']) if (key in s) groupList(joinPointer(at, key), s[key]);
      const expects = [
        ['expect', obj(s['expect'])],
        ['eventually/expect', obj(obj(s['eventually'])?.['expect'])],
      ] as const;
      for (const [path, expect] of expects) {
        if (!expect) continue;
        const p = `${at}/${path}`;
        groupList(joinPointer(p, 'memberOf'), expect['memberOf']);
        groupList(joinPointer(p, 'notMemberOf'), expect['notMemberOf']);
      }
    });
  }
  for (const [name, negative] of Object.entries(obj(spec['negative']) ?? {})) {
    if (typeof obj(negative)?.['create'] === 'string')
      out.push({ pointer: joinPointer(joinPointer('/negative', name), 'create'), kind: 'identity' });
  }
  for (const [name, race] of Object.entries(obj(spec['concurrency']) ?? {})) {
    const base = joinPointer('/concurrency', name);
    const r = obj(race);
    if (typeof r?.['identity'] === 'string') out.push({ pointer: joinPointer(base, 'identity'), kind: 'identity' });
    names(joinPointer(base, 'identities'), r?.['identities'], 'identity');
    if (typeof r?.['group'] === 'string') out.push({ pointer: joinPointer(base, 'group'), kind: 'group' });
  }
  return out;
}

/** The name inside a scalar's span (without its quotes, when it has both). */
function innerSpan(text: string, span: { start: number; end: number }): { start: number; end: number } {
  const first = text[span.start];
  return (first === '"' || first === "'") && span.end - span.start >= 2 && text[span.end - 1] === first
    ? { start: span.start + 1, end: span.end - 1 }
    : span;
}

/** Every site naming an identity, group or variable: declarations, references, and `${{ … }}` uses. */
/**
 * Every identity, group and variable name in a document, declarations and uses. Listed once per
 * parse (hover, definition, references and rename all ask, and on a 50,000-line spec listing
 * them is most of a hover); callers must not change the list.
 */
export function nameSites(doc: ParsedDocument): readonly NameSite[] {
  let sites = siteCache.get(doc);
  if (!sites) siteCache.set(doc, (sites = listNameSites(doc)));
  return sites;
}

const siteCache = new WeakMap<ParsedDocument, readonly NameSite[]>();

function listNameSites(doc: ParsedDocument): NameSite[] {
  const sites: NameSite[] = [];
  const spec = obj(doc.value);
  if (!spec) return sites;
  for (const [section, kind] of [
    ['identities', 'identity'],
    ['groups', 'group'],
    ['variables', 'variable'],
  ] as const) {
    for (const name of Object.keys(obj(spec[section]) ?? {})) {
      const key = doc.locations.get(joinPointer(`/${section}`, name))?.key;
      if (key) sites.push({ kind, name, ...innerSpan(doc.text, key), declaration: true });
    }
  }
  for (const { pointer, kind } of referencePointers(spec)) {
    const location = doc.locations.get(pointer);
    if (!location) continue;
    const span = innerSpan(doc.text, location.value);
    sites.push({ kind, name: doc.text.slice(span.start, span.end), ...span, declaration: false });
  }
  // Expressions: ${{ vars.X }}, ${{ groups.X.id }} in any string value.
  for (const [pointer, location] of doc.locations) {
    const raw = doc.text.slice(location.value.start, location.value.end);
    if (!raw.includes('${{') || typeof valueAt(doc.value, pointer) !== 'string') continue;
    for (const e of findExpressions(raw)) {
      const name = e.path[0];
      if (!name || (e.namespace !== 'vars' && e.namespace !== 'groups')) continue;
      const at = location.value.start + e.innerStart + (e.namespace?.length ?? 0) + 1;
      sites.push({ kind: e.namespace === 'vars' ? 'variable' : 'group', name, start: at, end: at + name.length, declaration: false });
    }
  }
  return sites;
}

export function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (typeof current === 'object' && current !== null) current = (current as Record<string, unknown>)[token];
    else return undefined;
  }
  return current;
}

export function siteAt(sites: readonly NameSite[], offset: number): NameSite | undefined {
  return sites.find((s) => offset >= s.start && offset <= s.end);
}
