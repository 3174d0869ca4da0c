/**
 * The pure-logic side of issue 9's behaviours brought in line with Python cqlengine: change
 * tracking of new instances, dashless UUIDs, collection sizes, counters at 0, chained orderBy, map
 * keys deleted by null, user types' database names, and the one rule of error classes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { ConfigurationError, UnknownColumnError, ValidationError, columns, contextQuery, model, userType } from '../../src/index.js';
import { parseFilter, parseUpdate } from '../../src/statements/filters.js';
import { MAX_COLLECTION_SIZE, cqlTypes, list, map, set } from '../../src/schema/types.js';

const D = model(
  'd',
  {
    id: columns.int().partitionKey(),
    dummy: columns.int().default(42),
    v: columns.int(),
    t: columns.text(),
    s: columns.set(columns.int()),
    m: columns.map(columns.text(), columns.int()),
  },
  { keyspace: 'ks' },
);
const Counts = model('counts', { id: columns.int().partitionKey(), n: columns.counter() }, { keyspace: 'ks' });
const Ordered = model(
  'ordered',
  { one: columns.int().partitionKey(), two: columns.int().primaryKey(), three: columns.int().primaryKey() },
  { keyspace: 'ks' },
);

const is = (cls: abstract new (...args: never[]) => Error, option?: string) => (err: unknown) => {
  assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
  if (option !== undefined) assert.equal((err as ConfigurationError).option, option);
  return true;
};

describe('issue 9 parity (pure logic)', () => {
  it('1: changedColumns() of a new instance lists the columns holding a value (given or default), not nulls', () => {
    const d = new D({ id: 1 });
    assert.deepEqual(d.changedColumns(), ['id', 'dummy']);
    d.t = 'x';
    assert.deepEqual(d.changedColumns(), ['id', 'dummy', 't']);
    d.t = null;
    d.s = new Set();
    assert.deepEqual(d.changedColumns(), ['id', 'dummy']);
    assert.deepEqual(new D({ id: 1, v: null, t: 'x' }).changedColumns(), ['id', 'dummy', 't']);
  });

  it('5: uuid and timeuuid take 32 hex digits without dashes', () => {
    const u = types.Uuid.random();
    const hex = u.toString().replace(/-/g, '');
    assert.ok((cqlTypes.uuid.coerce(hex, 'id') as types.Uuid).equals(u));
    assert.ok((cqlTypes.uuid.coerce(hex.toUpperCase(), 'id') as types.Uuid).equals(u));
    const tu = types.TimeUuid.now();
    assert.ok(cqlTypes.timeuuid.coerce(tu.toString().replace(/-/g, ''), 'at').equals(tu));
    assert.throws(() => cqlTypes.uuid.coerce(hex.slice(1), 'id'), is(ValidationError));
    assert.throws(() => cqlTypes.timeuuid.coerce(hex, 'at'), is(ValidationError), 'a version 4 UUID is no timeuuid');
  });

  it('6: a list, set or map of more than 65,535 elements is a ValidationError', () => {
    const many = Array.from({ length: MAX_COLLECTION_SIZE + 1 }, (_, i) => i);
    assert.equal(list(cqlTypes.int).coerce(many.slice(1), 'l').length, MAX_COLLECTION_SIZE);
    assert.throws(() => list(cqlTypes.int).coerce(many, 'l'), is(ValidationError));
    assert.throws(() => set(cqlTypes.int).coerce(many, 's'), is(ValidationError));
    assert.throws(() => map(cqlTypes.int, cqlTypes.int).coerce(new Map(many.map((i) => [i, i])), 'm'), is(ValidationError));
    assert.throws(() => new D({ id: 1, s: many }), is(ValidationError));
  });

  it('7: a counter of a new instance is 0n, so that += works', () => {
    const c = new Counts({ id: 1 });
    assert.equal(c.n, 0n);
    c.n += 1n;
    assert.equal(c.n, 1n);
    assert.deepEqual(new Counts({ id: 1 }).changedColumns(), ['id']);
  });

  it('9: orderBy calls add to the order', () => {
    const q = Ordered.filter({ one: 1 }).orderBy('two').orderBy('-three');
    assert.equal(q.toString(), 'SELECT * FROM "ks"."ordered" WHERE "one" = ? ORDER BY "two" ASC, "three" DESC');
  });

  it('10: m__update with a null value deletes that key; the others are written', () => {
    const { assignments, mapKeyRemovals } = parseUpdate(D.schema, { m__update: { k: null, j: 2 } });
    assert.deepEqual(
      assignments.map((a) => [a.column.name, a.op, a.value]),
      [['m', 'add', new Map([['j', 2]])]],
    );
    assert.deepEqual(
      mapKeyRemovals.map((r) => [r.column.name, r.value]),
      [['m', 'k']],
    );
    const onlyNull = parseUpdate(D.schema, { m__update: new Map([['k', null]]) });
    assert.deepEqual([onlyNull.assignments.length, onlyNull.mapKeyRemovals.length], [0, 1]);
    assert.throws(() => parseUpdate(D.schema, { m__update: 3 }), is(ValidationError));
  });

  it('14: userType refuses two fields with the same database name', () => {
    assert.throws(
      () => userType('pair', { a: columns.int().dbField('x'), b: columns.int().dbField('x') }),
      is(ConfigurationError, 'pair.b'),
    );
    assert.throws(() => userType('pair', { x: columns.int(), b: columns.int().dbField('x') }), is(ConfigurationError, 'pair.b'));
  });

  it('15: unknown columns and operators are UnknownColumnError (a ConfigurationError) on every path; bad values ValidationError', async () => {
    const unknown = (option: string) => is(UnknownColumnError, option);
    assert.throws(() => new D({ id: 1, nope: 1 } as never), unknown('nope'));
    await assert.rejects(D.create({ id: 1, nope: 1 } as never), unknown('nope'));
    await assert.rejects(new D({ id: 1 }).update({ nope: 1 } as never), unknown('nope'));
    assert.throws(() => parseUpdate(D.schema, { nope: 1 }), unknown('nope'));
    assert.throws(() => parseUpdate(D.schema, { m__frob: {} }), unknown('m__frob'));
    assert.throws(() => parseFilter(D.schema, { nope: 1 }), unknown('nope'));
    assert.throws(() => parseFilter(D.schema, { v__startswith: 1 }), unknown('v__startswith'));
    assert.throws(() => D.filter({ id: 1 }).orderBy('nope'), unknown('orderBy'));
    assert.ok(new UnknownColumnError('m', 'o', 1) instanceof ConfigurationError);
    // Bad values, on the same paths:
    assert.throws(() => new D({ id: 'x' as never }), is(ValidationError));
    await assert.rejects(new D({ id: 1 }).update({ v: 'x' as never }), is(ValidationError));
    assert.throws(() => parseUpdate(D.schema, { v: 'x' }), is(ValidationError));
    assert.throws(() => parseFilter(D.schema, { id: 'x' }), is(ValidationError));
    // Bad contextQuery arguments: ConfigurationError, before fn runs.
    await assert.rejects(
      contextQuery([D], { keyspace: 'ks', nope: 1 } as never, () => 1),
      is(ConfigurationError, 'nope'),
    );
    await assert.rejects(
      contextQuery([42 as never], { keyspace: 'ks' }, () => 1),
      is(ConfigurationError, 'models'),
    );
  });
});
