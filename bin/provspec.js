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

// The bundle runs on Node 22.13 and newer (package.json's engines; the packed CLI is tested on
// 22 and 24); the TypeScript sources of a checkout need Node 24's type stripping.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`provspec needs Node.js 22.13 or newer; this is ${process.version}.\n`);
  process.exit(2);
}
// Node 22 marks node:sqlite (the reference server's store) experimental and says so on every
// run; the reference server is a test double, so that one warning is noise for a user.
if (major < 24) {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning, ...rest) => {
    if (String(warning?.message ?? warning).startsWith('SQLite is an experimental feature')) return;
    emitWarning(warning, ...rest);
  };
}
let entry;
try {
  entry = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  if (major < 24) {
    process.stderr.write(
      `provspec: this checkout has no bundle (npm run build); its TypeScript sources need Node.js 24, and this is ${process.version}.\n`,
    );
    process.exit(2);
  }
  entry = await import('../cli/main.ts');
}
process.exitCode = await entry.main(process.argv.slice(2));
// Interrupted: what the command was still doing (a validation, a pending read) is abandoned.
if (signals.count) process.exit(process.exitCode);
