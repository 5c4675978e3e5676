// The npm package is the product for `npx` users: `npm pack`, installed into an empty project
// (no registry: the package has no dependencies), runs `provspec init`, `validate` and
// `run --embedded` there, on every Node line package.json's engines claims. It carries no
// install scripts, no source maps, and a LICENSE.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './cli.ts';

/** Node 22 from the npm registry, installed once into .tools/ (as scripts/use-node24.sh installs 24). */
function node22(): string | undefined {
  const prefix = path.join(ROOT, '.tools', 'node22');
  const binary = path.join(prefix, 'node_modules', '.bin', 'node');
  if (!existsSync(binary)) {
    try {
      execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', prefix, 'node@22'], { stdio: 'pipe' });
    } catch (error) {
      if (process.env['CI'] === 'true') throw error;
      return undefined;
    }
  }
  return binary;
}

describe('the npm package', () => {
  let dir: string;
  let tarball: string;
  let manifest: { dependencies?: object; scripts?: Record<string, string>; engines: { node: string } };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'provspec-pack-'));
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as Array<{ filename: string; files: Array<{ path: string }>; unpackedSize: number }>;
    tarball = path.join(dir, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    assert.ok(files.includes('LICENSE') && files.includes('bin/provspec.js') && files.includes('dist/cli.js'), files.join(', '));
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
      'no source maps',
    );
    // Lean: the minified bundle with the federation IdPs and relying parties is 4.2 MB unpacked,
    // 1.2 MB to download; 5 MB leaves room, and catches a dependency that would balloon it.
    assert.ok(packed[0]!.unpackedSize < 5 * 1024 * 1024, `lean: ${packed[0]!.unpackedSize} bytes unpacked`);
    manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has no runtime dependencies and no install scripts', () => {
    assert.equal(manifest.dependencies, undefined, 'dist/ bundles every runtime dependency');
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
      assert.equal(manifest.scripts?.[hook], undefined, `no ${hook} script`);
  });

  const lines: Array<{ name: string; node: () => string | undefined }> = [
    { name: 'Node 24 (this one)', node: () => process.execPath },
    { name: 'Node 22', node: node22 },
  ];
  for (const line of lines) {
    it(`installs into an empty project and runs init, validate and run --embedded on ${line.name}`, (t) => {
      const node = line.node();
      if (!node) return t.skip('Node 22 could not be installed from the registry here');
      const project = mkdtempSync(path.join(dir, 'project-'));
      writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","private":true}\n');
      // npm itself runs on the Node it came with; the CLI runs on the line under test.
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe' });
      const bin = path.join(project, 'node_modules', 'provspec', 'bin', 'provspec.js');
      const cli = (...args: string[]) =>
        execFileSync(node, [bin, ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.match(execFileSync(node, ['--version'], { encoding: 'utf8' }), line.name === 'Node 22' ? /^v22\./ : /^v\d+\./);
      cli('init');
      assert.ok(existsSync(path.join(project, 'provisioning.provspec.yaml')));
      assert.match(cli('validate', 'provisioning.provspec.yaml'), /no problems|valid|✔/i);
      const run = cli('run', 'provisioning.provspec.yaml', '--embedded');
      assert.match(run, /scenarios passed/);
      assert.match(run, /nothing left behind/);
    });
  }
});
