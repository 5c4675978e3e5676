// The CLI names files the way core does (the Action shares these rules).
export { displayPath, findFiles, findSpecFiles, SPEC_FILE, SpecFileError } from '../core/files.ts';

/** A command was called wrongly: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}
