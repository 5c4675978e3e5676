import type { NodeLocation, ParsedDocument, SourceFormat } from './types.ts';
import { parseJson } from './json.ts';
import { parentPointer } from './pointer.ts';
import { parseYaml } from './yaml.ts';

/** `.json` files are JSON; everything else (`.yaml`, `.yml`, untitled buffers) is YAML. */
export function detectFormat(name: string): SourceFormat {
  // Names may be URIs with a query or fragment, e.g. from an editor.
  const path = name.replace(/[?#].*$/, '');
  return /\.json$/i.test(path) ? 'json' : 'yaml';
}

/**
 * Parses a spec. Never throws: syntax problems become diagnostics. A leading byte order mark is
 * skipped by both parsers, while every offset and range still refers to `text` as given.
 */
export function parseDocument(text: string, name: string, format?: SourceFormat): ParsedDocument {
  return (format ?? detectFormat(name)) === 'json' ? parseJson(text, name) : parseYaml(text, name);
}

/** The location of `pointer`, or of its nearest ancestor that has one (the root at worst). */
export function locate(doc: Pick<ParsedDocument, 'locations'>, pointer: string): NodeLocation | undefined {
  let current: string | undefined = pointer;
  while (current !== undefined) {
    const location = doc.locations.get(current);
    if (location !== undefined) return location;
    current = parentPointer(current);
  }
  return undefined;
}
