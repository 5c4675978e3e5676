// The CLI names files the way core does (the Action shares these rules).
export { displayPath, findFiles, findSpecFiles, SPEC_FILE, UsageError } from '../core/files.ts';
