/**
 * The process exits by itself once the connection module is done: connection.shutdown() leaves no
 * socket or timer behind, nor does a connection that failed to connect. Each case runs in a child
 * process that must exit with code 0 within 15 s; one that has to be killed fails the test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO_ROOT, ensureCassandra } from '../helpers/cassandra.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'exit.ts');
const LIMIT_MS = 15_000;

let hosts: string[];
let unreachable: string;

/** A local port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

function runFixture(mode: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode, hosts.join(','), unreachable], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, killed, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function assertExitedCleanly(outcome: Outcome): void {
  const detail = `exit ${outcome.code} signal ${outcome.signal} after ${outcome.ms} ms\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
  assert.equal(outcome.killed, false, `had to be killed after ${LIMIT_MS} ms: something kept the process alive\n${detail}`);
  assert.equal(outcome.code, 0, detail);
  assert.equal(outcome.stdout.trim(), 'ok', detail);
}

before(async () => {
  ({ hosts } = await ensureCassandra());
  unreachable = `127.0.0.1:${await closedPort()}`;
});

describe('process exit', () => {
  it('after setup, a query (eager and lazy connections) and connection.shutdown()', async () => {
    assertExitedCleanly(await runFixture('query'));
  });

  it('after a lazy connection failed to connect (without retry) and connection.shutdown()', async () => {
    assertExitedCleanly(await runFixture('lazy-failed'));
  });

  it('after a lazy connection failed to connect (with retry), even without connection.shutdown()', async () => {
    assertExitedCleanly(await runFixture('lazy-failed-no-shutdown'));
  });

  it('after setup() with retryConnect failed to connect and connection.shutdown()', async () => {
    assertExitedCleanly(await runFixture('eager-retry-failed'));
  });

  it('with a lazy connection that was never used, even without connection.shutdown()', async () => {
    assertExitedCleanly(await runFixture('lazy-unused'));
  });
});
