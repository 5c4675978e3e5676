// Golden renderings of one spec with several problems: what `provspec validate` prints (text,
// JSON, SARIF), the annotations the Action sends, the Markdown summary and the language
// server's diagnostics. Every one of them reads the same findings; these pin what each makes
// of them (PROVSPEC_UPDATE_GOLDEN=1 rewrites the files).
import { describe, it } from 'node:test';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { validateCommand } from '../../cli/commands/validate.ts';
import type { CommandIO } from '../../cli/io.ts';
import { validateText } from '../../core/validate/index.ts';
import { diagnosticAnnotations } from '../../core/report/annotations.ts';
import { toMarkdownSummary } from '../../core/report/markdown.ts';
import { fromDiagnostic } from '../../core/report/finding.ts';
import { validationDiagnostic } from '../../server/service/diagnostics.ts';
import { compareGolden, GOLDEN_ROOT } from './golden-files.ts';

const DIR = path.join(GOLDEN_ROOT, 'validate');
const SPEC = 'test/golden/validate/broken.provspec.yaml';
const ROOT = path.resolve(GOLDEN_ROOT, '..', '..');

async function validateOutput(args: string[]): Promise<string> {
  const out: string[] = [];
  const io: CommandIO = {
    stdout: { write: (text: string) => out.push(text), isTTY: false } as unknown as NodeJS.WriteStream,
    stderr: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream,
    cwd: ROOT,
    env: {},
  };
  await validateCommand(args, io);
  return out.join('');
}

describe('golden renderings of validation findings', () => {
  const text = readFileSync(path.join(ROOT, SPEC), 'utf8');
  const { diagnostics } = validateText(text, SPEC);

  it('validate (text, with hints)', async () => {
    compareGolden(path.join(DIR, 'broken.out'), await validateOutput(['--no-color', '--hints', SPEC]));
  });

  it('validate --format json', async () => {
    compareGolden(path.join(DIR, 'broken.json'), await validateOutput(['--format', 'json', SPEC]));
  });

  it('validate --format sarif', async () => {
    compareGolden(
      path.join(DIR, 'broken.sarif'),
      (await validateOutput(['--format', 'sarif', SPEC])).replace(/"version": "[^"]+"/, '"version": "V"'),
    );
  });

  it('annotations', () => {
    compareGolden(path.join(DIR, 'broken.annotations.json'), `${JSON.stringify(diagnosticAnnotations(SPEC, diagnostics), null, 2)}\n`);
  });

  it('Markdown summary', () => {
    compareGolden(
      path.join(DIR, 'broken.md'),
      toMarkdownSummary({ specs: [], ms: 0, runId: 'gold02', validation: diagnostics.map((d) => fromDiagnostic(SPEC, d)) }),
    );
  });

  it('language-server diagnostics', () => {
    compareGolden(path.join(DIR, 'broken.lsp.json'), `${JSON.stringify(diagnostics.map(validationDiagnostic), null, 2)}\n`);
  });
});
