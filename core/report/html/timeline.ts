// What the HTML report's waterfalls are drawn from: every exchange and check of every scenario,
// kept compact (no headers, no bodies: those are kept for findings only, in the results) and
// bounded, on the run's clock. Fed by the same run callbacks as the trace.
import { performance } from 'node:perf_hooks';
import type { Plan } from '../../plan/plan.ts';
import type { RunOptions } from '../../run/runner.ts';
import { resourceOf } from '../trace.ts';

/** An exchange on a waterfall: [x, request id, method, path, status (0: none), start ms, duration ms, step, resource id]. */
export type TimelineExchange = ['x', string, string, string, number, number, number, string, string];
/** A check on a waterfall: [c, check id, status, at ms]. */
export type TimelineCheck = ['c', string, string, number];
export type TimelineEntry = TimelineExchange | TimelineCheck;

/** Entries kept in all; past it, later ones are counted, not kept (the report says so). */
export const MAX_TIMELINE_ENTRIES = 250_000;

export class HtmlTimeline {
  readonly #zero = performance.now();
  readonly #entries = new Map<string, TimelineEntry[]>();
  /** Where each scenario began on the run's clock. */
  readonly #starts = new Map<string, number>();
  #kept = 0;
  dropped = 0;

  /** The key a scenario's entries are kept under. */
  static key(file: string, section: string, name: string): string {
    return `${file}\u0000${section}.${name}`;
  }

  forPlan(plan: Plan): Partial<RunOptions> {
    const sectionOf = new Map(plan.scenarios.map((s) => [s.name, s.section] as const));
    // The groups' set-up reports as a scenario "setup" of no section; its result is setup.groups.
    const keyOf = (name: string | undefined, section?: string): string => {
      if (name === 'setup' && !sectionOf.has('setup')) return HtmlTimeline.key(plan.file, 'setup', 'groups');
      return HtmlTimeline.key(
        plan.file,
        section ?? (name === undefined ? 'run' : (sectionOf.get(name) ?? 'run')),
        name ?? 'setup and cleanup',
      );
    };
    return {
      onScenarioStart: (scenario) => this.#starts.set(keyOf(scenario.name, scenario.section), this.#now()),
      onExchange: (exchange, context) => {
        const key = keyOf(context.scenario);
        let path = exchange.url;
        try {
          const url = new URL(exchange.url);
          path = `${url.pathname}${url.search}`;
        } catch {
          // Kept as it came.
        }
        const start = Math.max(0, this.#now() - exchange.ms);
        this.#add(key, [
          'x',
          exchange.id,
          exchange.method,
          path.slice(0, 300),
          exchange.status ?? 0,
          round(start),
          round(exchange.ms),
          context.step ?? '',
          resourceOf(exchange)?.id ?? '',
        ]);
      },
      onCheck: (check, scenario) =>
        this.#add(sectionOf.has(scenario.name) ? keyOf(scenario.name, scenario.section) : keyOf(scenario.name), [
          'c',
          check.id,
          check.status,
          round(this.#now()),
        ]),
    };
  }

  entries(key: string): readonly TimelineEntry[] {
    return this.#entries.get(key) ?? [];
  }

  started(key: string): number | undefined {
    return this.#starts.get(key);
  }

  /** Every key with entries: the scenarios' and the run's own (setup and cleanup). */
  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }

  #now(): number {
    return performance.now() - this.#zero;
  }

  #add(key: string, entry: TimelineEntry): void {
    if (this.#kept >= MAX_TIMELINE_ENTRIES) {
      this.dropped++;
      return;
    }
    this.#kept++;
    let list = this.#entries.get(key);
    if (!list) this.#entries.set(key, (list = []));
    list.push(entry);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
