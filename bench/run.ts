// `npm run bench`: every benchmark, each against its baseline in the same run.
// `npm run bench -- validate` runs one.
import { benchValidate } from './validate.ts';
import { benchServe } from './serve.ts';
import { benchRunner } from './runner.ts';
import { benchLsp } from './lsp.ts';
import { benchHostileInput } from './hostile-input.ts';
import { benchScale } from './scale.ts';
import { benchMerge } from './merge.ts';
import { benchLogin } from './login.ts';

const BENCHES: Record<string, () => void | Promise<void>> = {
  validate: benchValidate,
  serve: benchServe,
  runner: benchRunner,
  lsp: benchLsp,
  'hostile-input': benchHostileInput,
  scale: benchScale,
  merge: benchMerge,
  login: benchLogin,
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
