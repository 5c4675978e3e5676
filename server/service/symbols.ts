// The outline: identities, groups, role rules, scenarios and their steps.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { joinPointer, spanToRange, type ParsedDocument } from '../../core/document/index.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

/** A role rule's name, or its place in the list when it has none (or a name that is not a string). */
function ruleName(rule: unknown, i: number): string {
  const name = obj(rule)?.['name'];
  return typeof name === 'string' || typeof name === 'number' ? String(name) : `rule ${i + 1}`;
}

/** The group names of a `memberOf` list, comma-separated; nothing for a value that is not a list. */
function groupList(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((g): g is string => typeof g === 'string').join(', ') || undefined;
}

export function documentSymbols(doc: ParsedDocument): DocumentSymbol[] {
  const spec = obj(doc.value);
  if (!spec) return [];
  const symbol = (
    pointer: string,
    name: string,
    kind: SymbolKind,
    detail?: string,
    children?: DocumentSymbol[],
  ): DocumentSymbol | undefined => {
    const location = doc.locations.get(pointer);
    if (!location) return undefined;
    const selection = location.key ?? location.value;
    // The whole member, key and value; an empty value (`name:`) may end before its key does.
    const full = { start: Math.min(selection.start, location.value.start), end: Math.max(selection.end, location.value.end) };
    return {
      name: name || '(unnamed)',
      kind,
      range: spanToRange(doc, full),
      selectionRange: spanToRange(doc, selection),
      ...(detail ? { detail } : {}),
      ...(children?.length ? { children } : {}),
    };
  };
  const out: DocumentSymbol[] = [];
  const section = (
    name: string,
    kind: SymbolKind,
    childKind: SymbolKind,
    detail?: (value: unknown) => string | undefined,
    children?: (pointer: string, value: unknown) => DocumentSymbol[],
  ) => {
    const value = obj(spec[name]);
    if (!value) return;
    const members = Object.entries(value)
      .map(([key, v]) => symbol(joinPointer(`/${name}`, key), key, childKind, detail?.(v), children?.(joinPointer(`/${name}`, key), v)))
      .filter((s): s is DocumentSymbol => !!s);
    const top = symbol(`/${name}`, name, kind, undefined, members);
    if (top) out.push(top);
  };
  const target = symbol(
    '/target',
    'target',
    SymbolKind.Object,
    typeof obj(spec['target'])?.['baseUrl'] === 'string' ? String(obj(spec['target'])!['baseUrl']) : undefined,
  );
  if (target) out.push(target);
  section('identities', SymbolKind.Namespace, SymbolKind.Variable);
  section('mapping', SymbolKind.Namespace, SymbolKind.Field, (v) => (typeof v === 'string' ? v : undefined));
  section('groups', SymbolKind.Namespace, SymbolKind.Class);
  if (Array.isArray(spec['roles'])) {
    const rules = spec['roles']
      .map((rule, i) => symbol(`/roles/${i}`, ruleName(rule, i), SymbolKind.Struct, groupList(obj(rule)?.['memberOf'])))
      .filter((s): s is DocumentSymbol => !!s);
    const top = symbol('/roles', 'roles', SymbolKind.Namespace, undefined, rules);
    if (top) out.push(top);
  }
  section(
    'lifecycle',
    SymbolKind.Namespace,
    SymbolKind.Function,
    (v) => (typeof obj(v)?.['identity'] === 'string' ? `identity ${String(obj(v)!['identity'])}` : undefined),
    (pointer, v) => {
      const steps = obj(v)?.['steps'];
      if (!Array.isArray(steps)) return [];
      return steps
        .map((step, i) =>
          symbol(
            joinPointer(joinPointer(pointer, 'steps'), String(i)),
            typeof step === 'string' ? step : (Object.keys(obj(step) ?? {})[0] ?? 'step'),
            SymbolKind.Event,
          ),
        )
        .filter((s): s is DocumentSymbol => !!s);
    },
  );
  section('negative', SymbolKind.Namespace, SymbolKind.Function);
  section('concurrency', SymbolKind.Namespace, SymbolKind.Function);
  section('load', SymbolKind.Namespace, SymbolKind.Function);
  return out;
}
