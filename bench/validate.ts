// bench/validate: generated 5,000- and 50,000-line specs through each phase of provspec validate
// (warm, in process), then the CLI as a process against ajv-cli validating the same file with the
// same schema, and Node's own start-up as the floor under any CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '../core/document/index.ts';
import { DiagnosticCollector } from '../core/validate/collector.ts';
import { schemaPhase, semanticPhase, validateText } from '../core/validate/index.ts';
import { generateSpec } from './generate-spec.ts';
import { median, ms, table, timeSync } from './stats.ts';
import { performance } from 'node:perf_hooks';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);
const PROCESS_RUNS = Number(process.env['BENCH_PROCESS_RUNS'] ?? 10);

function timeProcess(command: string, args: string[], expectStatus: number): number {
  const samples: number[] = [];
  for (let i = 0; i < PROCESS_RUNS + 1; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const elapsed = performance.now() - start;
    if (result.status !== expectStatus) {
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
    }
    if (i > 0) samples.push(elapsed); // the first run warms the file cache
  }
  return median(samples);
}

const SIZES = [5000, 50_000];

export function benchValidate(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'provspec-bench-'));
  const node = process.execPath;
  const ajv = path.join(ROOT, 'node_modules', 'ajv-cli', 'dist', 'index.js');
  const schema = path.join(ROOT, 'schemas', 'provspec.schema.json');
  const bin = path.join(ROOT, 'bin', 'provspec.js');
  const ajvArgs = (file: string) => [ajv, 'validate', '--spec=draft2020', '--strict=false', '-s', schema, '-d', file];
  try {
    execFileSync(node, [path.join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, stdio: 'ignore' });
    const floor = timeProcess(node, ['-e', '0'], 0);
    const cliSmall = timeProcess(node, [bin, 'validate', 'examples/quickstart.provspec.yaml'], 0);
    const processRows: string[][] = [
      ['command', 'wall', 'vs ajv-cli'],
      ['node -e 0 (floor)', ms(floor), ''],
      ['provspec validate quickstart (cold start)', ms(cliSmall), ''],
    ];
    const ratios: string[] = [];
    for (const size of SIZES) {
      const { yaml, json } = generateSpec(size);
      const yamlFile = path.join(dir, `big-${size}.provspec.yaml`);
      const jsonFile = path.join(dir, `big-${size}.provspec.json`);
      writeFileSync(yamlFile, yaml);
      writeFileSync(jsonFile, json);
      for (const [file, text] of [
        [yamlFile, yaml],
        [jsonFile, json],
      ] as const) {
        const errors = validateText(text, file).diagnostics.filter((d) => d.severity !== 'hint');
        if (errors.length > 0) throw new Error(`generated spec is not clean: ${errors[0]!.code} ${errors[0]!.message}`);
      }
      const runs = size > 10_000 ? Math.max(3, Math.round(RUNS / 6)) : RUNS;
      console.log(
        `\nbench/validate: generated spec, ${yaml.split('\n').length} YAML lines (${(yaml.length / 1024).toFixed(0)} ` +
          `KiB), ${json.split('\n').length} JSON lines; median of ${runs} warm runs\n`,
      );
      const rows = [['format', 'parse', 'schema', 'semantics', 'total']];
      for (const [label, file, text] of [
        ['YAML', yamlFile, yaml],
        ['JSON', jsonFile, json],
      ] as const) {
        const doc = parseDocument(text, file);
        const parse = timeSync(() => parseDocument(text, file), runs);
        const schemaMs = timeSync(() => schemaPhase(doc, new DiagnosticCollector(doc)), runs);
        const semantics = timeSync(() => semanticPhase(doc, new DiagnosticCollector(doc)), runs);
        const total = timeSync(() => validateText(text, file), runs);
        rows.push([label, ms(parse), ms(schemaMs), ms(semantics), ms(total)]);
      }
      console.log(table(rows));
      const lines = `${Math.round(size / 1000)}k`;
      const cliYaml = timeProcess(node, [bin, 'validate', yamlFile], 0);
      const cliJson = timeProcess(node, [bin, 'validate', jsonFile], 0);
      const ajvYaml = timeProcess(node, ajvArgs(yamlFile), 0);
      const ajvJson = timeProcess(node, ajvArgs(jsonFile), 0);
      processRows.push(
        [`provspec validate ${lines}-line YAML`, ms(cliYaml), `${(cliYaml / ajvYaml).toFixed(2)}x`],
        [`ajv-cli validate ${lines}-line YAML`, ms(ajvYaml), '1.00x'],
        [`provspec validate ${lines}-line JSON`, ms(cliJson), `${(cliJson / ajvJson).toFixed(2)}x`],
        [`ajv-cli validate ${lines}-line JSON`, ms(ajvJson), '1.00x'],
      );
      ratios.push(`${lines} lines: YAML ${(cliYaml / ajvYaml).toFixed(2)}x, JSON ${(cliJson / ajvJson).toFixed(2)}x`);
    }
    console.log(`\nas processes, median of ${PROCESS_RUNS} (schema only for ajv-cli; provspec adds positions and semantic rules)\n`);
    console.log(table(processRows));
    console.log(`\nprovspec validate against ajv-cli: ${ratios.join('; ')}`);
    console.log(`cold start above the node floor: ${ms(cliSmall - floor)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) benchValidate();
