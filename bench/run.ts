/**
 * The mapper against the raw cassandra-driver doing the same work on the same table and node, in one
 * run: prepared single-row insert, get by primary key, and a 1,000-row paged read (page by page,
 * and row by row with for await), each sequentially and with 64 in flight. Rounds alternate raw and
 * mapper; medians are compared. Not a test.
 *
 *   npm run bench            (BENCH_ROUNDS=15 BENCH_SCALE=4 npm run bench for longer runs)
 */
import { Client } from 'cassandra-driver';
import { availableParallelism } from 'node:os';
import { columns, connection, management, model } from '../src/index.js';
import { start } from '../src/tooling/cassandra/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const SCALE = Number(process.env.BENCH_SCALE ?? 2);
const KEYSPACE = 'cqlengine_bench';
const PAGE_ROWS = 1000;
const FETCH_SIZE = 250;

const Item = model('items', { id: columns.int().partitionKey(), name: columns.text(), value: columns.double() }, { keyspace: KEYSPACE });
const Point = model(
  'points',
  { series: columns.int().partitionKey(), seq: columns.int().primaryKey(), label: columns.text() },
  { keyspace: KEYSPACE },
);

type Work = (i: number) => Promise<unknown>;

async function runOps(ops: number, inFlight: number, work: Work): Promise<number> {
  const began = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < ops) await work(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return Number(process.hrtime.bigint() - began) / 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const [node] = await start({ nodes: 1 });
  const hosts = [node!.address];
  await connection.setup(hosts, KEYSPACE);
  await management.createKeyspaceSimple(KEYSPACE, 1);
  await management.syncTable(Item);
  await management.syncTable(Point);

  // The same Client options the registry gives its own Clients, so both sides encode alike.
  const raw = new Client({
    contactPoints: hosts,
    localDataCenter: 'datacenter1',
    encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true },
  });
  await raw.connect();

  const insertCql = `INSERT INTO "${KEYSPACE}"."items" ("id", "name", "value") VALUES (?, ?, ?)`;
  const getCql = `SELECT * FROM "${KEYSPACE}"."items" WHERE "id" = ? LIMIT ?`;
  const pageCql = `SELECT * FROM "${KEYSPACE}"."points" WHERE "series" = ?`;
  for (let seq = 0; seq < PAGE_ROWS; seq++) await Point.create({ series: 1, seq, label: `p${seq}` });
  for (let id = 0; id < 1000; id++) await Item.create({ id, name: `item ${id}`, value: id / 2 });

  // A paged read two ways, each the same on both sides: page by page, and row by row with
  // transparent paging (the driver's async-iterable ResultSet against the QuerySet's).
  const expect = (side: string, n: number) => {
    if (n !== PAGE_ROWS) throw new Error(`${side} read ${n} rows`);
  };
  const rawPages = async () => {
    let pageState: string | undefined;
    let n = 0;
    do {
      const rs = await raw.execute(pageCql, [1], { prepare: true, fetchSize: FETCH_SIZE, pageState });
      n += rs.rows.length;
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    expect('raw', n);
  };
  const mapperPages = async () => {
    const query = Point.filter({ series: 1 }).fetchSize(FETCH_SIZE);
    let pageState: string | undefined;
    let n = 0;
    do {
      const page = await query.page(pageState);
      n += page.rows.length;
      pageState = page.pageState;
    } while (pageState);
    expect('mapper', n);
  };
  const rawRows = async () => {
    let n = 0;
    for await (const _ of await raw.execute(pageCql, [1], { prepare: true, fetchSize: FETCH_SIZE })) n++;
    expect('raw', n);
  };
  const mapperRows = async () => {
    let n = 0;
    for await (const _ of Point.filter({ series: 1 }).fetchSize(FETCH_SIZE)) n++;
    expect('mapper', n);
  };

  const cases: { name: string; ops: number; inFlight: number; raw: Work; mapper: Work }[] = [];
  for (const inFlight of [1, 64]) {
    const mode = inFlight === 1 ? 'sequential' : '64 in flight';
    cases.push(
      {
        name: `insert, ${mode}`,
        ops: (inFlight === 1 ? 1500 : 8000) * SCALE,
        inFlight,
        raw: (i) => raw.execute(insertCql, [i % 1000, `item ${i}`, i / 2], { prepare: true, isIdempotent: true }),
        mapper: (i) => Item.create({ id: i % 1000, name: `item ${i}`, value: i / 2 }),
      },
      {
        name: `get by key, ${mode}`,
        ops: (inFlight === 1 ? 1500 : 8000) * SCALE,
        inFlight,
        raw: (i) => raw.execute(getCql, [i % 1000, 2], { prepare: true, isIdempotent: true }),
        mapper: (i) => Item.get({ id: i % 1000 }),
      },
      {
        name: `1,000 rows page by page, ${mode}`,
        ops: (inFlight === 1 ? 15 : 128) * SCALE,
        inFlight,
        raw: rawPages,
        mapper: mapperPages,
      },
      {
        name: `1,000 rows with for await, ${mode}`,
        ops: (inFlight === 1 ? 15 : 128) * SCALE,
        inFlight,
        raw: rawRows,
        mapper: mapperRows,
      },
    );
  }

  console.log(`cqlengine benchmark: ${ROUNDS} rounds, medians; Node ${process.version}, ${availableParallelism()} cores, Cassandra at ${hosts[0]}\n`);
  console.log('case                                         raw ops/s   mapper ops/s   mapper/raw time');
  const ratios: number[] = [];
  for (const c of cases) {
    // Warm-up prepares statements and JIT-compiles both paths.
    await runOps(Math.ceil(c.ops / 5), c.inFlight, c.raw);
    await runOps(Math.ceil(c.ops / 5), c.inFlight, c.mapper);
    const rawMs: number[] = [];
    const mapperMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating which side goes first keeps drift (compaction, GC, neighbours) from favouring one.
      if (r % 2 === 0) rawMs.push(await runOps(c.ops, c.inFlight, c.raw));
      mapperMs.push(await runOps(c.ops, c.inFlight, c.mapper));
      if (r % 2 === 1) rawMs.push(await runOps(c.ops, c.inFlight, c.raw));
    }
    const ratio = median(mapperMs) / median(rawMs);
    ratios.push(ratio);
    const rate = (ms: number) => ((c.ops / ms) * 1000).toFixed(0).padStart(10);
    console.log(`${c.name.padEnd(42)} ${rate(median(rawMs))}   ${rate(median(mapperMs))}      ${ratio.toFixed(3)}`);
  }
  console.log(`\nworst ratio ${Math.max(...ratios).toFixed(3)} (goal: at most 1.15)`);

  await raw.shutdown();
  await management.dropKeyspace(KEYSPACE);
  await connection.shutdown();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
