/**
 * Every ```ts block of the README type-checks as a user would write it, importing 'cqlengine'
 * (mapped to src/ by tsconfig paths). Markers on the line before a block:
 * - `<!-- doc-test: name=users -->` names it, and `<!-- doc-test: uses=users,activities -->` makes a
 *   block build on named ones (their code first, imports merged);
 * - `<!-- doc-test: skip -->` marks a fragment that is not a program (a signature).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/cassandra.js';

interface Block {
  line: number;
  code: string;
  skip: boolean;
  name: string | undefined;
  uses: string[];
}

export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const marker = /^<!-- doc-test: (.*) -->$/.exec(lines[i - 1]?.trim() ?? '')?.[1] ?? '';
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    blocks.push({
      line: start + 1,
      code: lines.slice(start, end).join('\n'),
      skip: marker === 'skip',
      name: /^name=(\w+)$/.exec(marker)?.[1],
      uses: /^uses=([\w,]+)$/.exec(marker)?.[1]?.split(',') ?? [],
    });
    i = end;
  }
  return blocks;
}

const OUT = join(REPO_ROOT, 'test', 'docs', '.out');

/** Joins blocks into one module: their single-line `import { … } from '…'` lines merged per module. */
export function joinBlocks(codes: string[]): string {
  const imports = new Map<string, Set<string>>();
  const body: string[] = [];
  for (const line of codes.join('\n').split('\n')) {
    const m = /^import \{([^}]*)\} from '([^']+)';(?:\s*\/\/.*)?$/.exec(line.trim());
    if (!m) {
      body.push(line);
      continue;
    }
    const names = imports.get(m[2]!) ?? new Set<string>();
    for (const name of m[1]!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean))
      names.add(name);
    imports.set(m[2]!, names);
  }
  const head = [...imports].map(([from, names]) => `import { ${[...names].join(', ')} } from '${from}';`);
  return [...head, ...body].join('\n');
}

describe('README code blocks', () => {
  after(() => rmSync(OUT, { recursive: true, force: true }));

  it('each block type-checks on its own, or after the blocks it continues', () => {
    const blocks = readmeBlocks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    assert.ok(blocks.length >= 5, `found ${blocks.length} blocks`);
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const files = new Map<string, { line: number }>();
    const named = new Map<string, string>();
    for (const block of blocks) {
      if (block.skip) continue;
      const preludes = block.uses.map((name) => {
        const code = named.get(name);
        assert.ok(code !== undefined, `README.md block at line ${block.line} uses '${name}', which no earlier block names`);
        return code;
      });
      if (block.name) named.set(block.name, block.code);
      const file = join(OUT, `readme-${block.line}.ts`);
      // export {} keeps each file a module of its own: top-level await, no name clashes between blocks.
      writeFileSync(file, `${joinBlocks([...preludes, block.code])}\nexport {};\n`);
      files.set(file, { line: block.line });
    }
    const config = ts.getParsedCommandLineOfConfigFile(
      join(REPO_ROOT, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      },
    )!;
    const host = ts.createCompilerHost({ ...config.options, noEmit: true });
    const prog = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
    const problems = ts
      .getPreEmitDiagnostics(prog)
      .filter((d) => d.file && files.has(d.file.fileName))
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const origin = files.get(d.file!.fileName)!;
        return `README.md block at line ${origin.line}, its line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      });
    assert.deepEqual(problems, []);
  });
});
