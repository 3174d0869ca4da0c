/**
 * The fault suite's own three-node Cassandra 5.0 (127.0.0.11-13, home faults-5.0 in the cache), apart
 * from the development nodes; started fresh by the suite with the repository's tool, stopped at the end.
 */
import { join } from 'node:path';
import { cacheDir, clear, kill, start, stop } from '../../src/tooling/cassandra/index.js';
import { isListening } from '../../src/tooling/cassandra/node.js';

export const HOME = join(cacheDir(), 'faults-5.0');
export const FIRST = '127.0.0.11';
export const ADDRESSES = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
const base = { version: '5.0', home: HOME, address: FIRST } as const;
const progress = (line: string) => process.stderr.write(`  [cluster] ${line}\n`);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function freshCluster(): Promise<void> {
  await clear(base);
  await startNodes(3);
}

/** Starts nodes 1..n that are not listening (node 1 is the seed). */
export async function startNodes(n: number): Promise<void> {
  await start({ ...base, nodes: n, heapMb: 400, timeoutMs: 240_000, progress });
}

export async function killNode(node: number): Promise<void> {
  if (!(await kill({ ...base, node }))) throw new Error(`node${node} was not running`);
}

export async function stopCluster(): Promise<void> {
  await stop(base);
}

/** Resolves with Date.now() when `address` first accepts TCP on the CQL port. */
export async function firstListening(address: string, stopAfterMs = 300_000): Promise<number> {
  const deadline = Date.now() + stopAfterMs;
  while (Date.now() < deadline) {
    if (await isListening(address, 9042, 200)) return Date.now();
    await sleep(20);
  }
  throw new Error(`${address} did not listen within ${stopAfterMs} ms`);
}
