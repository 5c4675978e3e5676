// The misbehaviours the load fixture proves (test/integration/load.test.ts), shared with the
// check that every misbehaviour is proven somewhere (conformance.test.ts).
export interface LoadCase {
  flags: string[];
  slowMs: number;
  scenario: string;
  check: string;
  verdict: 'fail' | 'blocked';
  line: number;
}

export const LOAD_CASES: readonly LoadCase[] = [
  // One at a time, 100 ms each: at most 10 answers a second, below the 20 the spec asks.
  { flags: ['one-at-a-time', 'slow'], slowMs: 100, scenario: 'steady', check: 'load.rate', verdict: 'fail', line: 19 },
  // Below the rate, the latency is the queue's: blocked by the rate, not a second failure.
  { flags: ['one-at-a-time', 'slow'], slowMs: 100, scenario: 'quick', check: 'load.latency', verdict: 'blocked', line: 27 },
  // 250 ms each, answered in parallel: the rate holds, the p95 bound of 150 ms does not.
  { flags: ['slow'], slowMs: 250, scenario: 'quick', check: 'load.latency', verdict: 'fail', line: 27 },
  // More than 4 at once is a 503: at 80/s and 100 ms each, about 8 are in flight.
  { flags: ['overload-503', 'slow'], slowMs: 100, scenario: 'clean', check: 'load.errors', verdict: 'fail', line: 34 },
];
