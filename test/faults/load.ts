/**
 * A mixed load at QUORUM through the mapper (creates, updates with collection deltas, counters, LWT,
 * batches, reads), recording every acknowledged write, so that each can be looked for afterwards.
 */
import { errors, types, type Client } from 'cassandra-driver';
import { batch, columns, model } from '../../src/index.js';

export function faultModels(keyspace: string, connection: string) {
  const opts = { keyspace, connection };
  return {
    Item: model(
      'items',
      { id: columns.int().partitionKey(), v: columns.int(), tags: columns.set(columns.text()), log: columns.list(columns.int()) },
      opts,
    ),
    Hits: model('hits', { k: columns.int().partitionKey(), n: columns.counter() }, opts),
  };
}

export type Models = ReturnType<typeof faultModels>;

export interface Ledger {
  /** id → the state acknowledged last: v, and the tags an acknowledged write added. */
  readonly items: Map<number, { v: number; tags: Set<string> }>;
  /** counter key → [acknowledged increments, failed increments (may or may not have applied)]. */
  readonly counters: Map<number, [number, number]>;
  acknowledged: number;
  reads: number;
  errors: number;
  readonly errorKinds: Map<string, number>;
}

export function newLedger(): Ledger {
  return { items: new Map(), counters: new Map(), acknowledged: 0, reads: 0, errors: 0, errorKinds: new Map() };
}

let nextId = 1;

function note(ledger: Ledger, err: unknown): void {
  ledger.errors++;
  const kind = err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 120)}` : String(err);
  ledger.errorKinds.set(kind, (ledger.errorKinds.get(kind) ?? 0) + 1);
}

/** One worker's step: the next operation of the mix. */
async function step(m: Models, ledger: Ledger, round: number, worker: number): Promise<void> {
  const q = { consistency: 'QUORUM' as const };
  switch (round % 6) {
    case 0: {
      const id = nextId++;
      await m.Item.create({ id, v: 0, tags: new Set(['c']) }, q);
      ledger.items.set(id, { v: 0, tags: new Set(['c']) });
      ledger.acknowledged++;
      return;
    }
    case 1: {
      const ids = [...ledger.items.keys()];
      if (ids.length === 0) return;
      const id = ids[(round * 7919 + worker) % ids.length]!;
      const tag = `u${round}`;
      // Only this worker's ids are updated by it: no two in-flight updates race on a row.
      if (id % 32 !== worker % 32) return;
      await m.Item.filter({ id })
        .consistency('QUORUM')
        .update({ v: round, tags__add: new Set([tag]), log__append: [round] });
      const entry = ledger.items.get(id)!;
      entry.v = round;
      entry.tags.add(tag);
      ledger.acknowledged++;
      return;
    }
    case 2: {
      const k = worker % 8;
      const entry = ledger.counters.get(k) ?? [0, 0];
      ledger.counters.set(k, entry);
      try {
        await m.Hits.filter({ k }).consistency('QUORUM').update({ n__incr: 1 });
        entry[0]++;
        ledger.acknowledged++;
      } catch (err) {
        entry[1]++;
        throw err;
      }
      return;
    }
    case 3: {
      const id = nextId++;
      await m.Item.create({ id, v: -1, tags: new Set(['lwt']) }, { ...q, ifNotExists: true });
      ledger.items.set(id, { v: -1, tags: new Set(['lwt']) });
      ledger.acknowledged++;
      return;
    }
    case 4: {
      const a = nextId++;
      const b = nextId++;
      await batch(
        async (bq) => {
          await m.Item.create({ id: a, v: 0, tags: new Set(['b']) }, { batch: bq });
          await m.Item.create({ id: b, v: 0, tags: new Set(['b']) }, { batch: bq });
        },
        { consistency: 'QUORUM' },
      );
      ledger.items.set(a, { v: 0, tags: new Set(['b']) });
      ledger.items.set(b, { v: 0, tags: new Set(['b']) });
      ledger.acknowledged++;
      return;
    }
    default: {
      const ids = [...ledger.items.keys()];
      if (ids.length === 0) return;
      const id = ids[(round * 31 + worker) % ids.length]!;
      const row = await m.Item.objects().consistency('QUORUM').get({ id });
      if (!row) throw new Error(`acknowledged row ${id} not found by a read`);
      ledger.reads++;
    }
  }
}

/** Runs `workers` concurrent loops of the mix until `until` resolves. */
export async function runLoad(m: Models, ledger: Ledger, workers: number, until: Promise<unknown>): Promise<void> {
  let stopped = false;
  void until.finally(() => (stopped = true));
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let round = worker; !stopped; round++) {
        try {
          await step(m, ledger, round, worker);
        } catch (err) {
          note(ledger, err);
        }
      }
    }),
  );
}

/** Acknowledged writes not found (or found older) at QUORUM, read with the tests' own client. */
/**
 * The check below, tried again (up to 5 times, 2 s apart) when the server times out: just after a
 * kill, the coordinator may still count the dead node and time out at QUORUM until gossip marks it down.
 */
export async function missing(client: Client, keyspace: string, ledger: Ledger): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await missingOnce(client, keyspace, ledger);
    } catch (err) {
      const timedOut = err instanceof errors.ResponseError && /timeout/i.test(err.message);
      if (!timedOut || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

async function missingOnce(client: Client, keyspace: string, ledger: Ledger): Promise<string[]> {
  const quorum = types.consistencies.quorum;
  const seen = new Map<number, { v: number; tags: Set<string> }>();
  const rs = await client.execute(`SELECT id, v, tags FROM ${keyspace}.items`, [], {
    consistency: quorum,
    fetchSize: 2000,
    readTimeout: 60_000,
  });
  for await (const row of rs)
    seen.set(row['id'] as number, { v: row['v'] as number, tags: new Set((row['tags'] as string[] | null) ?? []) });
  const lost: string[] = [];
  for (const [id, want] of ledger.items) {
    const got = seen.get(id);
    if (!got) lost.push(`item ${id} missing`);
    else if ([...want.tags].some((t) => !got.tags.has(t)))
      lost.push(`item ${id} lacks tags ${[...want.tags].filter((t) => !got.tags.has(t))}`);
  }
  const counters = await client.execute(`SELECT k, n FROM ${keyspace}.hits`, [], { consistency: quorum, readTimeout: 60_000 });
  const values = new Map(counters.rows.map((r) => [r['k'] as number, Number(r['n'])]));
  for (const [k, [acked, failed]] of ledger.counters) {
    const n = values.get(k) ?? 0;
    if (n < acked || n > acked + failed) lost.push(`counter ${k} = ${n}, acknowledged ${acked}, failed ${failed}`);
  }
  return lost;
}
