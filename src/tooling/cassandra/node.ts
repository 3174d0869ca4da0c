import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { writeNodeConfig } from './config.js';
import type { Distribution } from './distribution.js';
import { findJava, jvmOptions } from './java.js';
import type { Progress } from './progress.js';
import { setTimeout as sleep } from 'node:timers/promises';

export const CQL_PORT = 9042;

export interface NodeSpec {
  /** 1-based index within the cluster. */
  readonly index: number;
  readonly address: string;
  /** The first node's address, every node's seed. */
  readonly seed: string;
  /** How many nodes the ring has, for even token spacing. */
  readonly ringSize: number;
  readonly home: string;
  readonly heapMb: number;
  readonly auth?: boolean | undefined;
  readonly tls?: { readonly keystore: string; readonly password: string } | undefined;
}

/** Node i of a cluster whose first node listens on `first` (127.0.0.1 → 127.0.0.i). */
export function nodeAddress(index: number, first = '127.0.0.1'): string {
  const parts = first.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || parts[0] !== 127) {
    throw new Error(`The first node's address must be an IPv4 loopback address (127.x.y.z), got '${first}'`);
  }
  const last = parts[3]! + index - 1;
  if (last > 254) throw new Error(`Node ${index} would need address ${parts.slice(0, 3).join('.')}.${last}`);
  return [...parts.slice(0, 3), last].join('.');
}

export const nodeDir = (home: string, index: number): string => join(home, `node${index}`);
export const nodeLog = (home: string, index: number): string => join(nodeDir(home, index), 'logs', 'system.log');
const outFile = (home: string, index: number): string => join(nodeDir(home, index), 'logs', 'system.out.log');
const pidFile = (home: string, index: number): string => join(nodeDir(home, index), 'cassandra.pid');
const addressFile = (home: string, index: number): string => join(nodeDir(home, index), 'address');

/** The address a node was last started on, if it ever was. */
export function startedAddress(home: string, index: number): string | undefined {
  try {
    return readFileSync(addressFile(home, index), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

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

/** A process's command line: /proc on Linux, `ps` elsewhere (macOS). */
function commandLine(pid: number): string | undefined {
  try {
    if (existsSync('/proc/self')) return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

/** The pid of a node this tool started and that is still running, if any. */
export function ownedPid(home: string, index: number): number | undefined {
  const file = pidFile(home, index);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = commandLine(pid);
  // A recycled pid belongs to some other program: never signal it.
  return cmdline?.includes('CassandraDaemon') && cmdline.includes(nodeDir(home, index)) ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts one node in the background and resolves once it accepts CQL connections. */
export async function startNode(dist: Distribution, spec: NodeSpec, timeoutMs: number, progress: Progress): Promise<number> {
  const dir = nodeDir(spec.home, spec.index);
  const conf = writeNodeConfig(dist, {
    dir,
    address: spec.address,
    seed: spec.seed,
    initialToken: initialToken(spec.index, spec.ringSize),
    auth: spec.auth,
    tls: spec.tls,
    replicated: spec.ringSize > 1,
  });
  const java = await findJava(dist.release);
  const args = [
    ...(await jvmOptions(dist.release, java, spec.heapMb)),
    '-Dcassandra-foreground=yes',
    `-Dcassandra.config=file://${join(conf, 'cassandra.yaml')}`,
    `-Dcassandra.storagedir=${dir}`,
    `-Dcassandra.logdir=${join(dir, 'logs')}`,
    `-Dlogback.configurationFile=${join(conf, 'logback.xml')}`,
    '-Dcassandra.ring_delay_ms=1000',
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-Dcassandra.superuser_setup_delay_ms=0',
    '-cp',
    `${conf}:${dist.classPath}`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
  const out = outFile(spec.home, spec.index);
  const fd = openSync(out, 'w');
  const child = spawn(java.command, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not spawn ${java.command}; see ${out}`);
  child.unref();
  writeFileSync(pidFile(spec.home, spec.index), String(pid));
  writeFileSync(addressFile(spec.home, spec.index), spec.address);
  progress(
    `node${spec.index} ${spec.address}: starting Cassandra ${dist.release.release} on Java ${java.version} (pid ${pid}), log ${nodeLog(spec.home, spec.index)}`,
  );

  const started = Date.now();
  let lastReport = started;
  while (Date.now() - started < timeoutMs) {
    if (await isListening(spec.address, CQL_PORT, 500)) {
      // The superuser is made just after the CQL port opens: wait for it, so that a first login succeeds.
      if (spec.auth) await sleep(2000);
      progress(`node${spec.index} ${spec.address}: accepting CQL connections after ${Math.round((Date.now() - started) / 1000)} s`);
      return pid;
    }
    if (!isAlive(pid)) {
      throw new Error(
        `Cassandra node ${spec.index} (${spec.address}) exited during start-up. Its output ${out} ends with:\n${logTail(out)}`,
      );
    }
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      const last = logTail(out, 1)
        .replace(/^\S+\s+\S+\s+/, '')
        .slice(0, 100);
      progress(`node${spec.index} ${spec.address}: still starting (${Math.round((lastReport - started) / 1000)} s): ${last}`);
    }
    await sleep(250);
  }
  throw new Error(
    `Cassandra node ${spec.index} (${spec.address}) did not accept CQL connections on port ${CQL_PORT} ` +
      `within ${timeoutMs} ms (pid ${pid} is still running). Its output ${out} ends with:\n${logTail(out)}`,
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

/** SIGKILLs a node this tool started, as a crash would (for fault tests); resolves false if there was none. */
export async function killNode(home: string, index: number): Promise<boolean> {
  const pid = ownedPid(home, index);
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile(home, index), { force: true });
  return true;
}
