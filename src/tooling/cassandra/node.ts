import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Distribution } from './distribution.js';
import { javaCommand, javaModuleFlags } from './java.js';

export const CQL_PORT = 9042;

export interface NodeSpec {
  /** 1-based index; node N listens on 127.0.0.N. */
  readonly index: number;
  /** How many nodes the ring has, for even token spacing. */
  readonly ringSize: number;
  readonly home: string;
  readonly heapMb: number;
}

export const nodeAddress = (index: number): string => `127.0.0.${index}`;
export const nodeDir = (home: string, index: number): string => join(home, `node${index}`);
export const nodeLog = (home: string, index: number): string => join(nodeDir(home, index), 'logs', 'system.out.log');
const pidFile = (home: string, index: number): string => join(nodeDir(home, index), 'cassandra.pid');

/** Resolves true when a TCP connect to host:port succeeds within timeoutMs. */
export function isListening(host: string, port = CQL_PORT, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Evenly spaced Murmur3 tokens, so each node of an N-node ring owns 1/N of the data. */
export function initialToken(index: number, ringSize: number): string {
  const span = 2n ** 64n;
  return (-(2n ** 63n) + (span / BigInt(ringSize)) * BigInt(index - 1)).toString();
}

function writeConfig(dist: Distribution, spec: NodeSpec): string {
  const dir = nodeDir(spec.home, spec.index);
  const address = nodeAddress(spec.index);
  const config = JSON.parse(readFileSync(dist.defaultsFile, 'utf8')) as Record<string, unknown>;
  Object.assign(config, {
    cluster_name: 'cqlengine',
    num_tokens: 1,
    initial_token: initialToken(spec.index, spec.ringSize),
    auto_bootstrap: false,
    listen_address: address,
    rpc_address: address,
    start_rpc: false,
    data_file_directories: [join(dir, 'data')],
    commitlog_directory: join(dir, 'commitlog'),
    saved_caches_directory: join(dir, 'saved_caches'),
    seed_provider: [
      { class_name: 'org.apache.cassandra.locator.SimpleSeedProvider', parameters: [{ seeds: nodeAddress(1) }] },
    ],
  });
  for (const sub of ['data', 'commitlog', 'saved_caches', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  const file = join(dir, 'cassandra.yaml');
  // JSON is valid YAML, so the package's defaults are written out as they are.
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** The pid of a node this tool started and that is still running, if any. */
export function ownedPid(home: string, index: number): number | undefined {
  const file = pidFile(home, index);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A recycled pid belongs to some other program: never signal it.
    if (cmdline.includes('CassandraDaemon') && cmdline.includes(nodeDir(home, index))) return pid;
  } catch {
    // No such process.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts one node in the background and resolves once it accepts CQL connections. */
export async function startNode(dist: Distribution, spec: NodeSpec, timeoutMs: number): Promise<number> {
  const dir = nodeDir(spec.home, spec.index);
  const config = writeConfig(dist, spec);
  const java = javaCommand();
  const conf = join(dist.cassandraHome, 'conf');
  const args = [
    `-Xms${spec.heapMb}m`,
    `-Xmx${spec.heapMb}m`,
    '-XX:+UseG1GC',
    ...(await javaModuleFlags(java)),
    '-Dcassandra-foreground=yes',
    `-Dcassandra.config=file://${config}`,
    `-Dcassandra.storagedir=${dir}`,
    `-Dcassandra.logdir=${join(dir, 'logs')}`,
    `-Dlogback.configurationFile=${join(conf, 'logback.xml')}`,
    '-Dcassandra.ring_delay_ms=2000',
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-cp',
    `${conf}:${join(dist.cassandraHome, 'lib', '*')}`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
  const log = nodeLog(spec.home, spec.index);
  const out = openSync(log, 'w');
  const child = spawn(java, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not spawn ${java}; see ${log}`);
  child.unref();
  writeFileSync(pidFile(spec.home, spec.index), String(pid));

  const address = nodeAddress(spec.index);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(address, CQL_PORT, 500)) return pid;
    if (!isAlive(pid)) {
      throw new Error(`Cassandra node ${spec.index} (${address}) exited during start-up. Its log ${log} ends with:\n${logTail(log)}`);
    }
    await sleep(250);
  }
  throw new Error(
    `Cassandra node ${spec.index} (${address}) did not accept CQL connections on port ${CQL_PORT} ` +
      `within ${timeoutMs} ms (pid ${pid} is still running). Its log ${log} ends with:\n${logTail(log)}`,
  );
}

/** Stops a node this tool started; resolves false if there was none. */
export async function stopNode(home: string, index: number, timeoutMs = 30_000): Promise<boolean> {
  const pid = ownedPid(home, index);
  if (pid === undefined) {
    rmSync(pidFile(home, index), { force: true });
    return false;
  }
  // The negative pid signals the whole process group started with detached: true.
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await sleep(100);
  rmSync(pidFile(home, index), { force: true });
  return true;
}
