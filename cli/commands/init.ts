// `provspec init [file]`: a starter spec to edit, never over an existing file.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { starterSpec } from '../templates/starter.ts';
import { version } from '../version.ts';
import { displayPath, UsageError } from '../files.ts';
import type { CommandIO } from '../io.ts';

export const INIT_HELP = `Usage: provspec init [file]

Writes a starter provisioning spec (default: provisioning.provspec.yaml) with two identities,
a mapping, role rules, joiner/mover/leaver scenarios, a negative case and a duplicate-create
race. It never overwrites a file.

Options:
  -h, --help   show this help`;

export async function initCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout.write(`${INIT_HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('name one file at most');
  const file = path.resolve(io.cwd, positionals[0] ?? 'provisioning.provspec.yaml');
  if (!/\.provspec\.(ya?ml|json)$/.test(file))
    throw new UsageError(
      `name the file *.provspec.yaml so that editors and "provspec validate <dir>" find it (got ${displayPath(file, io.cwd)})`,
    );
  try {
    await writeFile(file, starterSpec(version()), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`${displayPath(file, io.cwd)} already exists; it was left as it is`);
    throw new UsageError(
      `cannot write ${displayPath(file, io.cwd)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const shown = displayPath(file, io.cwd);
  io.stdout.write(
    `Wrote ${shown}.\nTry it against the built-in reference SCIM server:  npx provspec run ${shown} ` +
      `--embedded\nThen point it at yours:  SCIM_BASE_URL=… SCIM_TOKEN=… npx provspec run ${shown}\n`,
  );
  return 0;
}
