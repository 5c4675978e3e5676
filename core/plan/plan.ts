// spec → plan: which scenarios run, in which dialect, with which source ranges. Pure: the
// runner executes a plan, reporters and the Action read its ranges.
import type { Range } from '../diagnostic.ts';
import type { ParsedDocument } from '../document/index.ts';
import { joinPointer } from '../document/index.ts';
import type { ConcurrencyCase, Dialect, LifecycleScenario, LoadCase, NegativeCase, Spec } from '../spec/types.ts';
import { rangeAtPointer } from '../document/range.ts';

/** Where a scenario comes from in the spec; setup is the run's own group preparation. */
export type Section = 'lifecycle' | 'negative' | 'concurrency' | 'load' | 'conformance' | 'setup';

export type ConformanceSuite = 'rfc7644' | 'entra' | 'okta' | 'oidc-rp' | 'saml-sp';

export interface PlannedScenario {
  section: Exclude<Section, 'setup'>;
  name: string;
  pointer: string;
  range: Range;
  dialect: Dialect;
  skip?: string;
  lifecycle?: LifecycleScenario;
  negative?: NegativeCase;
  concurrency?: ConcurrencyCase;
  load?: LoadCase;
  conformance?: ConformanceSuite;
}

export interface Plan {
  file: string;
  document: ParsedDocument;
  spec: Spec;
  dialect: Dialect;
  scenarios: PlannedScenario[];
}

export interface PlanOptions {
  /** Only these scenario names (any section); all when empty. */
  scenarios?: readonly string[];
  /** Overrides the spec's target.dialect (scenario-level dialects still win). */
  dialect?: Dialect;
  /** 1-based shard index and count: scenarios are dealt round-robin in source order. */
  shard?: { index: number; count: number };
}

export class PlanError extends Error {}

/** The range of the spec node at `pointer`, as every consumer shows it (core/document/range.ts). */
export function rangeAt(document: ParsedDocument, pointer: string, part: 'key' | 'value' = 'key'): Range {
  return rangeAtPointer(document, pointer, part);
}

export function buildPlan(file: string, document: ParsedDocument, spec: Spec, options: PlanOptions = {}): Plan {
  const dialect = options.dialect ?? spec.target.dialect ?? 'rfc7644';
  const all: PlannedScenario[] = [];
  const add = (
    section: PlannedScenario['section'],
    name: string,
    body: { dialect?: Dialect; skip?: boolean | string },
    extra: Partial<PlannedScenario>,
  ) => {
    const pointer = joinPointer(`/${section}`, name);
    const skip = body.skip === true ? 'skip: true in the spec' : typeof body.skip === 'string' ? body.skip : undefined;
    all.push({
      section,
      name,
      pointer,
      range: rangeAt(document, pointer),
      dialect: body.dialect ?? dialect,
      ...(skip ? { skip } : {}),
      ...extra,
    });
  };
  for (const [name, scenario] of Object.entries(spec.lifecycle ?? {})) add('lifecycle', name, scenario, { lifecycle: scenario });
  for (const [name, negative] of Object.entries(spec.negative ?? {})) add('negative', name, negative, { negative });
  for (const [name, race] of Object.entries(spec.concurrency ?? {})) add('concurrency', name, race, { concurrency: race });
  for (const [name, load] of Object.entries(spec.load ?? {})) add('load', name, load, { load });
  (spec.conformance ?? []).forEach((suite, index) => {
    // Each suite is a scenario of its own, declared by its item in the list.
    const pointer = `/conformance/${index}`;
    all.push({
      section: 'conformance',
      name: suite,
      pointer,
      range: rangeAt(document, pointer, 'value'),
      // The IdP suites send that IdP's shapes; the others the spec's dialect.
      dialect: suite === 'entra' || suite === 'okta' ? suite : dialect,
      conformance: suite,
    });
  });

  let scenarios = all;
  if (options.scenarios?.length) {
    const wanted = new Set(options.scenarios);
    const unknown = [...wanted].filter((n) => !all.some((s) => s.name === n));
    if (unknown.length === wanted.size)
      throw new PlanError(`No scenario named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in ${file}.`);
    scenarios = all.filter((s) => wanted.has(s.name));
  }
  if (options.shard) {
    const { index, count } = options.shard;
    scenarios = scenarios.filter((_, i) => i % count === index - 1);
  }
  return { file, document, spec, dialect, scenarios };
}

export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new PlanError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), not "${text}"`);
  return { index, count };
}
