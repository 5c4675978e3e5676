// JUnit XML for CI systems: a suite per spec, a test case per scenario, failing checks as
// <failure> (or <error>) elements with the spec location. A failing test case's `line` is its
// first failing check's (what a test reporter annotates), not the scenario's; suites carry when
// they ran, and the root the run's totals.
import type { SpecResult } from '../run/result.ts';
import { describe, fromCheck, locationOf } from './finding.ts';

function xml(text: string): string {
  return text
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countsOf(spec: SpecResult): Counts {
  const cases = spec.scenarios;
  return {
    tests: cases.length + (spec.error ? 1 : 0),
    failures: cases.filter((c) => c.status === 'fail').length,
    errors: cases.filter((c) => c.status === 'error').length + (spec.error ? 1 : 0),
    skipped: cases.filter((c) => c.status === 'skipped').length,
  };
}

function countAttributes(c: Counts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"`;
}

export function toJunit(specs: readonly SpecResult[]): string {
  const counts = specs.map(countsOf);
  const total = counts.reduce(
    (a, c) => ({
      tests: a.tests + c.tests,
      failures: a.failures + c.failures,
      errors: a.errors + c.errors,
      skipped: a.skipped + c.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  const seconds = specs.reduce((sum, spec) => sum + spec.ms, 0) / 1000;
  const first = specs
    .map((s) => s.startedAt)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="provspec" ${countAttributes(total)} time="${seconds.toFixed(3)}"${first ? ` timestamp="${xml(first)}"` : ''}>`,
  ];
  for (const [i, spec] of specs.entries()) {
    out.push(
      `  <testsuite name="${xml(spec.name)}" file="${xml(spec.file)}" ${countAttributes(counts[i]!)} ` +
        `time="${(spec.ms / 1000).toFixed(3)}"${spec.startedAt ? ` timestamp="${xml(spec.startedAt)}"` : ''}>`,
    );
    if (spec.error) {
      out.push(
        `    <testcase classname="${xml(spec.file)}" name="run" ` +
          `file="${xml(spec.file)}"><error message="${xml(spec.error.message)}"/></testcase>`,
      );
    }
    for (const scenario of spec.scenarios) {
      const name = `${scenario.section}.${scenario.name}`;
      // Where a reporter puts its annotation: the first check that failed (or errored), else the scenario.
      const failed = scenario.checks.find((c) => c.status === 'fail') ?? scenario.checks.find((c) => c.status === 'error');
      const line = (failed?.range ?? scenario.range).start.line + 1;
      out.push(
        `    <testcase classname="${xml(spec.file)}" name="${xml(name)}" file="${xml(spec.file)}" ` +
          `line="${line}" time="${(scenario.ms / 1000).toFixed(3)}"${scenario.startedAt ? ` timestamp="${xml(scenario.startedAt)}"` : ''}>`,
      );
      if (scenario.status === 'skipped') out.push(`      <skipped message="${xml(scenario.skipped ?? 'skipped')}"/>`);
      // Warnings and blocked checks do not fail a test case; they are said in its output.
      const notes = scenario.checks
        .filter((c) => c.status === 'warn' || c.status === 'blocked')
        .map(
          (c) =>
            `${c.status} ${locationOf({ file: spec.file, range: c.range })} ${c.id}: ${c.title}` +
            `${c.message ? `: ${c.message}` : ''} (${c.level} · ${c.basis})`,
        );
      if (notes.length) out.push(`      <system-out>${xml(notes.join('\n'))}</system-out>`);
      for (const check of scenario.checks) {
        if (check.status !== 'fail' && check.status !== 'error') continue;
        const f = fromCheck(spec.file, scenario, check);
        const tag = check.status === 'fail' ? 'failure' : 'error';
        const body = `${locationOf(f)} ${check.id}\n${describe(f)}`;
        out.push(`      <${tag} message="${xml(`${check.title}: ${f.message}`)}" type="${xml(check.id)}">${xml(body)}</${tag}>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
