/**
 * `for await` over a QuerySet: without afterLoad hooks each row becomes an instance only when it is
 * handed out, with them the whole page is mapped (and its hooks run) before its first row. Either
 * way every instance is a persisted row that tracks its own changes. A stand-in Client in a
 * registry of the test's own serves the pages; no socket is opened.
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
const fakeClient = {
  keyspace: undefined,
  options: { contactPoints: ['127.0.0.1'], encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true } },
  async execute(cql: string, _params: unknown, options: { pageState?: string }) {
    sent.push(cql);
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
});

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
});
