/**
 * Client and server on cores of their own, while the benchmark runs: the side processes on CPU 0,
 * the local Cassandra node on the others (Linux, with util-linux's `taskset`). Sharing the cores,
 * the node's threads ran between each sequential operation's request and reply and left the client
 * with cold caches, which costs the side with more code and data per operation the most: the
 * mapper's sequential load-change-save measured 1.13 against the raw driver shared, 1.01 pinned. A
 * service's Cassandra runs on machines of its own. BENCH_PIN=0 measures with the cores shared.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** For the header line: where the two sides and the node ran. */
  readonly summary: string;
  /** Gives the node back the cores it had. */
  restore(): void;
}

/** The node's affinity mask (hex), as `taskset -p` prints it. */
function maskOf(pid: number): string {
  const out = execFileSync('taskset', ['-p', String(pid)], { encoding: 'utf8' });
  const mask = /mask:\s*([0-9a-f]+)/i.exec(out)?.[1];
  if (!mask) throw new Error(`unexpected taskset output: ${out.trim()}`);
  return mask;
}

/**
 * Pins this process (and so the sides it forks afterwards) to CPU 0 and every thread of the node's
 * process to the other CPUs. Left unpinned, with the reason in the summary: BENCH_PIN=0, one core,
 * not Linux, no node pid (a node this tool did not start), or no taskset.
 */
export function pinCores(serverPid: number | undefined): Pinning {
  const cores = availableParallelism();
  const shared = (why: string): Pinning => ({ summary: `${cores} cores, shared by client and server (${why})`, restore() {} });
  if (process.env['BENCH_PIN'] === '0') return shared('BENCH_PIN=0');
  if (process.platform !== 'linux') return shared('pinning needs Linux');
  if (cores < 2) return shared('one core');
  if (serverPid === undefined) return shared("the node's pid is unknown: not started by this tool");
  let original: string;
  try {
    original = maskOf(serverPid);
  } catch (err) {
    return shared(`taskset: ${(err as Error).message.split('\n')[0]}`);
  }
  const serverCpus = cores === 2 ? '1' : `1-${cores - 1}`;
  execFileSync('taskset', ['-a', '-p', '-c', serverCpus, String(serverPid)], { stdio: 'ignore' });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      execFileSync('taskset', ['-a', '-p', original, String(serverPid)], { stdio: 'ignore' });
    } catch {
      // The node has gone: nothing to give back.
    }
  };
  // A stopped run still gives the node its cores back.
  const interrupted = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  } catch (err) {
    restore();
    throw err;
  }
  return { summary: `${cores} cores: client sides on CPU 0, the node on CPU ${serverCpus}`, restore };
}
