// The example workflows use the Action as action.yml declares it: every input they pass exists,
// and the manifest names a committed node24 bundle.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './harness.ts';

interface Manifest {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}
interface Workflow {
  jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>;
}

const manifest = parse(readFileSync(path.join(ROOT, 'action', 'action.yml'), 'utf8')) as Manifest;

it('action.yml runs a committed bundle on node24 and declares the documented outputs', () => {
  assert.equal(manifest.runs.using, 'node24');
  assert.ok(existsSync(path.join(ROOT, 'action', manifest.runs.main)), manifest.runs.main);
  assert.deepEqual(Object.keys(manifest.outputs).sort(), ['errored', 'failed', 'passed', 'report']);
});

it('example workflows pass only inputs the Action declares', () => {
  const dir = path.join(ROOT, 'examples', 'workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 2);
  let uses = 0;
  for (const file of files) {
    const workflow = parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow;
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) {
        if (!step.uses?.startsWith('provspec/provspec/action@')) continue;
        uses++;
        for (const input of Object.keys(step.with ?? {})) assert.ok(input in manifest.inputs, `${file}: unknown input "${input}"`);
        if (step.with?.['mode'] === 'merge') assert.ok(step.with['results'], `${file}: merge needs results`);
      }
    }
  }
  assert.ok(uses >= 3, 'the examples use the Action');
});
