/**
 * Streaming a large query: a QuerySet is an async iterable that reads one page ahead, and no
 * further until the rows of the page before have been taken. `Readable.from(querySet)` therefore
 * makes a Node stream with backpressure all the way to Cassandra: when the destination is slow, no
 * further page is requested, and memory holds about two pages whatever the size of the result.
 *
 *   npx tsx examples/stream-large-query.ts [--rows 5000] [out.ndjson]
 *
 * writes every row of a table as NDJSON (one JSON object per line) to the file, or to stdout without
 * one (the summary goes to stderr, so `| head` or `> file` get the rows alone). The example fills its
 * own keyspace first and drops it at the end. Cassandra: CQLENGINE_HOSTS, else a local node (see examples/hosts.ts).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { columns, connection, management, model } from 'cqlengine';
import { findCassandra } from './hosts.js';

const { values: flags, positionals } = parseArgs({ options: { rows: { type: 'string', default: '5000' } }, allowPositionals: true });
const ROWS = Number(flags.rows);
const out = positionals[0];
const KEYSPACE = `stream_${randomBytes(3).toString('hex')}`;

const Reading = model(
  'readings',
  {
    sensor: columns.text().partitionKey(),
    at: columns.timestamp().primaryKey(),
    celsius: columns.double(),
  },
  { keyspace: KEYSPACE },
);

/** Inserts `count` readings over 10 sensors, at most 32 writes in flight. */
async function fill(count: number): Promise<void> {
  let next = 0;
  const start = Date.UTC(2025, 0, 1);
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      await Reading.create({ sensor: `sensor-${i % 10}`, at: new Date(start + i * 60_000), celsius: 15 + (i % 200) / 10 });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROWS) || ROWS < 0) throw new RangeError(`--rows must be a whole number, got ${flags.rows}`);
  const { hosts } = await findCassandra();
  let count = 0;
  let bytes = 0;
  await connection.setup(hosts, KEYSPACE);
  await management.createKeyspaceSimple(KEYSPACE, 1);
  try {
    await management.syncTable(Reading);
    await fill(ROWS);

    // 500 rows per page: the size of each fetch; the process holds about two pages at any time.
    const rows = Reading.objects().fetchSize(500);
    await pipeline(
      Readable.from(rows),
      // A transform as an async generator: it pulls the next row only when the file has taken the last line.
      async function* ndjson(source: AsyncIterable<InstanceType<typeof Reading>>) {
        for await (const reading of source) {
          const line = `${JSON.stringify(reading)}\n`; // an instance's toJSON gives its columns
          count++;
          bytes += Buffer.byteLength(line);
          yield line;
        }
      },
      out ? createWriteStream(out) : process.stdout,
      // stdout must stay open for whatever is written after the pipeline.
      { end: out !== undefined },
    );
    console.error(`streamed ${count} rows (${bytes} bytes of NDJSON) to ${out ?? 'stdout'}`);
  } catch (err) {
    // `| head` closed stdout: the pipeline stopped pulling, so no page after the one read ahead was fetched.
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
    console.error(`stdout closed after ${count} rows: the query stopped there`);
  } finally {
    await management.dropKeyspace(KEYSPACE);
    console.error(`dropped keyspace ${KEYSPACE}`);
    await connection.shutdown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
