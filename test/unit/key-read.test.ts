/**
 * A get() by the whole primary key sends, from its second call on, the template its first call
 * compiled: the same text and values as the generic path, in whatever keyspace each call resolves
 * to, with the same errors. A stand-in Client in a registry of the test's own records what is sent.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { columns, contextQuery, model, polymorphic, ValidationError } from '../../src/index.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { FakeRow, NATIVE_ENCODING, recordingClient } from '../helpers/util.js';

let rows: FakeRow[] = [];
const { client: fakeClient, sent: calls } = recordingClient(NATIVE_ENCODING, () => rows);

const registry = new ConnectionRegistry();
const Visit = model(
  'visits',
  { userId: columns.int().partitionKey(), at: columns.int().primaryKey(), path: columns.text() },
  { keyspace: 'ks', registry },
);
const Tag = model('tags', { name: columns.text().partitionKey(), n: columns.int() }, { keyspace: 'ks', registry });

before(() => registry.register('fake', { session: fakeClient, default: true }));
after(() => registry.shutdown());
beforeEach(() => {
  calls.length = 0;
  rows = [new FakeRow({ userId: 1, at: 2, path: '/' })];
});

describe('get() by the whole primary key', () => {
  it('sends what the generic path sends, first call and later ones', async () => {
    for (let i = 0; i < 3; i++) await Visit.get({ userId: 1, at: 2 });
    // using({}) leaves the plain QuerySet, and so the generic path, with the same filter.
    await Visit.using({}).get({ userId: 1, at: 2 });
    assert.equal(calls.length, 4);
    for (const call of calls) assert.deepEqual(call, calls[3]);
    assert.equal(calls[0]!.cql, 'SELECT * FROM "ks"."visits" WHERE "userId" = ? AND "at" = ? LIMIT ?');
    assert.deepEqual(calls[0]!.params, [1, 2, 2]);
  });

  it('names the keyspace each call resolves to', async () => {
    await Visit.get({ userId: 1, at: 2 });
    await contextQuery([Visit], { keyspace: 'other' }, (V) => V.get({ userId: 1, at: 2 }));
    await Visit.get({ userId: 1, at: 2 });
    assert.deepEqual(
      calls.map((c) => c.cql.match(/FROM ("\w+")/)![1]),
      ['"ks"', '"other"', '"ks"'],
    );
  });

  it('keys in another order, an operator or a missing key take the generic path', async () => {
    await Visit.get({ at: 2, userId: 1 });
    await Visit.get({ userId: 1, at__gte: 2 }).catch(() => undefined);
    await Visit.get({ userId: 1 });
    assert.match(calls[0]!.cql, /WHERE "at" = \? AND "userId" = \? LIMIT \?$/);
    assert.match(calls[1]!.cql, /WHERE "userId" = \? AND "at" >= \? LIMIT \?$/);
    assert.match(calls[2]!.cql, /WHERE "userId" = \? LIMIT \?$/);
  });

  it('refuses what the generic path refuses, before anything is sent', async () => {
    await Tag.get({ name: 'a' }).catch(() => undefined);
    calls.length = 0;
    await assert.rejects(Tag.get({ name: '' }), (err: unknown) => err instanceof ValidationError && /cannot be empty/.test(err.message));
    await assert.rejects(Visit.get({ userId: null as unknown as number, at: 2 }), ValidationError);
    await assert.rejects(Visit.get({ userId: 'x' as unknown as number, at: 2 }), ValidationError);
    assert.equal(calls.length, 0);
  });

  it('a polymorphic base selects the columns of a member defined after its first get()', async () => {
    // Named columns, as sent to a server whose prepared SELECT * keeps its columns (2.1.0).
    const old = new ConnectionRegistry();
    const { client, sent } = recordingClient(NATIVE_ENCODING, () => [], '2.1.0');
    await old.register('old', { session: client, default: true });
    try {
      const Pet = model(
        'pets',
        { id: columns.int().partitionKey(), kind: columns.text().discriminator(), name: columns.text() },
        { keyspace: 'ks', registry: old },
      );
      await Pet.get({ id: 1 }).catch(() => undefined);
      await Pet.get({ id: 1 }).catch(() => undefined);
      polymorphic(Pet, 'dog', { barks: columns.boolean() });
      await Pet.get({ id: 1 }).catch(() => undefined);
      assert.doesNotMatch(sent[1]!.cql, /barks/);
      assert.match(sent[2]!.cql, /^SELECT "id", "kind", "name", "barks" FROM/);
    } finally {
      await old.shutdown();
    }
  });

  it('a key column named pk is that column, not the alias of the first one', async () => {
    const Odd = model('odd', { id: columns.ascii().partitionKey(), pk: columns.text().primaryKey() }, { keyspace: 'ks', registry });
    rows = [];
    for (const pk of ['b', 'b', 'é']) await Odd.get({ id: 'a', pk }).catch(() => undefined);
    // 'é' goes to the text column pk; read as the alias, it would be refused by the ascii id.
    await assert.rejects(Odd.get({ id: 'a', pk: 'é' }), Odd.DoesNotExist);
    assert.ok(calls.every((c) => c.cql === 'SELECT * FROM "ks"."odd" WHERE "id" = ? AND "pk" = ? LIMIT ?'));
    assert.deepEqual(calls.at(-1)!.params, ['a', 'é', 2]);
    await assert.rejects(Odd.get({ id: 'a', pk: 5 } as never), ValidationError);
  });

  it('still tells none from many', async () => {
    await Visit.get({ userId: 1, at: 2 });
    rows = [];
    await assert.rejects(Visit.get({ userId: 1, at: 2 }), Visit.DoesNotExist);
    rows = [new FakeRow({ userId: 1, at: 2, path: '/' }), new FakeRow({ userId: 1, at: 2, path: '/' })];
    await assert.rejects(Visit.get({ userId: 1, at: 2 }), Visit.MultipleObjectsReturned);
  });
});
