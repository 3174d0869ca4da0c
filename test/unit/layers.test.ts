/**
 * The import direction of src/: schema → statements → connection → execution → model → management.
 * A folder imports only from its own layer or lower ones; errors.ts and log.ts are shared leaves;
 * index.ts is the entry point; tooling/ stands apart. No file-level cycle of run-time imports.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const LAYERS = ['schema', 'statements', 'connection', 'execution', 'model', 'management'];
const LEAVES = new Set(['errors.ts', 'log.ts']);

interface Import {
  readonly from: string;
  readonly to: string;
  /** false for `import type` / `export type`, which vanish at run time. */
  readonly runtime: boolean;
}

/** The relative imports of one source text, resolved to paths under src/. */
function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/gm;
  for (const m of text.matchAll(pattern)) {
    const spec = m[3] ?? m[4]!;
    const to = join(dirname(file), spec).replace(/\.js$/, '.ts');
    found.push({ from: file, to, runtime: m[2] === undefined });
  }
  return found;
}

/** The layer of a path under src/: a rank, 'leaf', 'entry' or 'tooling'. */
function layerOf(path: string): number | 'leaf' | 'entry' | 'tooling' {
  const [head, ...rest] = path.split('/');
  if (rest.length === 0) {
    if (LEAVES.has(head!)) return 'leaf';
    if (head === 'index.ts') return 'entry';
    throw new Error(`${path}: a file at the root of src/ must be a shared leaf (${[...LEAVES].join(', ')}) or index.ts`);
  }
  if (head === 'tooling') return 'tooling';
  const rank = LAYERS.indexOf(head!);
  if (rank < 0) throw new Error(`${path}: folder ${head} is in no layer; add it to LAYERS`);
  return rank;
}

/** Every import that breaks the direction, and every run-time cycle, as messages. */
function violations(imports: readonly Import[]): string[] {
  const problems: string[] = [];
  for (const { from, to } of imports) {
    const a = layerOf(from);
    const b = layerOf(to);
    const ok =
      a === 'entry' ||
      (b === 'leaf' && a !== 'tooling') ||
      (a === 'tooling' && b === 'tooling') ||
      (a === 'leaf' && b === 'leaf') ||
      (typeof a === 'number' && typeof b === 'number' && b <= a);
    if (!ok) problems.push(`${from} imports ${to}: ${String(b)} is above or outside ${String(a)}`);
  }
  // Run-time cycles, file by file (a cycle of type imports costs nothing at run time).
  const edges = new Map<string, string[]>();
  for (const i of imports) if (i.runtime) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      problems.push(`run-time import cycle: ${[...path.slice(path.indexOf(file)), file].join(' → ')}`);
      return;
    }
    state.set(file, 'open');
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of edges.keys()) visit(file, []);
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('layers', () => {
  it('every import of src/ goes to its own layer or a lower one, with no run-time cycle', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
    const imports = sourceFiles(src).flatMap((f) => importsOf(relative(src, f), readFileSync(f, 'utf8')));
    assert.ok(imports.length > 50, 'the imports were found');
    assert.deepEqual(violations(imports), []);
  });

  it('flags an upward import, a tooling import and a run-time cycle', () => {
    const upward = importsOf('schema/model-schema.ts', "import { run } from '../execution/run.js';");
    assert.match(violations(upward).join('\n'), /schema\/model-schema\.ts imports execution\/run\.ts/);
    assert.equal(violations(importsOf('model/model.ts', "import type { X } from '../tooling/cassandra/index.js';")).length, 1);
    const cycle = [...importsOf('model/a.ts', "import { b } from './b.js';"), ...importsOf('model/b.ts', "export { a } from './a.js';")];
    assert.match(violations(cycle).join('\n'), /cycle: model\/a\.ts → model\/b\.ts → model\/a\.ts/);
    const typeOnly = [
      ...importsOf('model/a.ts', "import type { B } from './b.js';"),
      ...importsOf('model/b.ts', "import { a } from './a.js';"),
    ];
    assert.deepEqual(violations(typeOnly), []);
  });
});
