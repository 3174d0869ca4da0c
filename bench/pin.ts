/**
 * Client and server on cores of their own, while the benchmark runs: the side processes on one CPU,
 * the local Cassandra node on the others (Linux, with util-linux's `taskset`). Sharing the cores,
 * the node's threads ran between each sequential operation's request and reply and left the client
 * with cold caches, which costs the side with more code and data per operation the most: the
 * mapper's sequential load-change-save measured 1.13 against the raw driver shared, 1.01 pinned. A
 * service's Cassandra runs on machines of its own. BENCH_PIN=0 measures with the cores shared.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** For the header line: where the two sides and the node ran. */
  readonly summary: string;
  /** Gives the node back the CPUs it had (also done on exit). */
  restore(): void;
}

/** The node's affinity mask (hex), as `taskset -p` prints it. */
function maskOf(pid: number): string {
  const out = execFileSync('taskset', ['-p', String(pid)], { encoding: 'utf8' });
  const mask = /mask:\s*([0-9a-f]+)/i.exec(out)?.[1];
  if (!mask) throw new Error(`unexpected taskset output: ${out.trim()}`);
  return mask;
}

/** The CPUs this process may run on (a cpuset or container may allow fewer, or others, than 0..n-1). */
function allowedCpus(): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  return list.split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number);
    return Number.isInteger(from) && Number.isInteger(to) ? Array.from({ length: to! - from! + 1 }, (_, i) => from! + i) : [];
  });
}

/** What taskset said (its stderr), else the error's message: its first line. */
function firstLine(err: unknown): string {
  const said = (err as { stderr?: Buffer | string } | undefined)?.stderr?.toString().trim();
  return (said || (err instanceof Error ? err.message : String(err))).split('\n')[0]!;
}

/**
 * Pins this process (and so the sides it forks afterwards) to the first CPU it may use, and every
 * thread of the node's process to the others. Left as it is, with the reason in the summary, when
 * BENCH_PIN=0, on one CPU, off Linux, for a node this tool did not start here (its pid unknown), or
 * when taskset is missing or refuses.
 */
export function pinCores(serverPid: number | undefined): Pinning {
  const cores = availableParallelism();
  const unpinned = (why: string): Pinning => ({ summary: `${cores} cores, client and node not pinned apart (${why})`, restore() {} });
  if (process.env['BENCH_PIN'] === '0') return unpinned('BENCH_PIN=0');
  if (process.platform !== 'linux') return unpinned('pinning needs Linux');
  if (serverPid === undefined) return unpinned('not a node this tool started on this machine');
  const cpus = allowedCpus();
  if (cpus.length < 2) return unpinned('fewer than two CPUs to share out');
  const [clientCpu, ...serverCpus] = cpus;
  let original: string | undefined;
  try {
    original = maskOf(serverPid);
    execFileSync('taskset', ['-a', '-p', '-c', serverCpus.join(','), String(serverPid)], { stdio: 'pipe' });
  } catch (err) {
    // Some threads may have been pinned before taskset stopped: give them back what they had.
    restoreMask(serverPid, original);
    return unpinned(`taskset: ${firstLine(err)}`);
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    restoreMask(serverPid, original);
  };
  // However the run ends (an uncaught error, a signal), the node gets its CPUs back.
  process.once('exit', restore);
  const interrupted = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, interrupted);
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(clientCpu), String(process.pid)], { stdio: 'pipe' });
  } catch (err) {
    restore();
    return unpinned(`taskset: ${firstLine(err)}`);
  }
  return { summary: `${cores} cores: client sides on CPU ${clientCpu}, the node on CPU ${serverCpus.join(',')}`, restore };
}

function restoreMask(pid: number, mask: string | undefined): void {
  if (mask === undefined) return;
  try {
    execFileSync('taskset', ['-a', '-p', mask, String(pid)], { stdio: 'pipe' });
  } catch (err) {
    // A node that has gone has nothing to get back; anything else is worth saying.
    if (!/No such process|ESRCH/.test(firstLine(err)))
      console.error(`could not give the node (pid ${pid}) back its CPUs (mask ${mask}): ${firstLine(err)}`);
  }
}
