/**
 * A create, or a save that sets changed columns of a row read, with no condition, TTL or timestamp,
 * sends from its second time on the template its first one compiled: the same text and values as the
 * generic path, in whatever keyspace each write resolves to. Other writes take the generic path. A
 * stand-in Client in a registry of the test's own records what is sent.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { columns, contextQuery, model } from '../../src/index.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { FakeRow, NATIVE_ENCODING, recordingClient } from '../helpers/util.js';

let rows: FakeRow[] = [];
const { client: fakeClient, sent: calls } = recordingClient(NATIVE_ENCODING, () => rows);

const registry = new ConnectionRegistry();
const Visit = model(
  'visits',
  {
    userId: columns.int().partitionKey(),
    at: columns.int().primaryKey(),
    path: columns.text(),
    hits: columns.int(),
    tags: columns.set(columns.text()),
  },
  { keyspace: 'ks', registry },
);

before(() => registry.register('fake', { session: fakeClient, default: true }));
after(() => registry.shutdown());
beforeEach(() => {
  calls.length = 0;
  rows = [new FakeRow({ userId: 1, at: 2, path: '/', hits: 1, tags: new Set(['a']) })];
});

/** Reads the row, sets the given values and saves it, with the save's options. */
async function change(values: Record<string, unknown>, options = {}): Promise<void> {
  const visit = await Visit.get({ userId: 1, at: 2 });
  for (const [name, value] of Object.entries(values)) visit.set(name as 'path', value as string);
  await visit.save(options);
}

const updates = () => calls.filter((c) => c.cql.startsWith('UPDATE'));

describe('a plain UPDATE of a row read', () => {
  it('sends what the generic path sent, first save and later ones', async () => {
    for (const path of ['/a', '/b', '/c']) await change({ path });
    await change({ path: null });
    assert.deepEqual(
      updates().map((c) => [c.cql, c.params]),
      [
        ['UPDATE "ks"."visits" SET "path" = ? WHERE "userId" = ? AND "at" = ?', ['/a', 1, 2]],
        ['UPDATE "ks"."visits" SET "path" = ? WHERE "userId" = ? AND "at" = ?', ['/b', 1, 2]],
        ['UPDATE "ks"."visits" SET "path" = ? WHERE "userId" = ? AND "at" = ?', ['/c', 1, 2]],
        ['UPDATE "ks"."visits" SET "path" = ? WHERE "userId" = ? AND "at" = ?', [null, 1, 2]],
      ],
    );
  });

  it('each set of columns has its own text, in the schema order', async () => {
    await change({ hits: 5, path: '/x' });
    await change({ hits: 6 });
    await change({ path: '/y', hits: 7 });
    assert.deepEqual(
      updates().map((c) => [c.cql.replace(/ WHERE .*/, ''), c.params]),
      [
        ['UPDATE "ks"."visits" SET "path" = ?, "hits" = ?', ['/x', 5, 1, 2]],
        ['UPDATE "ks"."visits" SET "hits" = ?', [6, 1, 2]],
        ['UPDATE "ks"."visits" SET "path" = ?, "hits" = ?', ['/y', 7, 1, 2]],
      ],
    );
  });

  it('names the keyspace each save resolves to', async () => {
    await change({ path: '/a' });
    await contextQuery([Visit], { keyspace: 'other' }, async (V) => {
      const visit = await V.get({ userId: 1, at: 2 });
      visit.path = '/b';
      await visit.save();
    });
    await change({ path: '/c' });
    assert.deepEqual(
      updates().map((c) => c.cql.match(/UPDATE ("\w+")/)![1]),
      ['"ks"', '"other"', '"ks"'],
    );
  });

  it('a condition, TTL or timestamp, or a collection delta, takes the generic path', async () => {
    await change({ path: '/a' });
    await change({ path: '/b' }, { ttl: 60 });
    await change({ path: '/c' }, { timestamp: 1000n });
    await change({ path: '/d' }, { iff: { path: '/' } });
    await change({ path: '/e' }, { ifExists: true });
    await change({ tags: new Set(['a', 'b']) });
    await change({ path: '/f' });
    assert.deepEqual(
      updates().map((c) => c.cql.replace('"ks"."visits" ', '')),
      [
        'UPDATE SET "path" = ? WHERE "userId" = ? AND "at" = ?',
        'UPDATE USING TTL ? SET "path" = ? WHERE "userId" = ? AND "at" = ?',
        'UPDATE USING TIMESTAMP ? SET "path" = ? WHERE "userId" = ? AND "at" = ?',
        'UPDATE SET "path" = ? WHERE "userId" = ? AND "at" = ? IF "path" = ?',
        'UPDATE SET "path" = ? WHERE "userId" = ? AND "at" = ? IF EXISTS',
        'UPDATE SET "tags" = "tags" + ? WHERE "userId" = ? AND "at" = ?',
        'UPDATE SET "path" = ? WHERE "userId" = ? AND "at" = ?',
      ],
    );
  });
});

describe('a plain INSERT', () => {
  const inserts = () => calls.filter((c) => c.cql.startsWith('INSERT')).map((c) => [c.cql.replace(/^INSERT INTO /, ''), c.params]);

  it('sends what the generic path sent, for each set of columns written', async () => {
    await Visit.create({ userId: 1, at: 1, path: '/a', hits: 1, tags: new Set(['x']) });
    await Visit.create({ userId: 1, at: 2, path: '/b', hits: 2, tags: new Set(['y']) });
    await Visit.create({ userId: 1, at: 3, path: '/c' });
    await Visit.create({ userId: 1, at: 4, path: '/d' });
    await Visit.create({ userId: 1, at: 5, hits: null as never, path: '/e' });
    assert.deepEqual(inserts(), [
      ['"ks"."visits" ("userId", "at", "path", "hits", "tags") VALUES (?, ?, ?, ?, ?)', [1, 1, '/a', 1, new Set(['x'])]],
      ['"ks"."visits" ("userId", "at", "path", "hits", "tags") VALUES (?, ?, ?, ?, ?)', [1, 2, '/b', 2, new Set(['y'])]],
      ['"ks"."visits" ("userId", "at", "path") VALUES (?, ?, ?)', [1, 3, '/c']],
      ['"ks"."visits" ("userId", "at", "path") VALUES (?, ?, ?)', [1, 4, '/d']],
      // An explicit null is written, which clears the column.
      ['"ks"."visits" ("userId", "at", "path", "hits") VALUES (?, ?, ?, ?)', [1, 5, '/e', null]],
    ]);
  });

  it('names the keyspace each create resolves to; a TTL, timestamp or IF NOT EXISTS takes the generic path', async () => {
    await Visit.create({ userId: 1, at: 1, path: '/a' });
    await contextQuery([Visit], { keyspace: 'other' }, (V) => V.create({ userId: 1, at: 1, path: '/a' }));
    await Visit.create({ userId: 1, at: 1, path: '/a' }, { ttl: 5 });
    await Visit.create({ userId: 1, at: 1, path: '/a' }, { timestamp: 7n });
    await Visit.create({ userId: 1, at: 1, path: '/a' }, { ifNotExists: true });
    await Visit.create({ userId: 1, at: 1, path: '/a' });
    assert.deepEqual(
      inserts().map(([cql]) => (cql as string).replace(' ("userId", "at", "path") VALUES (?, ?, ?)', '')),
      [
        '"ks"."visits"',
        '"other"."visits"',
        '"ks"."visits" USING TTL ?',
        '"ks"."visits" USING TIMESTAMP ?',
        '"ks"."visits" IF NOT EXISTS',
        '"ks"."visits"',
      ],
    );
  });
});
