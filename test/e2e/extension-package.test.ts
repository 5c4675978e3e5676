// The VS Code extension as shipped: `npm run package:vsix`'s script builds and packages it, the
// .vsix is opened like VS Code would, its manifest and files checked, and the bundled language
// server started from the package with the machine's Node 20 (what VS Code 1.91 runs extensions
// on) to answer over stdio like an editor's client.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { startReferenceServer } from '../../reference/index.ts';
import { readZip } from './zip.ts';
import { packagedVsix } from './vsix.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE20 = '/usr/bin/node';
const rootManifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const QUICKSTART = readFileSync(path.join(ROOT, 'examples', 'quickstart.provspec.yaml'), 'utf8');

/** Why the machine's Node 20 cannot be used, or undefined when it can. */
function node20Missing(): string | undefined {
  if (!existsSync(NODE20)) return `${NODE20} does not exist`;
  const version = spawnSync(NODE20, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return version.startsWith('v20.') ? undefined : `${NODE20} is ${version || 'not runnable'}, not Node 20`;
}
/** Skips the test when the machine has no Node 20, except in CI, where that is a failure. */
function needNode20(t: TestContext): boolean {
  const missing = node20Missing();
  if (!missing) return true;
  if (process.env.CI === 'true') assert.fail(`CI=true and ${missing}: the Node 20 compatibility of the server bundle cannot be checked`);
  t.skip(missing);
  return false;
}

interface Server {
  connection: ProtocolConnection;
  child: ChildProcess;
  diagnostics(uri: string): Promise<Diagnostic[]>;
  open(uri: string, text: string, languageId: string): void;
  close(): Promise<void>;
}

async function startServer(node: string, serverJs: string): Promise<Server> {
  const child = spawn(node, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, Diagnostic[]>();
  const waiting = new Map<string, (d: Diagnostic[]) => void>();
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    const resolve = waiting.get(params.uri);
    if (resolve) {
      waiting.delete(params.uri);
      resolve(params.diagnostics);
    } else published.set(params.uri, params.diagnostics);
  });
  connection.listen();
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`))));
  exited.catch(() => {});
  const result = (await Promise.race([
    connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null }),
    exited,
  ])) as { serverInfo?: { name: string }; capabilities: Record<string, unknown> };
  assert.equal(result.serverInfo?.name, 'provspec');
  assert.ok(result.capabilities.codeLensProvider && result.capabilities.hoverProvider, JSON.stringify(result.capabilities));
  await connection.sendNotification('initialized', {});
  return {
    connection,
    child,
    diagnostics(uri) {
      const ready = published.get(uri);
      if (ready) {
        published.delete(uri);
        return Promise.resolve(ready);
      }
      return Promise.race([new Promise<Diagnostic[]>((resolve) => waiting.set(uri, resolve)), exited]);
    },
    open(uri, text, languageId) {
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    },
    async close() {
      try {
        await Promise.race([
          connection.sendRequest('shutdown').then(() => connection.sendNotification('exit')),
          new Promise((resolve) => setTimeout(resolve, 2000)),
        ]);
      } catch {
        // already gone
      }
      connection.dispose();
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        await gone;
      }
    },
  };
}

describe('the VS Code extension package (npm run package:vsix)', { timeout: 240_000 }, () => {
  let files: Map<string, Buffer>;
  let unpacked: string;
  let manifest: Record<string, any>;

  before(() => {
    const started = performance.now();
    unpacked = mkdtempSync(path.join(tmpdir(), 'provspec-vsix-'));
    const vsix = packagedVsix();
    assert.ok(existsSync(vsix), `${vsix} was not written`);
    files = new Map(readZip(readFileSync(vsix)).map((e) => [e.name, e.data]));
    for (const name of ['extension/dist/server.js', 'extension/dist/extension.js'])
      writeFileSync(path.join(unpacked, path.basename(name)), files.get(name)!);
    manifest = JSON.parse(files.get('extension/package.json')!.toString('utf8'));
    process.stderr.write(`# built and packaged in ${Math.round(performance.now() - started)} ms\n`);
  });
  after(() => {
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  });

  it(
    'carries only the manifest, the two bundles, the schema, the grammars, the language configuration, ' +
      "the icon, README, LICENSE and the bundled packages' notices",
    () => {
      assert.deepEqual([...files.keys()].sort(), [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/LICENSE.txt',
        'extension/dist/THIRD_PARTY_NOTICES.txt',
        'extension/dist/extension.js',
        'extension/dist/icon.png',
        'extension/dist/provspec.schema.json',
        'extension/dist/server.js',
        'extension/language-configuration-json.json',
        'extension/language-configuration.json',
        'extension/package.json',
        'extension/readme.md',
        'extension/syntaxes/provspec-expression.tmLanguage.json',
        'extension/syntaxes/provspec-json.tmLanguage.json',
        'extension/syntaxes/provspec.tmLanguage.json',
      ]);
      const vsixManifest = files.get('extension.vsixmanifest')!.toString('utf8');
      assert.match(vsixManifest, /Id="provspec-vscode"/);
      assert.match(vsixManifest, /Publisher="provspec"/);
      assert.match(vsixManifest, new RegExp(`Version="${rootManifest.version.replaceAll('.', '\\.')}"`));
    },
  );

  it('has the manifest fields VS Code needs: identity, engine, entry point, activation', () => {
    assert.equal(manifest.name, 'provspec-vscode');
    assert.equal(manifest.publisher, 'provspec');
    assert.equal(manifest.version, rootManifest.version, 'extension/package.json and package.json should carry the same version');
    assert.equal(manifest.engines.vscode, '^1.91.0');
    assert.equal(manifest.main, './dist/extension.js');
    assert.equal(manifest.icon, 'dist/icon.png');
    assert.equal(manifest.license, 'MIT');
    assert.ok(manifest.activationEvents.includes('onLanguage:provspec'));
    for (const ext of ['yaml', 'yml', 'json']) assert.ok(manifest.activationEvents.includes(`workspaceContains:**/*.provspec.${ext}`), ext);
  });

  it('contributes the provspec language, its grammar (on top of YAML) and its language configuration', () => {
    const { languages, grammars } = manifest.contributes;
    const language = languages.find((l: { id: string }) => l.id === 'provspec');
    assert.deepEqual(language.extensions, ['.provspec.yaml', '.provspec.yml']);
    assert.ok(new RegExp(language.firstLine).test('# yaml-language-server: $schema=../schemas/provspec.schema.json'));
    assert.ok(!new RegExp(language.firstLine).test('# yaml-language-server: $schema=https://json.schemastore.org/github-workflow.json'));
    const configuration = JSON.parse(files.get(`extension/${language.configuration.replace('./', '')}`)!.toString('utf8'));
    assert.equal(configuration.comments.lineComment, '#');
    const grammar = grammars.find((g: { language?: string }) => g.language === 'provspec');
    assert.equal(grammar.scopeName, 'source.provspec');
    const tm = JSON.parse(files.get(`extension/${grammar.path.replace('./', '')}`)!.toString('utf8'));
    assert.equal(tm.scopeName, 'source.provspec');
    assert.deepEqual(tm.patterns, [{ include: 'source.yaml' }]);
    const injection = grammars.find((g: { injectTo?: string[] }) => g.injectTo?.includes('source.provspec'));
    const expression = JSON.parse(files.get(`extension/${injection.path.replace('./', '')}`)!.toString('utf8'));
    assert.equal(expression.scopeName, injection.scopeName);
    const begin = new RegExp(expression.repository.expression.begin);
    assert.ok(begin.test('baseUrl: ${{ env.SCIM_BASE_URL }}') && !begin.test('baseUrl: $SCIM_BASE_URL'));
    assert.deepEqual(injection.injectTo, ['source.provspec', 'source.provspec-json']);
    assert.equal(expression.injectionSelector, 'L:source.provspec -comment, L:source.provspec-json -comment');
  });

  it('makes *.provspec.json its own language on top of JSON, so no `$schema` of a spec is ever followed', () => {
    const { languages, grammars } = manifest.contributes;
    assert.ok(manifest.activationEvents.includes('onLanguage:provspec-json'));
    const language = languages.find((l: { id: string }) => l.id === 'provspec-json');
    assert.deepEqual(language.extensions, ['.provspec.json']);
    const configuration = JSON.parse(files.get(`extension/${language.configuration.replace('./', '')}`)!.toString('utf8'));
    assert.deepEqual(configuration.brackets, [
      ['{', '}'],
      ['[', ']'],
    ]);
    const grammar = grammars.find((g: { language?: string }) => g.language === 'provspec-json');
    const tm = JSON.parse(files.get(`extension/${grammar.path.replace('./', '')}`)!.toString('utf8'));
    assert.equal(tm.scopeName, grammar.scopeName);
    assert.deepEqual(tm.patterns, [{ include: 'source.json' }]);
  });

  it('contributes the spec schema, unchanged, to JSON (*.provspec.json) and YAML (*.provspec.yaml|yml) tooling', () => {
    const { jsonValidation, yamlValidation } = manifest.contributes;
    assert.deepEqual(jsonValidation, [{ fileMatch: '*.provspec.json', url: './dist/provspec.schema.json' }]);
    assert.deepEqual(yamlValidation, [{ fileMatch: ['*.provspec.yaml', '*.provspec.yml'], url: './dist/provspec.schema.json' }]);
    assert.deepEqual(files.get('extension/dist/provspec.schema.json'), readFileSync(path.join(ROOT, 'schemas', 'provspec.schema.json')));
  });

  it('contributes the four commands and the three settings', () => {
    const { commands, configuration } = manifest.contributes;
    assert.deepEqual(commands.map((c: { command: string }) => c.command).sort(), [
      'provspec.openTrace',
      'provspec.runFile',
      'provspec.runScenario',
      'provspec.validate',
    ]);
    assert.deepEqual(commands.map((c: { title: string }) => c.title).sort(), ['Open trace', 'Run file', 'Run scenario', 'Validate']);
    const settings = configuration.properties;
    assert.deepEqual(Object.keys(settings).sort(), ['provspec.run.defaultDialect', 'provspec.run.envFile', 'provspec.trace.server']);
    assert.deepEqual(settings['provspec.trace.server'].enum, ['off', 'messages', 'verbose']);
    assert.deepEqual(settings['provspec.run.defaultDialect'].enum, ['rfc7644', 'entra', 'entra-2020', 'okta', 'okta-wizard']);
    // The dialects the setting offers are exactly the ones the schema knows.
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'provspec.schema.json'), 'utf8'));
    assert.match(JSON.stringify(schema), new RegExp(settings['provspec.run.defaultDialect'].enum.map((d: string) => `"${d}"`).join(',')));
    assert.equal(settings['provspec.run.envFile'].type, 'string');
  });

  it('has a generated 128×128 RGBA PNG icon', () => {
    const png = files.get('extension/dist/icon.png')!;
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString('latin1', 12, 16), 'IHDR');
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
    assert.equal(png[25], 6, 'colour type RGBA');
  });

  it('bundles the client as one CommonJS file that leaves `vscode` to the editor and parses under Node 20', (t) => {
    const client = files.get('extension/dist/extension.js')!.toString('utf8');
    assert.match(client, /require\("vscode"\)/);
    assert.match(client, /provspec\.openTrace/);
    assert.doesNotMatch(client, /^import |import\.meta/m);
    if (!needNode20(t)) return;
    const check = spawnSync(NODE20, ['--check', path.join(unpacked, 'extension.js')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  it(
    'the packaged server, on Node 20, answers initialize, publishes a located diagnostic for a broken spec ' +
      '(none for a valid one) and runs a scenario',
    async (t) => {
      if (!needNode20(t)) return;
      const server = await startServer(NODE20, path.join(unpacked, 'server.js'));
      try {
        const broken = QUICKSTART.replace('identity: alice', 'identity: alcie');
        const line = broken.split('\n').findIndex((l) => l.includes('identity: alcie'));
        server.open('file:///ws/broken.provspec.yaml', broken, 'provspec');
        const diagnostics = await server.diagnostics('file:///ws/broken.provspec.yaml');
        assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
        const [d] = diagnostics;
        assert.equal(d!.code, 'unknown-identity');
        assert.equal(d!.source, 'provspec');
        assert.match(String(d!.message), /Unknown identity "alcie"\. Did you mean "alice"\?/);
        assert.deepEqual(d!.range, { start: { line, character: 14 }, end: { line, character: 19 } });
        // Negative controls: the valid spec, also as JSON named only by its $schema, has none.
        server.open('file:///ws/valid.provspec.yaml', QUICKSTART, 'provspec');
        assert.deepEqual(await server.diagnostics('file:///ws/valid.provspec.yaml'), []);
        const json = readFileSync(path.join(ROOT, 'test', 'golden', 'valid', 'rfc7644-minimal.provspec.json'), 'utf8');
        server.open('file:///ws/valid.provspec.json', json, 'json');
        assert.deepEqual(await server.diagnostics('file:///ws/valid.provspec.json'), []);
        // A YAML file that is not a spec gets nothing published at all; the next spec's diagnostics come first.
        server.open('file:///ws/other.yaml', 'identity: alcie\nsteps: [1\n', 'yaml');
        server.open('file:///ws/broken2.provspec.yaml', broken, 'provspec');
        assert.equal((await server.diagnostics('file:///ws/broken2.provspec.yaml')).length, 1);
        const lenses = (await server.connection.sendRequest('textDocument/codeLens', {
          textDocument: { uri: 'file:///ws/valid.provspec.yaml' },
        })) as Array<{ command: { title: string; command: string; arguments: unknown[] } }>;
        // This client asks for nothing in initializationOptions: the lenses name the server's own commands.
        assert.deepEqual(lenses[0]!.command, {
          title: '▶ Run all',
          command: 'provspec.server.runFile',
          arguments: ['file:///ws/valid.provspec.yaml'],
        });
        assert.ok(lenses.some((l) => l.command.command === 'provspec.server.runScenario' && l.command.arguments[1] === 'leaver'));
        // Running works on Node 20 too (the bundle carries undici 6): a scenario against a real server.
        const scim = await startReferenceServer({});
        try {
          const response = (await server.connection.sendRequest('provspec/run', {
            uri: 'file:///ws/valid.provspec.yaml',
            scenarios: ['joiner'],
            env: { SCIM_BASE_URL: scim.baseUrl, SCIM_TOKEN: scim.token },
          })) as { text: string; passed: number; failed: number; errored: number };
          assert.equal(response.failed + response.errored, 0, response.text);
          assert.ok(response.passed > 5, response.text);
        } finally {
          await scim.close();
        }
        server.open('file:///ws/broken3.provspec.yaml', broken, 'provspec');
        assert.equal((await server.diagnostics('file:///ws/broken3.provspec.yaml')).length, 1, 'the server still answers after the run');
      } finally {
        await server.close();
      }
    },
  );

  it('the packaged server runs a scenario in the default dialect the editor passes and writes the trace it asks for', async () => {
    const scim = await startReferenceServer({});
    const server = await startServer(process.execPath, path.join(unpacked, 'server.js'));
    try {
      const spec = QUICKSTART.replace('  dialect: rfc7644\n', ''); // no dialect of its own
      const uri = pathToFileURL(path.join(unpacked, 'nodialect.provspec.yaml')).href;
      server.open(uri, spec, 'provspec');
      assert.deepEqual(await server.diagnostics(uri), []);
      const runs: Array<{ dialect?: string; lookups: string[] }> = [];
      for (const dialect of ['okta', undefined]) {
        const trace = path.join(unpacked, `trace-${dialect ?? 'none'}.ndjson`);
        const response = (await server.connection.sendRequest('provspec/run', {
          uri,
          scenarios: ['joiner'],
          env: { SCIM_BASE_URL: scim.baseUrl, SCIM_TOKEN: scim.token },
          trace,
          ...(dialect ? { defaultDialect: dialect } : {}),
        })) as { text: string; passed: number; failed: number; errored: number };
        assert.equal(response.failed + response.errored, 0, response.text);
        assert.ok(response.passed > 5, response.text);
        const events = readFileSync(trace, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; method?: string; url?: string; scenario?: string; status?: string });
        assert.ok(events.some((e) => e.type === 'check' && e.scenario === 'joiner' && e.status === 'pass'));
        assert.ok(events.some((e) => e.type === 'scenario' && e.scenario === 'joiner'));
        assert.ok(!readFileSync(trace, 'utf8').includes(scim.token), 'the trace never carries the token');
        runs.push({
          dialect,
          lookups: events.filter((e) => e.type === 'exchange' && e.method === 'GET' && e.url?.includes('/Users?')).map((e) => e.url!),
        });
      }
      // Okta looks users up with startIndex=1&count=100; the plain RFC 7644 client does not.
      assert.ok(
        runs[0]!.lookups.some((u) => /startIndex=1&count=100/.test(u)),
        JSON.stringify(runs[0]),
      );
      assert.ok(!runs[1]!.lookups.some((u) => /startIndex=1&count=100/.test(u)), JSON.stringify(runs[1]));
    } finally {
      await server.close();
      await scim.close();
    }
  });
});
