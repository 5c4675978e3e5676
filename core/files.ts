// Turning arguments (files, directories, globs) into spec and report files: shared by the CLI
// and the Action, whose `specs` input takes the same forms.
import { glob, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const SPEC_FILE = /\.provspec\.(ya?ml|json)$/i;

/** An argument that names nothing usable; front ends show it as a usage error. */
export class SpecFileError extends Error {}

/** Files in argument order, each once; a directory yields its `*.provspec.*` files, recursively. */
export async function findSpecFiles(args: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const absolute = path.resolve(cwd, file);
    if (!seen.has(absolute)) {
      seen.add(absolute);
      found.push(absolute);
    }
  };
  for (const arg of args) {
    const info = await stat(path.resolve(cwd, arg)).catch(() => undefined);
    if (info?.isDirectory()) {
      const files = await specFilesIn(path.resolve(cwd, arg));
      if (files.length === 0)
        throw new SpecFileError(`${arg}: no *.provspec.yaml, *.provspec.yml or *.provspec.json files in this directory`);
      files.forEach(add);
    } else if (info) {
      add(arg);
    } else if (isGlob(arg)) {
      (await globMatches(arg, cwd)).forEach(add);
    } else {
      throw new SpecFileError(`${arg}: no such file or directory`);
    }
  }
  return found;
}

function isGlob(arg: string): boolean {
  return /[*?[\]{}]/.test(arg);
}

/** A pattern's matches (absolute, sorted), outside node_modules; matching nothing is a usage error. */
async function globMatches(pattern: string, cwd: string): Promise<string[]> {
  const matches: string[] = [];
  for await (const match of glob(pattern, { cwd, exclude: (name) => name === 'node_modules' })) matches.push(path.resolve(cwd, match));
  if (matches.length === 0) throw new SpecFileError(`${pattern}: no file matches this pattern`);
  return matches.sort();
}

async function specFilesIn(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && SPEC_FILE.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter(
      (file) =>
        !path
          .relative(directory, file)
          .split(path.sep)
          .some((part) => part === 'node_modules' || part.startsWith('.')),
    )
    .sort();
}

/** How a file is named in output: relative to the working directory, with forward slashes. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return (relative.startsWith('..') ? file : relative).split(path.sep).join('/');
}

/** Files named directly or by glob (no directory search), in argument order, each once. */
export async function findFiles(args: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const found = new Set<string>();
  for (const arg of args) {
    const info = await stat(path.resolve(cwd, arg)).catch(() => undefined);
    if (info?.isFile()) {
      found.add(path.resolve(cwd, arg));
    } else if (isGlob(arg)) {
      (await globMatches(arg, cwd)).forEach((m) => found.add(m));
    } else {
      throw new SpecFileError(`${arg}: ${info ? 'not a file' : 'no such file'}`);
    }
  }
  return [...found];
}
