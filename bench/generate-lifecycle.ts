// A spec of N lifecycle scenarios: the quickstart's joiner, mover and leaver, repeated.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export function bigSpec(count: number, concurrency: number): string {
  const spec = parse(readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8')) as Record<string, unknown>;
  const base = spec['lifecycle'] as Record<string, unknown>;
  const names = Object.keys(base);
  const lifecycle: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) lifecycle[`${names[i % names.length]}-${i}`] = base[names[i % names.length]!];
  spec['lifecycle'] = lifecycle;
  delete spec['negative'];
  delete spec['concurrency'];
  (spec['target'] as Record<string, unknown>)['concurrency'] = concurrency;
  // Each scenario written out (no anchors): a suite this size would exceed the alias expansion bound.
  return stringify(spec, { aliasDuplicateObjects: false });
}
