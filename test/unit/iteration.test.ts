/**
 * `for await` over a QuerySet: without afterLoad hooks each row becomes an instance only when it is
 * handed out, with them the whole page is mapped (and its hooks run) before its first row. Either
 * way every instance is a persisted row that tracks its own changes, and the next page is read
 * ahead while a page's rows are handed out. A stand-in Client in a registry of the test's own
 * serves the pages; no socket is opened.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Client } from 'cassandra-driver';
import { columns, model } from '../../src/index.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { FakeRow } from '../helpers/util.js';

/** Two pages of two rows each. */
const pages = [
  { rows: [1, 2], pageState: 'next' },
  { rows: [3, 4], pageState: null },
];
const sent: string[] = [];
/** The pages requested, as the driver writes them: from a tick of its own, after its promise jobs. */
const written: (string | undefined)[] = [];
/** Set by a test: the second page fails with this error. */
let secondPageFails: Error | undefined;
const fakeClient = {
  keyspace: undefined,
  options: { contactPoints: ['127.0.0.1'], encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true } },
  async execute(cql: string, _params: unknown, options: { pageState?: string }) {
    sent.push(cql);
    await null;
    process.nextTick(() => written.push(options.pageState));
    if (options.pageState === 'next' && secondPageFails) throw secondPageFails;
    const page = pages[options.pageState === 'next' ? 1 : 0]!;
    const rows = page.rows.map((id) => new FakeRow({ id, tags: new Set([`t${id}`]) }));
    return { rows, first: () => rows[0] ?? null, pageState: page.pageState };
  },
  async shutdown() {},
};

const registry = new ConnectionRegistry();
const definition = { id: columns.int().partitionKey(), tags: columns.set(columns.text()) };
const Plain = model('plain', definition, { keyspace: 'ks', registry });

const loaded: number[] = [];
class Hooked extends model('hooked', definition, { keyspace: 'ks', registry }) {
  override afterLoad(): void {
    loaded.push(this.id);
  }
}

before(async () => {
  await registry.register('fake', { session: fakeClient as unknown as Client, default: true });
});
after(() => registry.shutdown());
beforeEach(() => {
  loaded.length = 0;
  sent.length = 0;
  written.length = 0;
  secondPageFails = undefined;
});

/** Lets the stand-in's pending answers settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('for await over a QuerySet', () => {
  it('hands out every row of every page as a persisted instance that tracks its own changes', async () => {
    const seen: InstanceType<typeof Plain>[] = [];
    for await (const row of Plain.objects().fetchSize(2)) {
      assert.ok(row instanceof Plain);
      assert.ok(row.isPersisted);
      assert.deepEqual(row.changedColumns(), []);
      row.tags.add('more');
      seen.push(row);
    }
    assert.deepEqual(
      seen.map((r) => r.id),
      [1, 2, 3, 4],
    );
    for (const row of seen) assert.deepEqual(row.changedColumns(), ['tags']);
  });

  it('keeps the scope of using() on the instances it hands out', async () => {
    for await (const row of Plain.using({ keyspace: 'other' })) {
      row.tags.add('more');
      await row.save();
      assert.match(sent.at(-1)!, /^UPDATE "other"\."plain"/);
    }
  });

  it('runs afterLoad on a whole page before handing out its first row', async () => {
    const order: string[] = [];
    for await (const row of Hooked.objects().fetchSize(2)) order.push(`row ${row.id} after ${loaded.join(',')}`);
    assert.deepEqual(order, ['row 1 after 1,2', 'row 2 after 1,2', 'row 3 after 1,2,3,4', 'row 4 after 1,2,3,4']);
  });

  it('requests the next page once a page has arrived, before its rows are taken, and no page after the last', async () => {
    const rows = Plain.objects().fetchSize(2)[Symbol.asyncIterator]();
    assert.equal(sent.length, 0, 'nothing is sent before the first next()');
    assert.equal((await rows.next()).value?.id, 1);
    await settle();
    assert.equal(sent.length, 2, 'the second page is requested while the first is handed out');
    const ids = [];
    for (let r = await rows.next(); !r.done; r = await rows.next()) ids.push(r.value.id);
    assert.deepEqual(ids, [2, 3, 4]);
    assert.equal(sent.length, 2);
  });

  it("lets the request read ahead reach the wire before the page's rows are handed out", async () => {
    // A loop over rows is promise jobs to the page's end, which the driver's write waits behind.
    const seen: (string | undefined)[][] = [];
    for await (const _row of Plain.objects().fetchSize(2)) seen.push([...written]);
    assert.deepEqual(seen, [
      [undefined, 'next'],
      [undefined, 'next'],
      [undefined, 'next'],
      [undefined, 'next'],
    ]);
  });

  it("reads ahead with afterLoad hooks too, running a page's hooks only when its turn comes", async () => {
    const rows = Hooked.objects().fetchSize(2)[Symbol.asyncIterator]();
    await rows.next();
    await settle();
    assert.equal(sent.length, 2);
    assert.deepEqual(loaded, [1, 2]);
  });

  it("rejects at the failed page's turn, after every row before it", async () => {
    secondPageFails = new Error('page 2 lost');
    const ids: number[] = [];
    await assert.rejects(async () => {
      for await (const row of Plain.objects().fetchSize(2)) ids.push(row.id);
    }, /page 2 lost/);
    assert.deepEqual(ids, [1, 2]);
  });

  it('a break lets the page read ahead go: nothing more is requested, and its failure is no unhandled rejection', async () => {
    secondPageFails = new Error('page 2 lost');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const query = Plain.objects().fetchSize(2);
      for await (const row of query) if (row.id === 1) break;
      await settle();
      await settle();
      assert.equal(sent.length, 2);
      assert.deepEqual(unhandled, []);
      const rows = query[Symbol.asyncIterator]();
      await rows.return?.();
      assert.deepEqual(await rows.next(), { value: undefined, done: true }, 'an iterator ended before it began reads nothing');
      assert.equal(sent.length, 2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
