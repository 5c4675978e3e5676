// `provspec merge` and the Action's merge mode: the JSON reports of a sharded run become the
// report one run would have written, in memory bounded by the largest shard rather than by the
// run. Shards are read one at a time; each scenario's JSON goes to a scratch file as it is read
// and stays in memory only as its findings (what passed counted), so the reporters that need
// findings alone (terminal, JUnit, SARIF, Markdown, annotations) read the merged results, and
// the merged report is written from the scratch file, scenarios in source order.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { retirePassing, totalsOf, type ScenarioResult, type SpecResult, type Totals } from '../run/result.ts';
import { REPORT_VERSION, type JsonReport, type StoredExchange } from '../report/json.ts';
import {
  combineSetups,
  exchangeLookup,
  fromJsonScenario,
  fromJsonSpecFields,
  inSourceOrder,
  mergedMeta,
  mergeSpecFields,
  parseJsonReport,
  ReportFormatError,
  type MergedSpecFields,
} from '../report/merge.ts';
import { closed, openFile, written } from './streams.ts';

export interface ShardReport {
  /** How the report is named in messages. */
  name: string;
  path: string;
}

export interface MergedRun {
  runId: string;
  startedAt: string;
  ms: number;
  /** Each spec with every shard's scenarios in source order, findings only (see retirePassing). */
  results: SpecResult[];
  totals: Totals;
}

interface MergingSpec {
  fields: MergedSpecFields;
  /** Each scenario with where its JSON is in the scratch file. */
  scenarios: SpilledScenario[];
  /** The shards' setups, combined at the end (combineSetups): one per shard, small. */
  setups: JsonScenario[];
}

interface SpilledScenario {
  result: ScenarioResult;
  line: number;
  column: number;
  at: number;
  bytes: number;
}

type JsonScenario = JsonReport['specs'][number]['scenarios'][number];

/**
 * Merges shard reports (version 1 or 2; unreadable or malformed ones throw ReportFormatError
 * naming the file) and writes the merged report to `report` when given.
 */
export async function mergeShardReports(shards: readonly ShardReport[], options: { report?: string } = {}): Promise<MergedRun> {
  const scratchDir = await mkdtemp(path.join(tmpdir(), 'provspec-merge-'));
  const scratch = openSync(path.join(scratchDir, 'scenarios.ndjson'), 'w+');
  try {
    const specs = new Map<string, MergingSpec>();
    const exchanges: Record<string, StoredExchange> = {};
    const metas: Array<{ runId: string; startedAt: string; ms: number }> = [];
    let offset = 0;
    for (const shard of shards) {
      const text = await readFile(shard.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new ReportFormatError(`${shard.name}: cannot read (${error.code ?? error.message})`);
      });
      const report = parseJsonReport(text, shard.name);
      metas.push({ runId: report.runId, startedAt: report.startedAt, ms: report.ms });
      Object.assign(exchanges, report.exchanges);
      const exchange = exchangeLookup(report.exchanges);
      for (const { scenarios, ...spec } of report.specs) {
        const seen = specs.get(spec.file);
        const merging: MergingSpec = {
          fields: mergeSpecFields(seen?.fields, spec),
          scenarios: seen?.scenarios ?? [],
          setups: seen?.setups ?? [],
        };
        specs.set(spec.file, merging);
        for (const scenario of scenarios) {
          if (scenario.section === 'setup') {
            merging.setups.push(scenario);
            continue;
          }
          const json = Buffer.from(JSON.stringify(scenario));
          writeSync(scratch, json, 0, json.length, offset);
          const result = fromJsonScenario(scenario, exchange);
          retirePassing(result);
          merging.scenarios.push({ result, line: scenario.line, column: scenario.column, at: offset, bytes: json.length });
          offset += json.length;
        }
      }
    }
    const ordered = [...specs.values()].map(({ fields, scenarios, setups }) => {
      // The combined setup stays in memory as JSON (one per spec); the rest is read back from the scratch file.
      const setup = combineSetups(setups).map((json) => {
        const result = fromJsonScenario(json, exchangeLookup(exchanges));
        retirePassing(result);
        return { result, line: json.line, column: json.column, json };
      });
      return { fields, scenarios: inSourceOrder<SpilledScenario | (typeof setup)[number]>([...setup, ...scenarios], (s) => s) };
    });
    const results: SpecResult[] = ordered.map(({ fields, scenarios }) => ({
      ...fromJsonSpecFields(fields),
      scenarios: scenarios.map((s) => s.result),
    }));
    const meta = mergedMeta(metas);
    const totals = totalsOf(results);
    if (options.report !== undefined) {
      const out = await openFile(options.report);
      const write = (chunk: string | Buffer) => written(out, chunk);
      await write(
        `{"report":${REPORT_VERSION},"runId":${JSON.stringify(meta.runId)},"startedAt":${JSON.stringify(meta.startedAt)},"specs":[`,
      );
      for (const [i, { fields, scenarios }] of ordered.entries()) {
        await write(`${i ? ',' : ''}{"scenarios":[`);
        for (const [j, s] of scenarios.entries()) {
          if (j) await write(',');
          if ('json' in s) {
            await write(JSON.stringify(s.json));
            continue;
          }
          const bytes = Buffer.alloc(s.bytes);
          readSync(scratch, bytes, 0, s.bytes, s.at);
          await write(bytes);
        }
        await write(`],${JSON.stringify(fields).slice(1)}`);
      }
      await write(`],"ms":${meta.ms},"totals":${JSON.stringify(totals)},"exchanges":${JSON.stringify(exchanges)}}\n`);
      await closed(out);
    }
    return { ...meta, results, totals };
  } finally {
    closeSync(scratch);
    await rm(scratchDir, { recursive: true, force: true });
  }
}
