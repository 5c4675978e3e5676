import { parsePointer } from '../document/pointer.ts';

/** A JSON pointer as a reader of the spec would write the path: `lifecycle.joiner.steps[1]`. */
export function describePointer(pointer: string): string {
  if (pointer === '') return 'the spec';
  let out = '';
  for (const token of parsePointer(pointer)) {
    if (/^(0|[1-9][0-9]*)$/.test(token)) out += `[${token}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(token)) out += out === '' ? token : `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

export function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'a mapping';
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

export function describeTypes(types: string | string[]): string {
  const list = (Array.isArray(types) ? types : [types]).map((t) => TYPE_NAMES[t] ?? t);
  if (list.length <= 1) return list[0] ?? 'a value';
  return `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
}

export function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
