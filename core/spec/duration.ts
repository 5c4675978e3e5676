import type { Duration } from './types.ts';

/** Milliseconds of a spec duration (`500ms`, `10s`, `2m`, or a number of ms). */
export function durationMs(value: Duration | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$/.exec(value);
  if (!match) return fallback;
  const n = Number(match[1]);
  return Math.round(match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000);
}
