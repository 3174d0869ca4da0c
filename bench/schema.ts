/**
 * What both sides of the benchmark share: the tables (as mapper models and as raw CQL), the row
 * content every write must produce, and the cases. Not a test.
 */
import type * as Library from '../src/index.js';

/** The mapper as a side loads it: the built package (what users run) or the sources. */
export type Lib = typeof Library;

/** The two tables, as models of the given copy of the library. */
export function models(lib: Lib, keyspace: string) {
  const { columns, model } = lib;
  const Item = model(
    'items',
    {
      id: columns.int().partitionKey(),
      name: columns.text(),
      value: columns.double(),
      tags: columns.set(columns.text()),
      scores: columns.map(columns.text(), columns.int()),
    },
    { keyspace },
  );
  const Point = model(
    'points',
    {
      series: columns.int().partitionKey(),
      seq: columns.int().primaryKey(),
      label: columns.text(),
      tags: columns.set(columns.text()),
      scores: columns.map(columns.text(), columns.int()),
    },
    { keyspace },
  );
  return { Item, Point };
}

export interface ItemContent {
  name: string;
  value: number;
  tags: Set<string>;
  scores: Map<string, number>;
}

/** The row every write of id stores: four set elements and three map entries, as a user's row might carry. */
export function itemContent(id: number): ItemContent {
  return {
    name: `item ${id}`,
    value: id / 2,
    tags: new Set(['all', `a${id % 7}`, `b${id % 11}`, `c${id % 13}`]),
    scores: new Map([
      ['x', id % 100],
      ['y', id % 3],
      ['z', 7],
    ]),
  };
}

export const pointContent = (seq: number) => ({
  label: `p${seq}`,
  tags: new Set(['all', `s${seq % 5}`]),
  scores: new Map([['n', seq]]),
});

/** Partitions of the points table: one of 10,000 rows read in pages of 1,000, one of 1,000 read page by page. */
export const BIG_SERIES = 1;
export const BIG_ROWS = 10_000;
export const BIG_FETCH = 1_000;
export const SMALL_SERIES = 2;
export const SMALL_ROWS = 1_000;
export const SMALL_FETCH = 250;
/** Rows 0..GET_ROWS-1 of items are written before the run, for gets. */
export const GET_ROWS = 1_000;
export const BATCH_SIZE = 50;

export type CaseName = 'create' | 'get' | 'load-change-save' | 'batch' | 'read-10k' | 'pages-1k';
export type Side = 'raw' | 'mapper';

/** What a case writes, so the parent can check every row after the run. */
export type WriteKind = 'created' | 'saved';

export interface CaseSpec {
  readonly name: CaseName;
  readonly label: string;
  /**
   * Operations per round, sequential and 64 in flight (times BENCH_SCALE). The sequential loops run
   * for seconds: at a few hundred operations they measured the JIT and the heap settling (about
   * 200 µs of CPU per create rather than 80) more than the steady state.
   */
  readonly ops: readonly [number, number];
  /**
   * At least this many warm-up operations before them (times BENCH_SCALE); else a quarter of ops.
   * The sequential reads warm up for some seconds: their per-page code (the whole path of a
   * statement, on both sides) runs a few times per operation, and `--trace-opt` showed the
   * mapper's still unoptimized after the forty operations the pages had before.
   */
  readonly warmup: readonly [number, number];
  /**
   * Operations run 64 at a time before the warm-up (times BENCH_SCALE), so that the JIT has
   * optimized both sides' code before either is measured. V8 optimizes a function after enough
   * calls, not enough time: with the warm-up alone, functions called once per operation (most of
   * the mapper's, and the driver's per-request ones) were still being compiled inside the measured
   * sequential loops, which charged that compilation, and the slower code before it, to the side
   * with more such functions. None for the reads: their per-row code is warm within the first
   * operation, and reads 64 at a time left a sequential side a grown heap to collect (tried again:
   * the sequential 10,000-row read measured 1.47 in CPU after such a prime). Their per-page code is
   * warmed by a longer sequential warm-up instead.
   */
  readonly prime: number;
  /**
   * The fewest operations in one of the blocks a round's measured loop is cut into, sequential and
   * 64 in flight: enough that a block lasts about a tenth of a second or more, so that the cold
   * start of each block (the other side ran last) weighs little, and at 64 in flight at least one
   * full load of operations. Finer turns (forty blocks of 20–40 ms) narrowed the spread of the
   * rounds' ratios, but measured the sequential get and load-change-save 0.03–0.05 higher than ten
   * blocks did, in two pairs of runs taken in turns: each block's cold start, or noise; not known.
   */
  readonly block: readonly [number, number];
}

/**
 * BENCH_ROW_WORK_US: microseconds each side's reads spend on every row, as a consumer that does
 * something with its rows would (both sides alike; default none).
 */
export const ROW_WORK_US = Number(process.env['BENCH_ROW_WORK_US'] ?? 0);
if (!(ROW_WORK_US >= 0)) throw new Error(`BENCH_ROW_WORK_US must be a number of microseconds, got ${process.env['BENCH_ROW_WORK_US']}`);

/** What a read does with a row it counts: nothing, or ROW_WORK_US of the CPU's time. */
export function consume(): void {
  if (ROW_WORK_US === 0) return;
  const until = performance.now() + ROW_WORK_US / 1000;
  while (performance.now() < until);
}

/** BENCH_SCALE: longer (or shorter) loops, warm-ups included. */
export const SCALE = Number(process.env['BENCH_SCALE'] ?? 1);

export const CASES: readonly CaseSpec[] = [
  { name: 'create', label: 'create (insert one row)', ops: [4000, 6000], warmup: [4000, 6000], prime: 10_000, block: [20, 128] },
  { name: 'get', label: 'get by key', ops: [4000, 6000], warmup: [4000, 6000], prime: 10_000, block: [20, 128] },
  {
    name: 'load-change-save',
    label: 'load, change one column, save',
    ops: [2000, 3000],
    warmup: [2000, 4000],
    prime: 10_000,
    block: [20, 128],
  },
  // 1,280 with 64 in flight: ten blocks of 128. With the four that 600 made, a flush or compaction
  // of the node landed in one side's block and decided the round (time ratios of 0.66–1.56). 480
  // sequentially: with 160, the rounds' time ratios spread from 0.49 to 1.33.
  { name: 'batch', label: `logged batch of ${BATCH_SIZE} creates`, ops: [480, 1280], warmup: [160, 400], prime: 1_000, block: [16, 128] },
  {
    name: 'read-10k',
    label: `${BIG_ROWS.toLocaleString('en')}-row partition, for await`,
    ops: [12, 192],
    warmup: [40, 16],
    prime: 0,
    block: [1, 64],
  },
  {
    name: 'pages-1k',
    label: `${SMALL_ROWS.toLocaleString('en')} rows page by page`,
    ops: [100, 640],
    warmup: [400, 128],
    prime: 0,
    block: [10, 128],
  },
];

/** What a side process prints (one JSON line) when its measured loop is done. */
export interface SideResult {
  readonly ms: number;
  /** Process user + system CPU over the measured loop. */
  readonly cpuMs: number;
  readonly ops: number;
  /** The same per block, in the order run (the totals above are their sums). */
  readonly blocks: readonly { readonly ms: number; readonly cpuMs: number; readonly ops: number }[];
  /** Ids this process wrote, [from, to), with what the rows must hold. */
  readonly written: { from: number; to: number; kind: WriteKind }[];
}

/** From bench/run.ts to a side: run this many measured operations; `run` absent: stop. */
export interface ParentMessage {
  readonly run?: number;
}

/** From a side to bench/run.ts: ready to measure; a block done; the result, last. */
export type SideMessage = { readonly ready: true } | { readonly ran: number } | { readonly result: SideResult };

export type Work = (i: number) => Promise<unknown>;

/** Runs ops operations, inFlight at a time. */
export async function runOps(ops: number, inFlight: number, work: Work): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ops) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, ops) }, worker));
}
