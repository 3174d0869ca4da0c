/**
 * `npm run docs` builds the API reference: TypeDoc, with warnings as errors, over the public entry
 * points. Run here without writing anything, so that a type left out of the reference fails a test
 * rather than the next person who builds the docs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';

// The package's bin script (its exports do not list it).
const root = join(import.meta.dirname, '..', '..');
const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');

it('npm run docs builds the API reference without a warning', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [typedoc, '--emit', 'none'], {
    cwd: root,
    maxBuffer: 16 << 20,
  }).catch((err: { stdout: string; stderr: string }) => assert.fail(`typedoc failed:\n${err.stdout}${err.stderr}`));
  assert.doesNotMatch(stdout + stderr, /warning|error/i, stdout + stderr);
});
