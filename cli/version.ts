// The package's version, from the nearest provspec package.json above this module (the sources,
// the bundle, or one of the bundle's chunks: they sit at different depths).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function version(): string {
  if (cached) return cached;
  cached = 'unknown';
  for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'provspec' && manifest.version) {
        cached = manifest.version;
        break;
      }
    } catch {
      // not at this depth
    }
  }
  return cached;
}
