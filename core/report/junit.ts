// JUnit XML for CI systems: a suite per spec, a test case per scenario, failing checks as
// <failure> (or <error>) elements with the spec location.
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

export function toJunit(specs: readonly SpecResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="provspec">'];
  for (const spec of specs) {
    const cases = spec.scenarios;
    const failures = cases.filter((c) => c.status === 'fail').length;
    const errors = cases.filter((c) => c.status === 'error').length + (spec.error ? 1 : 0);
    const skipped = cases.filter((c) => c.status === 'skipped').length;
    out.push(
      `  <testsuite name="${xml(spec.name)}" file="${xml(spec.file)}" tests="${cases.length + (spec.error ? 1 : 0)}" ` +
        `failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(spec.ms / 1000).toFixed(3)}">`,
    );
    if (spec.error) {
      out.push(
        `    <testcase classname="${xml(spec.file)}" name="run" ` +
          `file="${xml(spec.file)}"><error message="${xml(spec.error.message)}"/></testcase>`,
      );
    }
    for (const scenario of cases) {
      const name = `${scenario.section}.${scenario.name}`;
      out.push(
        `    <testcase classname="${xml(spec.file)}" name="${xml(name)}" file="${xml(spec.file)}" ` +
          `line="${scenario.range.start.line + 1}" time="${(scenario.ms / 1000).toFixed(3)}">`,
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
