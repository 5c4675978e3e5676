// The licence notices of every package an esbuild bundle contains, from the bundle's metafile:
// bundling copies their code, and their licences (MIT, ISC, BSD, Apache-2.0) ask that the
// notices travel with it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';

interface Package {
  name: string;
  version: string;
  license: string;
  text: string;
}

function packageRoot(input: string): string | undefined {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const scoped = parts[at + 1]?.startsWith('@');
  return parts.slice(0, at + (scoped ? 3 : 2)).join('/');
}

function licenceText(dir: string): string {
  // Sorted: directory order differs between file systems, and the committed notices must not.
  const file = readdirSync(dir)
    .sort()
    .find((f) => /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i.test(f));
  return file ? readFileSync(path.join(dir, file), 'utf8').trim() : '';
}

export function thirdPartyNotices(metafile: Metafile, root: string, product: string): string {
  const packages = new Map<string, Package>();
  for (const input of Object.keys(metafile.inputs)) {
    const relative = packageRoot(input);
    if (!relative || packages.has(relative)) continue;
    const dir = path.resolve(root, relative);
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string; license?: string };
    packages.set(relative, { name: pkg.name, version: pkg.version, license: pkg.license ?? 'see text', text: licenceText(dir) });
  }
  const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const parts = [`${product} bundles the following packages. Their licence notices follow.\n`];
  for (const p of sorted)
    parts.push(
      `${'-'.repeat(72)}\n${p.name}@${p.version} (${p.license})\n\n` +
        `${p.text || `(the package ships no licence file; its package.json says ${p.license})`}\n`,
    );
  return `${parts.join('\n')}`;
}
