/**
 * The mapper against the raw cassandra-driver doing the same work on the same tables and node. In
 * each round of a case, a raw and a mapper process (bench/side.ts) start together, prime the JIT
 * and warm up, then run the measured operations in alternating blocks; each reports wall time and
 * its own CPU (user + system) over its blocks. Medians per operation are printed, and mapper/raw
 * ratios as the median of each round's paired ratio; every row written is checked afterwards
 * (count and content). Not a test.
 *
 *   npm run bench                              the local tool's node (npm run cassandra), started if needed
 *   BENCH_HOSTS=127.0.0.2 npm run bench        a running node (CQLENGINE_TEST_HOSTS is read too)
 *   BENCH_ROUNDS=9 BENCH_SCALE=2               more rounds, longer loops
 *   BENCH_BLOCKS=1                             each side's measured loop in one piece (default: up to 10 blocks)
 *   BENCH_CASES=create,get                     some cases only
 *   BENCH_LIB=src                              the mapper side runs the sources through tsx, not the built package
 *   BENCH_PROFILE=mapper                       also write .cpuprofile files of that side to bench/profiles
 *   BENCH_PIN=0                                client and node share the cores (default: pinned apart, see pin.ts)
 *   BENCH_JSON=/tmp/bench.json                 also write every round's figures, block by block, to that file
 *   BENCH_ROW_WORK_US=3                        the reads spend that long on each row, as a consumer would (default 0)
 */
import { execFile, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from 'cassandra-driver';
import * as lib from '../src/index.js';
import { start, status } from '../src/tooling/cassandra/index.js';
import { pinCores } from './pin.js';
import {
  BIG_ROWS,
  BIG_SERIES,
  CASES,
  GET_ROWS,
  SMALL_ROWS,
  SMALL_SERIES,
  itemContent,
  models,
  pointContent,
  ROW_WORK_US,
  runOps,
  SCALE,
  type CaseName,
  type CaseSpec,
  type ParentMessage,
  type Side,
  type SideMessage,
  type SideResult,
  type WriteKind,
} from './schema.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const BLOCKS = Number(process.env['BENCH_BLOCKS'] ?? 10);
if (!Number.isInteger(BLOCKS) || BLOCKS < 1)
  throw new Error(`BENCH_BLOCKS must be a whole number of at least 1, got ${process.env['BENCH_BLOCKS']}`);
const ONLY = process.env['BENCH_CASES']?.split(',').filter(Boolean);
const PROFILE = process.env['BENCH_PROFILE'] as Side | undefined;
const JSON_OUT = process.env['BENCH_JSON'];
const SIDE_SCRIPT = fileURLToPath(new URL('./side.ts', import.meta.url));
const PROFILES = fileURLToPath(new URL('./profiles', import.meta.url));

/** The node(s) to run against, and the pid of a local node this tool started (see pin.ts). */
async function hostsToUse(): Promise<{ hosts: string[]; serverPid: number | undefined }> {
  const given = process.env['BENCH_HOSTS'] ?? process.env['CQLENGINE_TEST_HOSTS'];
  if (given) {
    const hosts = given
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    // Every cached server's home is looked at: the one running there, started by this tool, is it.
    const known =
      hosts.length === 1
        ? (await status({ address: hosts[0] }).catch(() => [])).find((n) => n.address === hosts[0] && n.listening && n.pid !== undefined)
        : undefined;
    return { hosts, serverPid: known?.pid };
  }
  const [node] = await start({ nodes: 1 });
  return { hosts: [node!.address], serverPid: node!.pid };
}

/** A side process (bench/side.ts) under this one's control, through its IPC channel. */
interface SideProcess {
  /** The side's next message; rejects if it exits first. */
  next(): Promise<SideMessage>;
  send(message: ParentMessage): void;
  /** Stops the process (a round that failed on the other side). */
  kill(): void;
}

function startSide(
  side: Side,
  spec: CaseSpec,
  inFlight: number,
  ops: number,
  base: number,
  hosts: string[],
  keyspace: string,
  libPath: string,
): SideProcess {
  const execArgv = ['--import', 'tsx'];
  if (PROFILE === side)
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=${side}-${spec.name}-${inFlight}-${base}.cpuprofile`);
  const child = fork(SIDE_SCRIPT, [side, spec.name, String(inFlight), String(ops), String(base)], {
    execArgv,
    env: { ...process.env, BENCH_HOSTS: hosts.join(','), BENCH_KEYSPACE: keyspace, BENCH_LIB: libPath },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const queue: SideMessage[] = [];
  let waiting: { resolve: (m: SideMessage) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  child.on('message', (message: SideMessage) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w.resolve(message);
    } else queue.push(message);
  });
  const fail = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    waiting = undefined;
  };
  child.on('exit', (code) => {
    if (code !== 0) fail(new Error(`${side} ${spec.name} (${inFlight} in flight) failed (exit ${code}): ${stderr}`));
  });
  // A fork that fails, or a send to a side already gone: its error, not an uncaught 'error' event.
  child.on('error', fail);
  return {
    next: () => {
      const message = queue.shift();
      if (message) return Promise.resolve(message);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    send: (message) => void child.send(message, (error) => error && fail(error)),
    kill: () => void child.kill(),
  };
}

/**
 * One round of a case: both sides start (connect, prime, warm up) together, then run the measured
 * operations in alternating blocks, so that the node's load, which drifts over seconds (compaction,
 * flushes, its GC), weighs on both sides alike. A block holds at least the case's `block` count of
 * operations.
 */
async function runRound(
  spec: CaseSpec,
  inFlight: number,
  ops: number,
  round: number,
  bases: Record<Side, number>,
  hosts: string[],
  keyspace: string,
  libPath: string,
): Promise<Record<Side, SideResult>> {
  const sides: Record<Side, SideProcess> = {
    raw: startSide('raw', spec, inFlight, ops, bases.raw, hosts, keyspace, libPath),
    mapper: startSide('mapper', spec, inFlight, ops, bases.mapper, hosts, keyspace, libPath),
  };
  try {
    return await measureRound(sides, spec, inFlight, ops, round);
  } catch (error) {
    sides.raw.kill();
    sides.mapper.kill();
    throw error;
  }
}

async function measureRound(
  sides: Record<Side, SideProcess>,
  spec: CaseSpec,
  inFlight: number,
  ops: number,
  round: number,
): Promise<Record<Side, SideResult>> {
  await Promise.all([sides.raw.next(), sides.mapper.next()]);
  const blocks = Math.max(1, Math.min(BLOCKS, Math.floor(ops / spec.block[inFlight === 1 ? 0 : 1])));
  for (let b = 0; b < blocks; b++) {
    const count = Math.floor((ops * (b + 1)) / blocks) - Math.floor((ops * b) / blocks);
    // Alternating which side goes first keeps either from always following the other.
    for (const side of ((round + b) % 2 === 0 ? ['raw', 'mapper'] : ['mapper', 'raw']) as Side[]) {
      sides[side].send({ run: count });
      await sides[side].next();
    }
  }
  const results = {} as Record<Side, SideResult>;
  for (const side of ['raw', 'mapper'] as Side[]) {
    sides[side].send({});
    const message = await sides[side].next();
    if (!('result' in message)) throw new Error(`${side} ${spec.name}: expected its result, got ${JSON.stringify(message)}`);
    results[side] = message.result;
  }
  return results;
}

/** The q-quantile of xs, interpolated between the two nearest of the sorted values. */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
};

const median = (xs: number[]) => quantile(xs, 0.5);

const sameSet = (a: Set<unknown>, b: Set<unknown>) => a.size === b.size && [...a].every((x) => b.has(x));
const sameMap = (a: Map<unknown, unknown>, b: Map<unknown, unknown>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * Reads the whole items table back: every written id is there once with the content its kind calls
 * for (created: itemContent(id); saved: the same with value + 1), and nothing else is.
 */
async function verify(raw: Client, keyspace: string, written: { from: number; to: number; kind: WriteKind }[]): Promise<number> {
  const kinds = new Map<number, WriteKind | 'seed'>();
  for (let id = 0; id < GET_ROWS; id++) kinds.set(id, 'seed');
  for (const w of written) for (let id = w.from; id < w.to; id++) kinds.set(id, w.kind);
  let seen = 0;
  const problems: string[] = [];
  for await (const row of await raw.execute(`SELECT * FROM "${keyspace}"."items"`, [], { fetchSize: 5000 })) {
    const id = row['id'] as number;
    const kind = kinds.get(id);
    if (kind === undefined) {
      problems.push(`unexpected row ${id}`);
      continue;
    }
    seen++;
    const want = itemContent(id);
    if (kind === 'saved') want.value += 1;
    const ok =
      row['name'] === want.name &&
      row['value'] === want.value &&
      sameSet(row['tags'] as Set<unknown>, want.tags) &&
      sameMap(row['scores'] as Map<unknown, unknown>, want.scores);
    if (!ok)
      problems.push(
        `row ${id} (${kind}) holds ${JSON.stringify({ ...row, tags: [...(row['tags'] ?? [])], scores: [...(row['scores'] ?? [])] })}`,
      );
  }
  if (seen !== kinds.size) problems.push(`${kinds.size - seen} written rows missing`);
  if (problems.length) throw new Error(`write check failed:\n  ${problems.slice(0, 10).join('\n  ')}`);
  return seen;
}

/** The mapper side runs the built package, as users do (tsx's transform of the sources costs more). */
async function build(): Promise<string> {
  if (process.env['BENCH_LIB'] === 'src') return fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root }, (err, stdout) =>
      err ? reject(new Error(`build failed: ${stdout}`)) : resolve(),
    ),
  );
  return new URL('../dist/index.js', import.meta.url).href;
}

async function main(): Promise<void> {
  const libPath = await build();
  const { hosts, serverPid } = await hostsToUse();
  // Unique per run, so that runs (and a run left behind by a crash) never share rows.
  const keyspace = `cqlengine_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const { connection, management } = lib;
  const { Item, Point } = models(lib, keyspace);
  await connection.setup(hosts, keyspace);
  const raw = new Client({ contactPoints: hosts, localDataCenter: 'datacenter1', encoding: { map: Map, set: Set } });
  // Before any side is forked: they inherit this process's CPU.
  const pinning = pinCores(serverPid);
  try {
    await raw.connect();
    const version = (await raw.execute('SELECT release_version FROM system.local')).first()['release_version'] as string;
    await management.createKeyspaceSimple(keyspace, 1);
    await management.syncTable(Item);
    await management.syncTable(Point);
    await runOps(GET_ROWS, 64, (id) => Item.create({ id, ...itemContent(id) }));
    await runOps(BIG_ROWS, 64, (seq) => Point.create({ series: BIG_SERIES, seq, ...pointContent(seq) }));
    await runOps(SMALL_ROWS, 64, (seq) => Point.create({ series: SMALL_SERIES, seq, ...pointContent(seq) }));

    console.log(
      `cqlengine benchmark: Cassandra ${version} at ${hosts.join(',')}, Node ${process.version}, ${pinning.summary}; ` +
        `${ROUNDS} rounds, each side in its own process; medians per operation, ratios paired by round` +
        `${ROW_WORK_US ? `; reads spend ${ROW_WORK_US} µs on each row` : ''}\n`,
    );
    const header = `${'case'.padEnd(46)}${'raw ops/s'.padStart(10)}${'mapper'.padStart(9)}${'time ×'.padStart(8)}${'raw CPU µs/op'.padStart(15)}${'mapper'.padStart(9)}${'CPU ×'.padStart(7)}${'middle half'.padStart(13)}`;
    console.log(header);
    const written: { from: number; to: number; kind: WriteKind }[] = [];
    let nextBase = 1_000_000;
    const worst = { time: 0, cpu: 0 };
    const detail: { case: CaseName; inFlight: number; rounds: Record<Side, SideResult>[] }[] = [];
    for (const spec of CASES) {
      if (ONLY && !ONLY.includes(spec.name)) continue;
      for (const inFlight of [1, 64]) {
        const ops = Math.max(1, Math.round(spec.ops[inFlight === 1 ? 0 : 1] * SCALE));
        const results: Record<Side, SideResult[]> = { raw: [], mapper: [] };
        const rounds: Record<Side, SideResult>[] = [];
        detail.push({ case: spec.name, inFlight, rounds });
        for (let r = 0; r < ROUNDS; r++) {
          const bases = { raw: nextBase, mapper: nextBase + 1_000_000 };
          nextBase += 2_000_000;
          const round = await runRound(spec, inFlight, ops, r, bases, hosts, keyspace, libPath);
          rounds.push(round);
          for (const side of ['raw', 'mapper'] as Side[]) {
            results[side].push(round[side]);
            written.push(...round[side].written);
          }
        }
        const perOp = (side: Side, f: (r: SideResult) => number) => median(results[side].map((r) => f(r) / r.ops));
        const [rawMs, mapperMs] = [perOp('raw', (r) => r.ms), perOp('mapper', (r) => r.ms)];
        const [rawCpu, mapperCpu] = [perOp('raw', (r) => r.cpuMs), perOp('mapper', (r) => r.cpuMs)];
        // Ratios are paired: each round's mapper figure over the raw figure of the same round (the two
        // ran in alternating blocks), and the median taken of those. The node's own load drifts over
        // seconds (compaction, flushes), and a ratio of medians taken apart let that drift decide it.
        const ratios = (f: (r: SideResult) => number) => results.raw.map((raw, r) => f(results.mapper[r]!) / f(raw));
        const time = median(ratios((r) => r.ms / r.ops));
        const cpuRatios = ratios((r) => r.cpuMs / r.ops);
        const cpu = median(cpuRatios);
        // The spread of the rounds' CPU ratios (their middle half): how far one run's median may move.
        const spread = `${quantile(cpuRatios, 0.25).toFixed(2)}–${quantile(cpuRatios, 0.75).toFixed(2)}`;
        worst.time = Math.max(worst.time, time);
        worst.cpu = Math.max(worst.cpu, cpu);
        const name = `${spec.label}, ${inFlight === 1 ? 'sequential' : '64 in flight'}`;
        const rate = (msPerOp: number) => (1000 / msPerOp).toFixed(msPerOp > 10 ? 1 : 0);
        console.log(
          `${name.padEnd(46)}${rate(rawMs).padStart(10)}${rate(mapperMs).padStart(9)}${time.toFixed(3).padStart(8)}` +
            `${(rawCpu * 1000).toFixed(0).padStart(15)}${(mapperCpu * 1000).toFixed(0).padStart(9)}${cpu.toFixed(3).padStart(7)}${spread.padStart(13)}`,
        );
      }
    }
    if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ version, hosts, pinning: pinning.summary, rounds: ROUNDS, cases: detail }));
    const rows = await verify(raw, keyspace, written);
    console.log(`\nworst ratios: time ${worst.time.toFixed(3)} (goal ≤ 1.05), CPU ${worst.cpu.toFixed(3)} (goal ≤ 1.10)`);
    console.log(`write check: all ${rows} rows of items present with the content written`);
  } finally {
    pinning.restore();
    await management.dropKeyspace(keyspace).catch((err: unknown) => console.error(`could not drop ${keyspace}:`, err));
    await raw.shutdown();
    await connection.shutdown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
