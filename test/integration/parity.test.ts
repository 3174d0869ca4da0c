/**
 * Issue 9: behaviours brought in line with Python cqlengine (or kept, and documented under
 * "Differences from Python cqlengine"), each checked against the real node: what is stored, read
 * back, or refused before anything reaches the wire. (Item 12 is tested with syncTable's warnings.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import {
  CQLEngineError,
  ConfigurationError,
  UnknownColumnError,
  ValidationError,
  columns,
  contextQuery,
  management,
  model,
  userType,
} from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';

const D = model('d', {
  id: columns.int().partitionKey(),
  dummy: columns.int().default(42),
  v: columns.int(),
  t: columns.text(),
  s: columns.set(columns.int()),
  m: columns.map(columns.text(), columns.int()),
});
const U = model('u', { id: columns.uuid().partitionKey(), at: columns.timeuuid() });
const Counts = model('counts', { id: columns.int().partitionKey(), n: columns.counter() });
const Static = model('static_rows', {
  p: columns.int().partitionKey(),
  c: columns.int().primaryKey(),
  v: columns.text(),
  st: columns.text().static(),
});
const Ordered = model('ordered', {
  one: columns.int().partitionKey(),
  two: columns.int().primaryKey(),
  three: columns.int().primaryKey(),
});

const is = (cls: abstract new (...args: never[]) => Error, option?: string) => (err: unknown) => {
  assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
  assert.ok(err instanceof CQLEngineError);
  if (option !== undefined) assert.equal((err as ConfigurationError).option, option);
  return true;
};

useTestKeyspace([D, U, Counts, Static, Ordered]);

describe('issue 9: behaviours as in Python cqlengine', () => {
  it('1: changedColumns() of a new instance lists the columns given a value and the defaults, not nulls', async () => {
    const d = new D({ id: 1, v: null });
    d.t = 'x';
    d.t = null;
    assert.deepEqual(d.changedColumns(), ['id', 'dummy']);
    await d.save();
    assert.deepEqual(d.changedColumns(), []);
    const got = await D.get({ id: 1 });
    assert.deepEqual([got.dummy, got.v, got.t], [42, null, null]);
  });

  it('2: saving a new instance with explicit nulls clears those columns; columns not given survive', async () => {
    await D.create({ id: 2, v: 5, t: 'a', s: [1], m: { a: 1 } });
    await new D({ id: 2, v: null, s: null, m: new Map() }).save();
    let got = await D.get({ id: 2 });
    assert.deepEqual([got.v, got.t, got.s.size, got.m.size, got.dummy], [null, 'a', 0, 0, 42]);
    // Assigned, then set back to null: explicit too.
    const d = new D({ id: 2 });
    d.t = 'x';
    d.t = null;
    await d.save();
    got = await D.get({ id: 2 });
    assert.equal(got.t, null);
  });

  it("3: update() given the key's current value is accepted; a changed key value is refused", async () => {
    const d = await D.create({ id: 3, v: 1 });
    await d.update({ id: 3, v: 2 });
    assert.equal((await D.get({ id: 3 })).v, 2);
    await assert.rejects(d.update({ id: 4, v: 3 }), is(ValidationError));
    assert.equal((await D.get({ id: 3 })).v, 2);
    assert.equal(await D.filter({ id: 4 }).count(), 0);
  });

  it('4: update() on an instance made with new leaves stored columns it was not given, defaults included', async () => {
    await D.create({ id: 40, dummy: 0, t: 'kept' });
    await new D({ id: 40 }).update({ v: 1 });
    const got = await D.get({ id: 40 });
    assert.deepEqual([got.dummy, got.v, got.t], [0, 1, 'kept']);
    // With nothing but the key, the row is made (its key only), and stored columns stay.
    await new D({ id: 40 }).update({});
    assert.equal((await D.get({ id: 40 })).dummy, 0);
  });

  it('5: UUID text without dashes is accepted for uuid and timeuuid columns', async () => {
    const id = types.Uuid.random();
    const at = types.TimeUuid.now();
    await U.create({ id: id.toString().replace(/-/g, ''), at: at.toString().replace(/-/g, '').toUpperCase() });
    const got = await U.get({ id: id.toString().replace(/-/g, '') });
    assert.ok(got.id.equals(id));
    assert.ok(got.at!.equals(at));
  });

  it('6: collections are limited to 65,535 elements, refused with ValidationError before the wire', async () => {
    const most = Array.from({ length: 65_535 }, (_, i) => i);
    await D.create({ id: 6, s: most });
    assert.equal((await D.get({ id: 6 })).s.size, 65_535);
    await assert.rejects(D.create({ id: 60, s: [...most, 65_535] }), is(ValidationError));
    await assert.rejects(D.filter({ id: 6 }).update({ s__add: [...most, 65_535] }), is(ValidationError));
    const many = new Map(Array.from({ length: 65_536 }, (_, i) => [`k${i}`, i] as const));
    await assert.rejects(D.create({ id: 60, m: many }), is(ValidationError));
    assert.equal(await D.filter({ id: 60 }).count(), 0);
  });

  it('7: a counter of a new instance reads 0n, so that += works', async () => {
    const c = new Counts({ id: 7 });
    assert.equal(c.n, 0n);
    c.n += 2n;
    await c.save();
    c.n += 1n;
    await c.save();
    assert.equal((await Counts.get({ id: 7 })).n, 3n);
    // Given 0 (or null, which is 0), a counter moves by 0, as in cqlengine: the row is made.
    await new Counts({ id: 70, n: 0n }).save();
    await new Counts({ id: 70, n: null as never }).save();
    assert.equal((await Counts.get({ id: 70 })).n, 0n);
  });

  it('8: a row with a static column may be written with a null clustering key (static columns only)', async () => {
    // The types ask for every key in create(); a new instance takes any subset.
    await new Static({ p: 8, st: 'shared' }).save();
    const rows = await Static.filter({ p: 8 }).all();
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.c, rows[0]!.st], [null, 'shared']);
    // A static-only instance updates by partition key.
    await rows[0]!.update({ st: 'changed' });
    await Static.create({ p: 8, c: 1, v: 'row' });
    const all = await Static.filter({ p: 8 }).all();
    assert.deepEqual(
      all.map((r) => [r.c, r.v, r.st]),
      [[1, 'row', 'changed']],
    );
    // A regular column cannot go with a null clustering key: it would be lost.
    await assert.rejects(new Static({ p: 80, v: 'lost', st: 'x' }).save(), is(ValidationError));
    assert.equal(await Static.filter({ p: 80 }).count(), 0);
  });

  it('9: orderBy() calls add to the order', async () => {
    for (const [two, three] of [
      [1, 1],
      [1, 2],
      [2, 1],
    ])
      await Ordered.create({ one: 9, two: two!, three: three! });
    const rows = await Ordered.filter({ one: 9 }).orderBy('-two').orderBy('-three').all();
    assert.deepEqual(
      rows.map((r) => [r.two, r.three]),
      [
        [2, 1],
        [1, 2],
        [1, 1],
      ],
    );
    assert.match(Ordered.filter({ one: 9 }).orderBy('-two').orderBy('-three').toString(), /ORDER BY "two" DESC, "three" DESC$/);
  });

  it('10: update({ m__update: { k: null } }) deletes key k from the map', async () => {
    await D.create({ id: 10, m: { k: 1, j: 2 } });
    await D.filter({ id: 10 }).update({ m__update: { k: null, i: 3 } });
    assert.deepEqual([...(await D.get({ id: 10 })).m].sort(), [
      ['i', 3],
      ['j', 2],
    ]);
  });

  it('11: save({ ifNotExists: true }) on a loaded instance is refused (cqlengine sends a plain UPDATE), and writes nothing', async () => {
    await D.create({ id: 11, v: 1 });
    const d = await D.get({ id: 11 });
    d.v = 2;
    await assert.rejects(d.save({ ifNotExists: true }), is(ConfigurationError, 'ifNotExists'));
    assert.equal((await D.get({ id: 11 })).v, 1);
    // A loaded instance whose key changed is a new row: IF NOT EXISTS applies.
    d.id = 110;
    await d.save({ ifNotExists: true });
    assert.equal((await D.get({ id: 110 })).v, 2);
  });

  it('13: syncTable and dropTable given something that is not a model fail with a ConfigurationError naming it', async () => {
    class NotAModel {}
    for (const bad of [42, null, {}, NotAModel, 'd']) {
      await assert.rejects(management.syncTable(bad as never), (err: unknown) => {
        assert.ok(is(ConfigurationError, 'model')(err));
        assert.match((err as Error).message, /Expected a model/);
        return true;
      });
      await assert.rejects(management.dropTable(bad as never), is(ConfigurationError, 'model'));
    }
    await assert.rejects(management.syncTable(NotAModel as never), /got function NotAModel/);
  });

  it('14: userType() refuses two fields with the same database name, as model() does for columns', () => {
    assert.throws(
      () => userType('pair', { a: columns.int().dbField('x'), b: columns.int().dbField('x') }),
      is(ConfigurationError, 'pair.b'),
    );
    assert.throws(() => model('pairs', { id: columns.int().partitionKey(), a: columns.int().dbField('id') }), is(ConfigurationError));
  });

  it('15: unknown columns and operators are UnknownColumnError on every path, bad values ValidationError, bad contextQuery arguments ConfigurationError; nothing is written', async () => {
    const unknown = (option: string) => is(UnknownColumnError, option);
    await assert.rejects(D.create({ id: 15, nope: 1 } as never), unknown('nope'));
    await assert.rejects(D.objects().create({ id: 15, nope: 1 } as never), unknown('nope'));
    const d = await D.create({ id: 150 });
    await assert.rejects(d.update({ nope: 1 } as never), unknown('nope'));
    await assert.rejects(D.filter({ id: 150 }).update({ nope: 1 } as never), unknown('nope'));
    await assert.rejects(D.filter({ id: 150 }).update({ s__frob: [1] } as never), unknown('s__frob'));
    assert.throws(() => D.filter({ nope: 1 } as never), unknown('nope'));
    assert.throws(() => D.filter({ id__startswith: 1 } as never), unknown('id__startswith'));
    await assert.rejects(D.get({ nope: 1 } as never), unknown('nope'));
    // Bad values: ValidationError on the same paths.
    await assert.rejects(D.create({ id: 'x' as never }), is(ValidationError));
    await assert.rejects(d.update({ v: 'x' as never }), is(ValidationError));
    await assert.rejects(D.filter({ id: 150 }).update({ v: 'x' as never }), is(ValidationError));
    assert.throws(() => D.filter({ id: 'x' as never }), is(ValidationError));
    // contextQuery: the arguments are at fault, before fn runs.
    let ran = false;
    const fn = () => void (ran = true);
    await assert.rejects(contextQuery([D], { keyspace: 'x', nope: 1 } as never, fn), is(ConfigurationError, 'nope'));
    await assert.rejects(contextQuery([], { keyspace: 'x' }, fn), is(ConfigurationError, 'models'));
    await assert.rejects(contextQuery([{} as never], { keyspace: 'x' }, fn), is(ConfigurationError, 'models'));
    assert.equal(ran, false);
    assert.equal(await D.filter({ id: 15 }).count(), 0);
    const stored = await D.get({ id: 150 });
    assert.deepEqual([stored.v, stored.dummy], [null, 42]);
  });
});
