// `provspec validate [paths or globs…]`: located diagnostics for every spec file.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { codeFrame } from '../../core/report/code-frame.ts';
import { fromDiagnostic, locationOf, type Finding } from '../../core/report/finding.ts';
import { toSarif } from '../../core/report/sarif.ts';
import { version } from '../version.ts';
import { validateText } from '../../core/validate/index.ts';
import { displayPath, findSpecFiles, UsageError } from '../files.ts';
import { makeStyler, type Styler } from '../style.ts';
import type { CommandIO } from '../io.ts';

export const VALIDATE_HELP = `Usage: provspec validate [options] <file|directory|glob>...

Checks provisioning specs against the format and its semantic rules, without sending
any request. A directory is searched for *.provspec.yaml, *.provspec.yml and *.provspec.json.

Options:
  --format text|json|sarif
                       output format (default: text); sarif for code-scanning uploads
  --color, --no-color  force or disable colour (default: on for a terminal, off with NO_COLOR)
  --hints              also print hints (unused identities and groups)
  -h, --help           show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`;

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Finding['severity'];
  code: string;
  message: string;
  suggestions?: string[];
}

export async function validateCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      hints: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${VALIDATE_HELP}\n`);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json' && values.format !== 'sarif')
    throw new UsageError(`--format must be text, json or sarif, not "${values.format}"`);
  if (positionals.length === 0) throw new UsageError('name at least one spec file, directory or glob (e.g. provspec validate examples/)');

  const files = await findSpecFiles(positionals, io.cwd);
  const results: Checked[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`${displayPath(file, io.cwd)}: cannot read (${error.code ?? error.message})`);
    });
    const { diagnostics, document } = validateText(text, file);
    const display = displayPath(file, io.cwd);
    results.push({ text, lineStarts: document.lineStarts, findings: diagnostics.map((d) => fromDiagnostic(display, d)) });
  }
  const findings = results.flatMap((r) => r.findings);
  const errors = findings.filter((f) => f.severity === 'error').length;

  if (values.format === 'json') {
    const out: JsonDiagnostic[] = findings.map(toJson);
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (values.format === 'sarif') {
    io.stdout.write(toSarif(findings, { version: version() }));
  } else {
    const style = makeStyler(io.stdout, values['no-color'] ? false : values.color);
    io.stdout.write(renderText(results, style, values.hints ?? false));
  }
  return errors > 0 ? 1 : 0;
}

interface Checked {
  text: string;
  lineStarts: number[];
  findings: Finding[];
}

export function toJson(d: Finding): JsonDiagnostic {
  const out: JsonDiagnostic = {
    file: d.file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
  if (d.data?.suggestions?.length) out.suggestions = d.data.suggestions;
  return out;
}

const SEVERITY_STYLE = { error: ['red', 'bold'], warning: ['yellow', 'bold'], info: ['blue', 'bold'], hint: ['dim'] } as const;

function renderText(results: readonly Checked[], style: Styler, hints: boolean): string {
  const out: string[] = [];
  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  let filesWithErrors = 0;
  for (const result of results) {
    const shown = result.findings.filter((d) => hints || d.severity !== 'hint');
    if (result.findings.some((d) => d.severity === 'error')) filesWithErrors++;
    for (const d of shown) {
      counts[d.severity]++;
      out.push(
        `${style('bold', locationOf(d))}: ${style([...SEVERITY_STYLE[d.severity]], d.severity)} ${style('dim', d.code)}: ${d.message}`,
      );
      out.push(
        codeFrame(result.text, result.lineStarts, d.range, (role, text) =>
          role === 'gutter' ? style('blue', text) : role === 'caret' ? style([...SEVERITY_STYLE[d.severity]], text) : text,
        ),
      );
      out.push('');
    }
  }
  const specs = `${results.length} spec${results.length === 1 ? '' : 's'}`;
  if (counts.error === 0) {
    const extra = counts.warning ? ` (${plural(counts.warning, 'warning')})` : '';
    out.push(style('green', `✔ ${specs} valid${extra}`));
  } else {
    const parts = [plural(counts.error, 'error'), ...(counts.warning ? [plural(counts.warning, 'warning')] : [])];
    out.push(style('red', `✖ ${parts.join(', ')} in ${plural(filesWithErrors, 'file')} (${specs} checked)`));
  }
  return `${out.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
