// bench/merge: `provspec merge` of 16 shard reports of 1,000 lifecycle scenarios each (made by
// real shard runs, each against its own `provspec serve`), its peak memory against merging
// every report in memory (the way merge worked before), each merge in its own process. The
// merged totals must be the same both ways.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './stats.ts';
import { serveInChild } from './serve-child.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SHARDS = Number(process.env['BENCH_MERGE_SHARDS'] ?? 16);
const PER_SHARD = Number(process.env['BENCH_MERGE_SCENARIOS'] ?? 1000);

interface MergeFigures {
  mode: string;
  shards: number;
  ms: number;
  maxRssMB: number;
  reportBytes: number;
  totals: Record<string, number>;
  findings: number;
}

export async function benchMerge(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-merge-bench-'));
  try {
    for (let i = 1; i <= SHARDS; i++) {
      const server = await serveInChild();
      try {
        execFileSync(
          process.execPath,
          [
            path.join(ROOT, 'bench', 'scale-child.ts'),
            String(SHARDS * PER_SHARD),
            server.baseUrl,
            server.token,
            path.join(dir, `shard-${String(i).padStart(2, '0')}.json`),
            `${i}/${SHARDS}`,
          ],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
      } finally {
        await server.close();
      }
    }
    const merge = (mode: string, first?: number) => {
      const out = execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'bench', 'merge-child.ts'),
          mode,
          dir,
          path.join(dir, `merged-${mode}.json`),
          ...(first === undefined ? [] : [String(first)]),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      return JSON.parse(out.trim().split('\n').pop()!) as MergeFigures;
    };
    // A quarter of the shards, streamed: memory that does not grow with the run stays the same.
    const quarter = merge('stream', Math.max(1, SHARDS / 4));
    const rows = [merge('memory'), quarter, merge('stream')];
    const [memory, , stream] = rows as [MergeFigures, MergeFigures, MergeFigures];
    console.log(`\nbench/merge: ${SHARDS} shard reports of ${PER_SHARD} lifecycle scenarios each, one process per merge\n`);
    console.log(
      table([
        ['merge', 'shards', 'wall', 'peak RSS', 'report', 'checks passed', 'findings'],
        ...rows.map((r) => [
          r.mode === 'stream' ? 'provspec merge (streamed)' : 'in memory (baseline)',
          String(r.shards),
          `${(r.ms / 1000).toFixed(1)} s`,
          `${r.maxRssMB} MB`,
          `${(r.reportBytes / 1e6).toFixed(1)} MB`,
          String(r.totals['pass']),
          String(r.findings),
        ]),
      ]),
    );
    console.log(
      `\npeak RSS, streamed: ${(stream.maxRssMB / memory.maxRssMB).toFixed(2)}x the in-memory merge's; ` +
        `${(stream.maxRssMB / quarter.maxRssMB).toFixed(2)}x its own for ${quarter.shards} shards`,
    );
    if (JSON.stringify(memory.totals) !== JSON.stringify(stream.totals) || memory.findings !== stream.findings)
      throw new Error(`the two merges disagree: ${JSON.stringify(memory.totals)} against ${JSON.stringify(stream.totals)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchMerge();
