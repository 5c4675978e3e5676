// The layers, enforced: reads every import of the sources and fails on an edge against the
// declared order, so that the layering stays true without anyone remembering it.
//
//   core, bottom to top: diagnostic, spec, files → document → expressions, scim-schema →
//   scim, checks → validate → plan → run → report → session. A module imports its own
//   directory and lower layers only.
//   Front ends (cli, action, server, extension) import core (and the reference server, to embed
//   it), never each other, with one exception: the CLI hosts the language server (`provspec lsp`).
//   reference/ never imports core/ or a front end: two independent readings of the RFCs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CORE_RANK: Record<string, number> = {
  diagnostic: 0,
  spec: 0,
  files: 0,
  document: 1,
  expressions: 2,
  'scim-schema': 2,
  scim: 3,
  checks: 3,
  federation: 4,
  validate: 4,
  plan: 5,
  run: 6,
  report: 7,
  drift: 7,
  session: 8,
};

const FRONT_ENDS = new Set(['cli', 'action', 'server', 'extension']);
/** Front end → front end edges that are allowed (by area, or to one file), and why. */
const ALLOWED_SIDEWAYS: Record<string, string> = {
  'cli→server': 'the CLI hosts the language server (provspec lsp)',
  'extension→server/protocol.ts': "the extension speaks the server's own requests (their types)",
};

export interface Edge {
  from: string;
  to: string;
}

/** Where a repository-relative path sits: its area (core, cli, …) and, in core, its part. */
function placeOf(file: string): { area: string; part?: string } {
  const [area, second] = file.split('/');
  if (area === 'core') return { area, part: (second ?? '').replace(/\.ts$/, '') };
  return { area: area ?? '' };
}

/** Why an edge breaks the layering, or undefined when it keeps it. */
export function violation(edge: Edge): string | undefined {
  const from = placeOf(edge.from);
  const to = placeOf(edge.to);
  if (from.area === 'reference' && (to.area === 'core' || FRONT_ENDS.has(to.area))) return 'reference/ never imports core/ or a front end';
  if (from.area === 'core') {
    if (FRONT_ENDS.has(to.area) || to.area === 'reference') return 'core/ never imports a front end or the reference server';
    if (to.area !== 'core' || from.part === to.part) return undefined;
    const a = CORE_RANK[from.part!];
    const b = CORE_RANK[to.part!];
    if (a === undefined || b === undefined) return `core/${a === undefined ? from.part : to.part} has no declared layer`;
    if (b >= a) return `core/${from.part} (layer ${a}) imports core/${to.part} (layer ${b}): only lower layers`;
    return undefined;
  }
  const allowed = ALLOWED_SIDEWAYS[`${from.area}→${to.area}`] ?? ALLOWED_SIDEWAYS[`${from.area}→${edge.to}`];
  if (FRONT_ENDS.has(from.area) && FRONT_ENDS.has(to.area) && from.area !== to.area && !allowed) {
    return 'front ends never import each other';
  }
  return undefined;
}

const IMPORT =
  /(?:^|[^\w.])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter(
      (e) =>
        e.isFile() &&
        /\.(ts|mts|js|mjs)$/.test(e.name) &&
        !e.parentPath.includes('node_modules') &&
        !e.parentPath.includes(`${path.sep}dist`),
    )
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of ['core', 'cli', 'action/src', 'server', 'extension/src', 'reference'].flatMap(sources)) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (!specifier.startsWith('.')) continue;
      out.push({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) });
    }
  }
  return out;
}

describe('layers', () => {
  it('no import goes against the declared order', () => {
    const all = edges();
    assert.ok(all.length > 300, `the import graph was read (${all.length} edges)`);
    const broken = all.flatMap((e) => {
      const why = violation(e);
      return why ? [`${e.from} → ${e.to}: ${why}`] : [];
    });
    assert.deepEqual(broken, []);
  });

  it('the check catches a planted upward, sideways or cross-reading import', () => {
    assert.match(violation({ from: 'core/document/yaml.ts', to: 'core/run/result.ts' }) ?? '', /only lower layers/);
    assert.match(violation({ from: 'core/plan/plan.ts', to: 'core/run/result.ts' }) ?? '', /only lower layers/);
    assert.match(violation({ from: 'core/run/runner.ts', to: 'core/report/json.ts' }) ?? '', /only lower layers/);
    assert.match(violation({ from: 'core/run/runner.ts', to: 'cli/files.ts' }) ?? '', /front end/);
    assert.match(violation({ from: 'action/src/main.ts', to: 'cli/files.ts' }) ?? '', /never import each other/);
    assert.match(violation({ from: 'reference/index.ts', to: 'core/scim/resource.ts' }) ?? '', /reference/);
    assert.match(violation({ from: 'core/newpart/x.ts', to: 'core/spec/types.ts' }) ?? '', /no declared layer/);
    assert.equal(violation({ from: 'core/run/runner.ts', to: 'core/plan/plan.ts' }), undefined);
    assert.equal(violation({ from: 'cli/commands/lsp.ts', to: 'server/main.ts' }), undefined);
    assert.equal(violation({ from: 'extension/src/extension.ts', to: 'server/protocol.ts' }), undefined);
    assert.match(violation({ from: 'extension/src/extension.ts', to: 'server/service/run.ts' }) ?? '', /never import each other/);
  });
});
