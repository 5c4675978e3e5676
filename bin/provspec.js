#!/usr/bin/env node
// Thin launcher: refuse old runtimes with a clear message, then load the bundled CLI
// (built by `npm install`'s prepare step), or the TypeScript sources in a checkout.
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
