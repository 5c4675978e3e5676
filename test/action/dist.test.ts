// check-dist: the committed action bundle is exactly what the sources build to, so the Action a
// workflow runs is the code that was reviewed and tested.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAction } from '../../scripts/build-action.ts';
import { ROOT } from './harness.ts';

it('action/dist matches a fresh build of action/src (run `npm run build:action` and commit)', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'provspec-dist-'));
  await buildAction(out);
  const committed = path.join(ROOT, 'action', 'dist');
  assert.deepEqual(readdirSync(committed).sort(), readdirSync(out).sort(), 'the same files');
  for (const name of readdirSync(out)) {
    const same = readFileSync(path.join(committed, name)).equals(readFileSync(path.join(out, name)));
    assert.ok(same, `action/dist/${name} differs from a fresh build: run \`npm run build:action\` and commit the result`);
  }
});
