// bench/runner: the quickstart's joiner/mover/leaver ×200 scenarios through provspec's runner
// against the reference server at concurrency 16, versus a raw undici loop that issues the very
// same requests (recorded from the runner's own run, with ids and run tags substituted) at the
// same concurrency, against a fresh server. The server runs in its own process (`provspec serve`),
// as a real target would, so the ratio is the runner's own overhead: planning, checks, evidence,
// redaction, cleanup bookkeeping.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { validateText } from '../core/validate/index.ts';
import { buildPlan } from '../core/plan/plan.ts';
import { runPlan } from '../core/run/runner.ts';
import type { Exchange } from '../core/scim/exchange.ts';
import { median, ms, table } from './stats.ts';
import { bigSpec } from './generate-lifecycle.ts';
import { serveInChild } from './serve-child.ts';

const SCENARIOS = Number(process.env['BENCH_SCENARIOS'] ?? 200);
const CONCURRENCY = 16;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

interface Recorded {
  scenario: string;
  method: string;
  url: string;
  body?: string;
  responseId?: string;
}

export async function benchRunner(): Promise<void> {
  // A small round first, so neither side pays for JIT warm-up (of the client, or of the
  // in-process server both talk to); then three measured rounds, each in both orders' favour.
  await round(20);
  const rounds: Array<Awaited<ReturnType<typeof round>>> = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(SCENARIOS));
  const pick = (key: 'runnerMs' | 'rawMs') => median(rounds.map((r) => r[key]));
  const { requests, checks } = rounds[0]!;
  const runnerMs = pick('runnerMs');
  const rawMs = pick('rawMs');
  // Each round pairs both sides under the same machine load; the ratio is the median of the pairs.
  const ratios = rounds.map((r) => r.runnerMs / r.rawMs).sort((a, b) => a - b);
  console.log(
    `\nbench/runner: ${SCENARIOS} lifecycle scenarios (quickstart joiner/mover/leaver), ` +
      `concurrency ${CONCURRENCY}, ${requests} requests, ${checks} checks; median of ${ROUNDS} rounds\n`,
  );
  console.log(
    table([
      ['', 'wall', 'req/s', 'ratio'],
      ['raw undici loop, same requests (baseline)', ms(rawMs), (requests / (rawMs / 1000)).toFixed(0), '1.00x'],
      ['provspec runner', ms(runnerMs), (requests / (runnerMs / 1000)).toFixed(0), `${median(ratios).toFixed(2)}x`],
    ]),
  );
  console.log(`\nratio per round (runner / raw, paired): ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')}`);
  // Client and server share the cores: the client's own CPU time is what the runner adds.
  const cpu = (key: 'runnerCpuMs' | 'rawCpuMs') => median(rounds.map((r) => r[key]));
  console.log(
    `client CPU (median): raw loop ${ms(cpu('rawCpuMs'))} (${((cpu('rawCpuMs') * 1000) / requests).toFixed(0)} ` +
      `µs/request), runner ${ms(cpu('runnerCpuMs'))} ` +
      `(${((cpu('runnerCpuMs') * 1000) / requests).toFixed(0)} µs/request, checks and evidence included)`,
  );
}

async function round(
  count: number,
): Promise<{ runnerMs: number; rawMs: number; runnerCpuMs: number; rawCpuMs: number; requests: number; checks: number }> {
  const text = bigSpec(count, CONCURRENCY);
  const validation = validateText(text, 'bench.provspec.yaml');
  if (!validation.spec) throw new Error(validation.diagnostics.map((d) => d.message).join('; '));

  // 1. provspec's runner, recording every exchange.
  const recorded: Recorded[] = [];
  const first = await serveInChild();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await runPlan(buildPlan('bench.provspec.yaml', validation.document, validation.spec), {
    env: { SCIM_BASE_URL: first.baseUrl, SCIM_TOKEN: first.token },
    runId: 'benchA',
    onExchange: (e: Exchange, context) =>
      recorded.push({
        scenario: context.scenario ?? '',
        method: e.method,
        url: e.url,
        ...(e.requestBody === undefined ? {} : { body: e.requestBody }),
        ...(typeof (e.json as { id?: unknown } | undefined)?.id === 'string' && e.method === 'POST'
          ? { responseId: (e.json as { id: string }).id }
          : {}),
      }),
  });
  const runnerMs = performance.now() - t0;
  const runnerCpuMs = cpuMs(process.cpuUsage(c0));
  await first.close();
  const failed = result.scenarios.flatMap((s) => s.checks).filter((c) => c.status !== 'pass').length;
  if (failed || result.orphans.length) throw new Error(`the runner's own run was not clean (${failed} failing checks)`);
  const checks = result.scenarios.reduce((n, s) => n + s.checks.length, 0);

  // 2. The same requests with raw undici: per scenario in order, scenarios 16 at a time.
  const second = await serveInChild();
  const origin = new URL(second.baseUrl).origin;
  const oldOrigin = new URL(recorded[0]!.url).origin;
  const pool = new Pool(origin, { connections: CONCURRENCY });
  const ids = new Map<string, string>();
  const substitute = (s: string) =>
    s
      .split(oldOrigin)
      .join(origin)
      .split('benchA')
      .join('benchB')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => ids.get(id) ?? id);
  const send = async (r: Recorded) => {
    const url = new URL(substitute(r.url));
    const response = await pool.request({
      method: r.method as 'GET',
      path: url.pathname + url.search,
      headers: { authorization: `Bearer ${second.token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' },
      ...(r.body === undefined ? {} : { body: substitute(r.body) }),
    });
    const body = await response.body.text();
    if (r.responseId && response.statusCode === 201) ids.set(r.responseId, (JSON.parse(body) as { id: string }).id);
  };
  const byScenario = new Map<string, Recorded[]>();
  for (const r of recorded) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const setup = byScenario.get('setup') ?? [];
  const cleanup = byScenario.get('cleanup') ?? [];
  const scenarios = [...byScenario].filter(([name]) => name !== 'setup' && name !== 'cleanup').map(([, list]) => list);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  for (const r of setup) await send(r);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let list = scenarios.shift(); list; list = scenarios.shift()) for (const r of list) await send(r);
    }),
  );
  for (const r of cleanup) await send(r);
  const rawMs = performance.now() - t1;
  const rawCpuMs = cpuMs(process.cpuUsage(c1));
  await pool.close();
  await second.close();

  return { runnerMs, rawMs, runnerCpuMs, rawCpuMs, requests: recorded.length, checks };
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

if (import.meta.main) await benchRunner();
