/**
 * The client-side cost of one create, raw and mapper, without the wire: a stand-in Client answers
 * each statement at once, so only the two sides' own code is timed. Measured warm (operations back
 * to back, everything in the CPU's caches) and cold (a buffer larger than the L2 cache touched before
 * each operation). Cold is what `npm run bench` sees sequentially: there the client's CPU sleeps
 * about two thirds of each operation while the node works, and comes back to caches that other work
 * has filled. Not a test, and no Cassandra involved; it explains a figure of the benchmark rather
 * than measuring the mapper against the driver.
 *
 *   npm run bench:cold                 4,000 operations a round, a flush of 8 MB
 *   COLD_MB=32 npm run bench:cold -- 2000
 */
import type { Client } from 'cassandra-driver';
import * as lib from '../src/index.js';
import { itemContent, models } from './schema.js';

const ops = Number(process.argv[2] ?? 4000);
const flushMb = Number(process.env['COLD_MB'] ?? 8);
const ROUNDS = 7;

let statements = 0;
// Answers as the driver does: on a later turn of the event loop, with a result object of its own
// (resolving with one long-lived object instead made the raw side look about 6 µs cheaper, cold).
const standIn = {
  options: { contactPoints: ['127.0.0.1'], encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true } },
  execute: () => {
    statements++;
    return new Promise((resolve) =>
      setImmediate(() => resolve({ rows: [], rowLength: 0, columns: [], info: {}, pageState: null, first: () => null })),
    );
  },
  connect: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
} as unknown as Client;

await lib.connection.setSession(standIn);
const { Item } = models(lib, 'cold');
const insert = 'INSERT INTO "cold"."items" ("id", "name", "value", "tags", "scores") VALUES (?, ?, ?, ?, ?)';
// Each side as bench/side.ts has it, on the stand-in.
const sides = {
  raw: (id: number) => {
    const c = itemContent(id);
    return standIn.execute(insert, [id, c.name, c.value, c.tags, c.scores], { prepare: true, isIdempotent: true });
  },
  mapper: (id: number) => Item.create({ id, ...itemContent(id) }),
};

// Touching one word per 64-byte line of the buffer evicts what the operation left in the caches.
const junk = new Uint32Array((flushMb * 1024 * 1024) / 4);
let touched = 0;
function flush(): void {
  for (let i = 0; i < junk.length; i += 16) touched += junk[i]!++;
}

/** Nanoseconds per operation of each side, one median per round; the sides take turns within a round. */
async function measure(cold: boolean): Promise<Record<keyof typeof sides, number[]>> {
  const rounds = { raw: [] as number[], mapper: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const name of ['raw', 'mapper'] as const) {
      const side = sides[name];
      let ns = 0;
      for (let i = 0; i < ops; i++) {
        if (cold) flush();
        const began = process.hrtime.bigint();
        await side(i);
        ns += Number(process.hrtime.bigint() - began);
      }
      // Round 0 warms up the JIT.
      if (round > 0) rounds[name].push(ns / ops);
    }
  }
  return rounds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`create, client side only: ${ops} operations a round, ${ROUNDS} rounds, medians per operation (ns)`);
console.log(`${'caches'.padEnd(34)}${'raw'.padStart(8)}${'mapper'.padStart(9)}${'mapper − raw'.padStart(15)}`);
for (const cold of [false, true]) {
  const r = await measure(cold);
  const gap = median(r.mapper.map((m, i) => m - r.raw[i]!));
  const label = cold ? `cold (${flushMb} MB touched before each)` : 'warm';
  console.log(
    `${label.padEnd(34)}${median(r.raw).toFixed(0).padStart(8)}${median(r.mapper).toFixed(0).padStart(9)}${gap.toFixed(0).padStart(15)}`,
  );
}
await lib.connection.shutdown();
// `touched` is read here so that the flush's reads cannot be optimized away.
if (statements === 0 || touched < 0) throw new Error('nothing was measured');
