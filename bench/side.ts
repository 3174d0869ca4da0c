/**
 * One side of one benchmark case, in a process of its own: `raw` (the cassandra-driver alone) or
 * `mapper` (cqlengine). Connects, prepares what it will write, primes the JIT and warms up, then
 * runs the measured operations in the blocks bench/run.ts hands out over IPC, and reports wall time
 * and this process's CPU (user + system) over them. Run by hand (e.g. under `node --cpu-prof`) with
 * the keyspace of a kept run, it measures one block and prints its result as one JSON line:
 *
 *   BENCH_HOSTS=127.0.0.2 BENCH_KEYSPACE=<ks> node --import tsx bench/side.ts mapper create 64 6000 1000000
 */
import { on } from 'node:events';
import { Client } from 'cassandra-driver';
import {
  BATCH_SIZE,
  BIG_FETCH,
  BIG_ROWS,
  BIG_SERIES,
  CASES,
  GET_ROWS,
  SMALL_FETCH,
  SMALL_ROWS,
  SMALL_SERIES,
  consume,
  itemContent,
  models,
  type Lib,
  type ParentMessage,
  type SideMessage,
  type CaseName,
  type Side,
  type SideResult,
  type WriteKind,
  runOps,
  SCALE,
} from './schema.js';

import type { Work } from './schema.js';

/** What one side does for each case; ids are chosen by the caller. */
interface Ops {
  create(id: number): Promise<unknown>;
  get(id: number): Promise<unknown>;
  /** Reads the row, adds 1 to its value, writes it back. */
  loadChangeSave(id: number): Promise<unknown>;
  /** One logged batch creating ids first..first+BATCH_SIZE-1. */
  batch(first: number): Promise<unknown>;
  /** Reads a whole partition row by row, returning how many rows it saw. */
  readAll(series: number, fetchSize: number): Promise<number>;
  /** Reads a whole partition page by page, returning how many rows it saw. */
  readPages(series: number, fetchSize: number): Promise<number>;
  close(): Promise<void>;
}

async function rawSide(hosts: string[], keyspace: string): Promise<Ops> {
  // The same Client options the registry gives its own Clients, so both sides encode alike.
  const client = new Client({
    contactPoints: hosts,
    localDataCenter: 'datacenter1',
    encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true },
    pooling: { maxRequestsPerConnection: 32_768 },
    protocolOptions: { maxVersion: 4 },
  });
  await client.connect();
  const ks = `"${keyspace}"`;
  const insert = `INSERT INTO ${ks}."items" ("id", "name", "value", "tags", "scores") VALUES (?, ?, ?, ?, ?)`;
  const get = `SELECT * FROM ${ks}."items" WHERE "id" = ? LIMIT ?`;
  const update = `UPDATE ${ks}."items" SET "value" = ? WHERE "id" = ?`;
  const points = `SELECT * FROM ${ks}."points" WHERE "series" = ?`;
  const params = (id: number) => {
    const c = itemContent(id);
    return [id, c.name, c.value, c.tags, c.scores];
  };
  return {
    create: (id) => client.execute(insert, params(id), { prepare: true, isIdempotent: true }),
    get: (id) => client.execute(get, [id, 2], { prepare: true, isIdempotent: true }),
    async loadChangeSave(id) {
      const row = (await client.execute(get, [id, 2], { prepare: true, isIdempotent: true })).first();
      await client.execute(update, [(row['value'] as number) + 1, id], { prepare: true, isIdempotent: true });
    },
    batch: (first) =>
      client.batch(
        Array.from({ length: BATCH_SIZE }, (_, j) => ({ query: insert, params: params(first + j) })),
        { prepare: true, logged: true },
      ),
    async readAll(series, fetchSize) {
      let n = 0;
      for await (const row of await client.execute(points, [series], { prepare: true, fetchSize, isIdempotent: true })) {
        consume();
        if (row['series'] === series) n++;
      }
      return n;
    },
    async readPages(series, fetchSize) {
      let pageState: string | undefined;
      let n = 0;
      do {
        const rs = await client.execute(points, [series], { prepare: true, fetchSize, pageState, isIdempotent: true });
        for (const row of rs.rows) {
          consume();
          if (row['series'] === series) n++;
        }
        pageState = rs.pageState ?? undefined;
      } while (pageState);
      return n;
    },
    close: () => client.shutdown(),
  };
}

async function mapperSide(hosts: string[], keyspace: string): Promise<Ops> {
  // BENCH_LIB: the built package's entry point (bench/run.ts builds it); else the sources.
  const lib = (await import(process.env['BENCH_LIB'] ?? '../src/index.js')) as Lib;
  const { batch, connection } = lib;
  await connection.setup(hosts, keyspace);
  const { Item, Point } = models(lib, keyspace);
  return {
    create: (id) => Item.create({ id, ...itemContent(id) }),
    get: (id) => Item.get({ id }),
    async loadChangeSave(id) {
      const item = await Item.get({ id });
      item.value = item.value! + 1;
      await item.save();
    },
    batch: (first) =>
      batch(async (b) => {
        for (let j = 0; j < BATCH_SIZE; j++) await Item.create({ id: first + j, ...itemContent(first + j) }, { batch: b });
      }),
    async readAll(series, fetchSize) {
      let n = 0;
      for await (const point of Point.filter({ series }).fetchSize(fetchSize)) {
        consume();
        if (point.series === series) n++;
      }
      return n;
    },
    async readPages(series, fetchSize) {
      const query = Point.filter({ series }).fetchSize(fetchSize);
      let pageState: string | undefined;
      let n = 0;
      do {
        const page = await query.page(pageState);
        for (const point of page.rows) {
          consume();
          if (point.series === series) n++;
        }
        pageState = page.pageState;
      } while (pageState);
      return n;
    },
    close: () => connection.shutdown(),
  };
}

function expectRows(n: number, expected: number): void {
  if (n !== expected) throw new Error(`read ${n} rows, expected ${expected}`);
}

async function main(): Promise<void> {
  const [side, name, inFlightArg, opsArg, baseArg] = process.argv.slice(2) as [Side, CaseName, string, string, string];
  const hosts = (process.env['BENCH_HOSTS'] ?? '').split(',').filter(Boolean);
  const keyspace = process.env['BENCH_KEYSPACE'];
  if (!hosts.length || !keyspace || (side !== 'raw' && side !== 'mapper')) {
    throw new Error('usage: BENCH_HOSTS=… BENCH_KEYSPACE=… side.ts raw|mapper <case> <in flight> <ops> <first id>');
  }
  const inFlight = Number(inFlightArg);
  const ops = Number(opsArg);
  const base = Number(baseArg);
  // Enough warm-up for the JIT to have compiled both sides' hot paths before the measured loop.
  const spec = CASES.find((c) => c.name === name);
  const warmup = Math.max(Math.ceil(ops / 4), Math.round((spec?.warmup[inFlight === 1 ? 0 : 1] ?? 0) * SCALE));
  const o = side === 'raw' ? await rawSide(hosts, keyspace) : await mapperSide(hosts, keyspace);

  const prime = Math.round((spec?.prime ?? 0) * SCALE);

  // Each case as (warm-up work, measured work), and the work that primes the JIT. Writes go to fresh
  // ids, warm-up ones first; priming creates rewrite the warm-up rows with the same content.
  const written: { from: number; to: number; kind: WriteKind }[] = [];
  let work: (offset: number) => Work;
  let primeWork: Work;
  switch (name) {
    case 'create':
      work = (offset) => (i) => o.create(base + offset + i);
      primeWork = (i) => o.create(base + (i % warmup));
      written.push({ from: base, to: base + warmup + ops, kind: 'created' });
      break;
    case 'get':
      work = () => (i) => o.get(i % GET_ROWS);
      primeWork = work(0);
      break;
    case 'load-change-save': {
      // The rows to change (priming ones first), written (unmeasured) by this same side; each is changed once.
      await runOps(prime + warmup + ops, 64, (i) => o.create(base + i));
      const lcs = (offset: number) => (i: number) => o.loadChangeSave(base + offset + i);
      work = (offset) => lcs(prime + offset);
      primeWork = lcs(0);
      written.push({ from: base, to: base + prime + warmup + ops, kind: 'saved' });
      break;
    }
    case 'batch':
      work = (offset) => (i) => o.batch(base + (offset + i) * BATCH_SIZE);
      primeWork = (i) => o.batch(base + (i % warmup) * BATCH_SIZE);
      written.push({ from: base, to: base + (warmup + ops) * BATCH_SIZE, kind: 'created' });
      break;
    case 'read-10k':
      work = () => async () => expectRows(await o.readAll(BIG_SERIES, BIG_FETCH), BIG_ROWS);
      primeWork = work(0);
      break;
    case 'pages-1k':
      work = () => async () => expectRows(await o.readPages(SMALL_SERIES, SMALL_FETCH), SMALL_ROWS);
      primeWork = work(0);
      break;
    default:
      throw new Error(`unknown case ${String(name)}`);
  }
  // No forced gc() here: a full collection just before the loop left both sides to re-grow the
  // young generation and re-warm their code inside the measured window (about doubling the mapper
  // side's CPU on short sequential loops), which is not what a running service sees.
  await runOps(prime, 64, primeWork);
  await runOps(warmup, inFlight, work(0));

  // The measured loop, in blocks the parent hands out (see bench/run.ts), alternating with the other
  // side's; run by hand, in one block. Only the blocks themselves are timed.
  const measured = work(warmup);
  let done = 0;
  const blocks: SideResult['blocks'][number][] = [];
  const runBlock = async (count: number) => {
    const from = done;
    const cpu = process.cpuUsage();
    const began = process.hrtime.bigint();
    await runOps(count, inFlight, (i) => measured(from + i));
    const ms = Number(process.hrtime.bigint() - began) / 1e6;
    const used = process.cpuUsage(cpu);
    blocks.push({ ms, cpuMs: (used.user + used.system) / 1000, ops: count });
    done += count;
  };
  const sum = (f: (b: SideResult['blocks'][number]) => number) => blocks.reduce((total, b) => total + f(b), 0);
  const result = (): SideResult => ({ ms: sum((b) => b.ms), cpuMs: sum((b) => b.cpuMs), ops: done, blocks, written });
  if (!process.send) {
    await runBlock(ops);
    await o.close();
    process.stdout.write(`${JSON.stringify(result())}\n`);
    return;
  }
  // A parent gone (it failed, or was stopped) leaves nothing to measure for.
  const orphaned = () => process.exit(1);
  process.once('disconnect', orphaned);
  const send = (message: SideMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  await send({ ready: true });
  for await (const [message] of on(process, 'message') as AsyncIterable<[ParentMessage]>) {
    if (message.run === undefined) break;
    await runBlock(message.run);
    await send({ ran: message.run });
  }
  await o.close();
  process.off('disconnect', orphaned);
  await send({ result: result() });
  process.disconnect();
}

main().catch((err) => {
  console.error(err);
  // Exit now: the driver's open sockets would keep a failed side alive, and its parent waiting.
  process.exit(1);
});
