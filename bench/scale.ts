// bench/scale: peak memory and JSON report size of a run as the suite grows (200, 1,000 and
// 3,000 lifecycle scenarios at concurrency 16), each run in its own process against one
// `provspec serve` in another, so a figure is the runner's own. Memory should stay flat in the
// suite's size: the ratio to the 200-scenario run is printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './stats.ts';
import { serveInChild } from './serve-child.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SIZES = (process.env['BENCH_SCALE'] ?? '200,1000,3000').split(',').map(Number);

interface Figures {
  scenarios: number;
  failed: number;
  ms: number;
  maxRssMB: number;
  reportBytes: number;
}

export async function benchScale(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-scale-'));
  const rows: Figures[] = [];
  try {
    for (const size of SIZES) {
      const server = await serveInChild();
      try {
        const out = execFileSync(
          process.execPath,
          [path.join(ROOT, 'bench', 'scale-child.ts'), String(size), server.baseUrl, server.token, path.join(dir, `${size}.json`)],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        rows.push(JSON.parse(out.trim().split('\n').pop()!) as Figures);
      } finally {
        await server.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rows[0]!;
  console.log(`\nbench/scale: lifecycle scenarios (quickstart joiner/mover/leaver) at concurrency 16, one process per size\n`);
  console.log(
    table([
      ['scenarios', 'wall', 'peak RSS', 'RSS ratio', 'JSON report', 'failed'],
      ...rows.map((r) => [
        String(r.scenarios),
        `${(r.ms / 1000).toFixed(1)} s`,
        `${r.maxRssMB} MB`,
        `${(r.maxRssMB / base.maxRssMB).toFixed(2)}x`,
        `${(r.reportBytes / 1e6).toFixed(1)} MB`,
        String(r.failed),
      ]),
    ]),
  );
}

if (import.meta.main) await benchScale();
