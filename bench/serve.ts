// bench/serve: the reference server under a create → get → patch → filter → delete mix at
// concurrency 32, driven by an undici Pool. The baseline, in the same run with the same client,
// is a bare node:http server answering a fixed SCIM-sized JSON body: the ceiling for this
// machine, client and Node, so the ratio shows what the SCIM work itself costs.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { startReferenceServer } from '../reference/index.ts';
import { ms, table } from './stats.ts';

const CONCURRENCY = 32;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);

interface Result {
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
}

type Step = (pool: Pool, worker: number, iteration: number, state: { id?: string }) => Promise<number>;

async function drive(origin: string, steps: Step[]): Promise<Result> {
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let iteration = 0; performance.now() < deadline; iteration++) {
        const state: { id?: string } = {};
        for (const step of steps) {
          const t0 = performance.now();
          const status = await step(pool, worker, iteration, state);
          latencies.push(performance.now() - t0);
          if (status >= 400) failures++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: latencies.length, seconds, latencies, failures };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function request(
  pool: Pool,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  pathname: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await pool.request({
    method,
    path: pathname,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function scimMix(basePath: string, token: string, run: string): Step[] {
  const headers = { authorization: `Bearer ${token}` };
  const userName = (w: number, i: number) => `bench-${run}-${w}-${i}@example.test`;
  return [
    async (pool, w, i, state) => {
      const r = await request(pool, 'POST', `${basePath}/Users`, headers, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: userName(w, i),
        name: { givenName: 'Bench', familyName: `User ${w}-${i}` },
        emails: [{ type: 'work', value: userName(w, i), primary: true }],
        active: true,
      });
      state.id = (r.json as { id?: string } | undefined)?.id;
      return r.status;
    },
    async (pool, _w, _i, state) => (await request(pool, 'GET', `${basePath}/Users/${state.id}`, headers)).status,
    async (pool, _w, _i, state) =>
      (
        await request(pool, 'PATCH', `${basePath}/Users/${state.id}`, headers, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
        })
      ).status,
    async (pool, w, i) =>
      (await request(pool, 'GET', `${basePath}/Users?filter=${encodeURIComponent(`userName eq "${userName(w, i)}"`)}`, headers)).status,
    async (pool, _w, _i, state) => (await request(pool, 'DELETE', `${basePath}/Users/${state.id}`, headers)).status,
  ];
}

export async function benchServe(): Promise<void> {
  const perUser = 'create → get → patch → filter → delete per user';
  console.log(`\nbench/serve: ${perUser}, ${CONCURRENCY} concurrent clients, ${SECONDS} s each\n`);
  const rows = [['server', 'req/s', 'p50', 'p99', 'errors', 'vs bare http']];

  const body = JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: 'x',
    userName: 'bench@example.test',
    active: true,
  });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/scim+json' }).end(body));
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const barePort = (bare.address() as AddressInfo).port;
  const bareSteps: Step[] = Array.from(
    { length: 5 },
    (_, k) => async (pool) => (await request(pool, k === 0 ? 'POST' : 'GET', '/x', {}, k === 0 ? {} : undefined)).status,
  );
  const baseline = await drive(`http://127.0.0.1:${barePort}`, bareSteps);
  await new Promise<void>((resolve) => bare.close(() => resolve()));
  const baselineRate = baseline.requests / baseline.seconds;
  rows.push([
    'bare node:http (baseline)',
    baselineRate.toFixed(0),
    ms(percentile(baseline.latencies, 50)),
    ms(percentile(baseline.latencies, 99)),
    String(baseline.failures),
    '1.00x',
  ]);

  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-bench-serve-'));
  try {
    for (const [label, db] of [
      ['reference, in memory', undefined],
      ['reference, SQLite file (WAL)', path.join(dir, 'bench.db')],
    ] as const) {
      const server = await startReferenceServer(db ? { db } : {});
      const url = new URL(server.baseUrl);
      const result = await drive(url.origin, scimMix(url.pathname, server.token, Math.random().toString(36).slice(2, 8)));
      await server.close();
      const rate = result.requests / result.seconds;
      rows.push([
        label,
        rate.toFixed(0),
        ms(percentile(result.latencies, 50)),
        ms(percentile(result.latencies, 99)),
        String(result.failures),
        `${(rate / baselineRate).toFixed(2)}x`,
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(table(rows));
}

if (import.meta.main) await benchServe();
