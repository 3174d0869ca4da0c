/**
 * Every ```ts block of the README type-checks as a user would write it, importing 'cqlengine'
 * (mapped to src/ by tsconfig paths). A block preceded by `<!-- doc-test: continues -->` builds on the
 * block before it; `<!-- doc-test: skip -->` marks a fragment that is not a program (a signature).
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
  continues: boolean;
}

export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const marker = lines[i - 1]?.trim() ?? '';
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    blocks.push({
      line: start + 1,
      code: lines.slice(start, end).join('\n'),
      skip: marker === '<!-- doc-test: skip -->',
      continues: marker === '<!-- doc-test: continues -->',
    });
    i = end;
  }
  return blocks;
}

const OUT = join(REPO_ROOT, 'test', 'docs', '.out');

describe('README code blocks', () => {
  after(() => rmSync(OUT, { recursive: true, force: true }));

  it('each block type-checks on its own, or after the blocks it continues', () => {
    const blocks = readmeBlocks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    assert.ok(blocks.length >= 5, `found ${blocks.length} blocks`);
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const files = new Map<string, { line: number; prefixLines: number }>();
    let program = '';
    let programStart = 0;
    for (const block of blocks) {
      if (block.skip) continue;
      if (block.continues) {
        program += `\n${block.code}`;
      } else {
        program = block.code;
        programStart = block.line;
      }
      const file = join(OUT, `readme-${block.line}.ts`);
      // export {} keeps each file a module of its own: top-level await, no name clashes between blocks.
      writeFileSync(file, `${program}\nexport {};\n`);
      files.set(file, { line: programStart, prefixLines: 0 });
    }
    const config = ts.getParsedCommandLineOfConfigFile(join(REPO_ROOT, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    })!;
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
