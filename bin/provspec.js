#!/usr/bin/env node
// Thin launcher: catch signals first (cli/signals.ts explains why), refuse old runtimes with a
// clear message, then load the bundled CLI (built by `npm install`'s prepare step), or the
// TypeScript sources in a checkout.
const signals = { controller: new AbortController(), count: 0 };
globalThis[Symbol.for('provspec.signals')] = signals;
const onSignal = (signal) => {
  signals.count++;
  if (signals.count > 1) {
    process.stderr.write(`provspec: ${signal} again; exiting without finishing cleanup.\n`);
    process.exit(130);
  }
  signals.controller.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`provspec needs Node.js 24 or newer; this is ${process.version}.\n`);
  process.exit(2);
}
let entry;
try {
  entry = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  entry = await import('../cli/main.ts');
}
process.exitCode = await entry.main(process.argv.slice(2));
// Interrupted: what the command was still doing (a validation, a pending read) is abandoned.
if (signals.count) process.exit(process.exitCode);
