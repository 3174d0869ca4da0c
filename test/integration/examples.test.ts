/**
 * Every example runs as a user would run it (`node --import tsx examples/…`, importing 'cqlengine'),
 * in a child process against the test cluster (CQLENGINE_HOSTS), exits with code 0, prints what it
 * promises, and leaves none of its keyspaces behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';

// Generous: each example creates keyspaces and tables on a machine shared with other test runs.
const LIMIT_MS = 240_000;

let hosts: string[];
let admin: TestKeyspaces;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // NODE_TEST_CONTEXT would make a `node --test` child report to this runner instead of printing.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, CQLENGINE_HOSTS: hosts.join(','), NODE_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertExitedCleanly(outcome: Outcome): void {
  assert.equal(outcome.code, 0, `exit code ${outcome.code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`);
}

/** The keyspaces an example says it dropped are gone. */
async function assertDropped(output: string, expected: number): Promise<void> {
  const dropped = [...output.matchAll(/^dropped keyspace (\w+)$/gm)].map((m) => m[1]!);
  assert.equal(dropped.length, expected, output);
  for (const name of dropped) assert.equal(await admin.keyspaceExists(name), false, `${name} left behind`);
}

describe('examples', { timeout: LIMIT_MS * 5 }, () => {
  before(async () => {
    hosts = (await ensureCassandra()).hosts;
    admin = new TestKeyspaces(hosts);
  });
  after(() => admin.drop());

  it('quickstart.ts', { timeout: LIMIT_MS }, async () => {
    const outcome = await run(['examples/quickstart.ts']);
    assertExitedCleanly(outcome);
    assert.match(outcome.stdout, /changed columns: \[ 'tags' \]/);
    assert.match(outcome.stdout, /archived users: 1 \| live users: 2/);
    assert.match(outcome.stdout, /after delete: users\.DoesNotExist/);
    assert.match(outcome.stdout, /^done\.$/m);
    for (const name of ['quickstart_accounts', 'quickstart_analytics', 'quickstart_archive']) {
      assert.equal(await admin.keyspaceExists(name), false, `${name} left behind`);
    }
  });

  it('tenant-service.ts --self-test: a keyspace per tenant, bound per request', { timeout: LIMIT_MS }, async () => {
    const outcome = await run(['examples/tenant-service.ts', '--self-test']);
    assertExitedCleanly(outcome);
    assert.match(outcome.stdout, /^listening on http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(
      outcome.stdout,
      /^GET \/tenants\/globex\/boards\/ideas\/notes -> 200 \[\{"board":"ideas","id":"[0-9a-f-]{36}","text":"globex only"/m,
    );
    assert.match(outcome.stdout, /^GET \/tenants\/nobody\/boards\/ideas\/notes -> 404/m);
    assert.match(outcome.stdout, /^self-test passed/m);
    await assertDropped(outcome.stdout, 2);
  });

  it('testing/notes.test.ts: a keyspace per test file', { timeout: LIMIT_MS }, async () => {
    const outcome = await run(['--test', '--test-reporter=spec', 'examples/testing/notes.test.ts']);
    assertExitedCleanly(outcome);
    assert.match(outcome.stdout, /pass 4/);
    assert.match(outcome.stdout, /fail 0/);
  });

  it('stream-large-query.ts: every row as NDJSON', { timeout: LIMIT_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cqle-stream-'));
    try {
      const file = join(dir, 'readings.ndjson');
      const outcome = await run(['examples/stream-large-query.ts', '--rows', '1200', file]);
      assertExitedCleanly(outcome);
      assert.match(
        outcome.stderr,
        new RegExp(`^streamed 1200 rows \\(\\d+ bytes of NDJSON\\) to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 1200);
      const first = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.deepEqual(Object.keys(first), ['sensor', 'at', 'celsius']);
      // Every row exactly once, across partitions and pages.
      const keys = lines.map((line) => {
        const { sensor, at } = JSON.parse(line) as { sensor: string; at: string };
        return `${sensor} ${at}`;
      });
      assert.equal(new Set(keys).size, 1200);
      await assertDropped(outcome.stderr, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
