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
// V8's young generation grows to tens of MB under a run's allocation rate, whatever the suite's
// size; a runner with little memory can cap it (NODE_OPTIONS), and the second table shows what that costs.
const SMALL_YOUNG_GENERATION = '--max-semi-space-size=2';

interface Figures {
  scenarios: number;
  failed: number;
  ms: number;
  maxRssMB: number;
  liveMB: number;
  reportBytes: number;
}

export async function benchScale(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-scale-'));
  try {
    const plain = await measure(SIZES, [], dir);
    print('lifecycle scenarios (quickstart joiner/mover/leaver) at concurrency 16, one process per size', plain);
    const capped = await measure([SIZES[0]!, SIZES.at(-1)!], [SMALL_YOUNG_GENERATION], dir);
    print(`the same with node ${SMALL_YOUNG_GENERATION} (NODE_OPTIONS)`, capped);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(sizes: readonly number[], flags: readonly string[], dir: string): Promise<Figures[]> {
  const rows: Figures[] = [];
  for (const size of sizes) {
    const server = await serveInChild();
    try {
      const out = execFileSync(
        process.execPath,
        [
          ...flags,
          '--expose-gc',
          path.join(ROOT, 'bench', 'scale-child.ts'),
          String(size),
          server.baseUrl,
          server.token,
          path.join(dir, `${size}.json`),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      rows.push(JSON.parse(out.trim().split('\n').pop()!) as Figures);
    } finally {
      await server.close();
    }
  }
  return rows;
}

function print(title: string, rows: readonly Figures[]): void {
  const base = rows[0]!;
  console.log(`\nbench/scale: ${title}\n`);
  console.log(
    table([
      ['scenarios', 'wall', 'peak RSS', 'RSS ratio', 'live heap after', 'JSON report', 'failed'],
      ...rows.map((r) => [
        String(r.scenarios),
        `${(r.ms / 1000).toFixed(1)} s`,
        `${r.maxRssMB} MB`,
        `${(r.maxRssMB / base.maxRssMB).toFixed(2)}x`,
        `${r.liveMB} MB`,
        `${(r.reportBytes / 1e6).toFixed(1)} MB`,
        String(r.failed),
      ]),
    ]),
  );
}

if (import.meta.main) await benchScale();
