/**
 * Filter, condition and update keys (`age__gte`, `tags__add`, `pk__token__gt`) parsed against a
 * model's columns, without Cassandra: every operator, and every bad input rejected with an error
 * that names the key at fault before anything reaches the wire.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { columns, ConfigurationError, CQLEngineError, model, token, ValidationError } from '../../src/index.js';
import { checkSelectWheres, parseConditions, parseFilter, parseUpdate, primaryKeyValues } from '../../src/statements/filters.js';
import type { Where } from '../../src/statements/nodes.js';
import type { ModelSchema } from '../../src/schema/model-schema.js';

const Event = model(
  'events',
  {
    day: columns.text().partitionKey(),
    shard: columns.int().partitionKey(),
    at: columns.int().primaryKey(),
    kind: columns.text().index(),
    age: columns.int(),
    tags: columns.set(columns.text()),
    scores: columns.list(columns.int()),
    attrs: columns.map(columns.text(), columns.int()),
    labels: columns.set(columns.text()).index(),
    source: columns.inet().dbField('source_ip'),
  },
  { keyspace: 'ks' },
);
const schema = Event.schema;

const Hits = model('hits', { page: columns.text().partitionKey(), views: columns.counter() }, { keyspace: 'ks' });

const summary = (wheres: Where[]) => wheres.map((w) => [w.column.name, w.op, w.value]);

/** Asserts `fn` throws a CQLEngineError of class `cls` whose option/column names `key`. */
function rejectsNaming(fn: () => unknown, cls: typeof ConfigurationError | typeof ValidationError, key: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.ok(err instanceof CQLEngineError);
    const named = err instanceof ConfigurationError ? err.option : (err as ValidationError).column;
    assert.equal(named, key);
    // The message names the column (the key without its operator or iff. prefix).
    assert.ok(err.message.includes(key.replace(/^iff\./, '').split('__')[0]!), err.message);
    return true;
  });
}

describe('parseFilter', () => {
  it('maps every operator to its CQL operator and coerces values with the column type', () => {
    const wheres = parseFilter(schema, {
      day: 'mon',
      shard__eq: 2,
      at__in: [1, 2],
      age__gt: 1,
      age__gte: 2,
      age__lt: 3,
      age__lte: 4,
      tags__contains: 'x',
      scores__contains: 7,
      attrs__contains: 8,
      attrs__contains_key: 'k',
    });
    assert.deepEqual(summary(wheres), [
      ['day', '=', 'mon'],
      ['shard', '=', 2],
      ['at', 'IN', [1, 2]],
      ['age', '>', 1],
      ['age', '>=', 2],
      ['age', '<', 3],
      ['age', '<=', 4],
      ['tags', 'CONTAINS', 'x'],
      ['scores', 'CONTAINS', 7],
      ['attrs', 'CONTAINS', 8],
      ['attrs', 'CONTAINS KEY', 'k'],
    ]);
  });

  it('coerces values: strings to driver types, Sets for IN, dbField columns by property name', () => {
    const [source, day] = parseFilter(schema, { source: '10.0.0.1', day__in: new Set(['a', 'b']) });
    assert.ok(source!.value instanceof types.InetAddress);
    assert.equal(source!.column.dbName, 'source_ip');
    assert.deepEqual(day!.value, ['a', 'b']);
  });

  it('skips undefined values and accepts an empty filter', () => {
    assert.deepEqual(
      parseFilter(schema, { day: undefined, age: 3 }).map((w) => w.column.name),
      ['age'],
    );
    assert.deepEqual(parseFilter(schema, {}), []);
  });

  it('pk names the first primary key column', () => {
    assert.deepEqual(summary(parseFilter(schema, { pk: 'd', pk__in: ['e'] })), [
      ['day', '=', 'd'],
      ['day', 'IN', ['e']],
    ]);
  });

  it('pk names a column of the model called pk, if there is one, as in cqlengine', () => {
    const Pk = model('pk_named', { k: columns.int().primaryKey(), pk: columns.int().index() }, { keyspace: 'ks' });
    assert.equal(Pk.filter({ pk: 5 }).toString(), 'SELECT * FROM "ks"."pk_named" WHERE "pk" = ?');
    assert.deepEqual(summary(parseFilter(Pk.schema, { k: 1, pk__gt: 2 })), [
      ['k', '=', 1],
      ['pk', '>', 2],
    ]);
    const KeyPk = model('key_pk', { pk: columns.int().partitionKey(), v: columns.int() }, { keyspace: 'ks' });
    assert.deepEqual(primaryKeyValues(KeyPk.schema, { pk: 1 })?.slice(0, 1), [1], 'a get by it takes the whole-key path');
    assert.equal(KeyPk.filter({ pk: 1 }).toString(), 'SELECT * FROM "ks"."key_pk" WHERE "pk" = ?');
  });

  it('token bounds on pk__token take one value per partition key column', () => {
    for (const [op, cql] of [
      ['gt', '>'],
      ['gte', '>='],
      ['lt', '<'],
      ['lte', '<='],
    ] as const) {
      const [w] = parseFilter(schema, { [`pk__token__${op}`]: token('mon', 3) });
      assert.equal(w!.op, cql);
      assert.deepEqual(
        w!.tokenKeys!.map((k) => k.name),
        ['day', 'shard'],
      );
      assert.deepEqual(w!.value, ['mon', 3]);
    }
    rejectsNaming(() => parseFilter(schema, { pk__token__gt: token('mon') }), ValidationError, 'pk__token__gt');
    rejectsNaming(() => parseFilter(schema, { pk__token__gt: 'mon' }), ValidationError, 'pk__token__gt');
    rejectsNaming(() => parseFilter(schema, { pk__token__gt: token('mon', 'three') }), ValidationError, 'shard');
  });

  it('token bounds only apply to pk__token', () => {
    rejectsNaming(() => parseFilter(schema, { day__token__gt: token('mon', 3) }), ConfigurationError, 'day__token__gt');
    rejectsNaming(() => parseFilter(schema, { nothing__token__lt: token('mon', 3) }), ConfigurationError, 'nothing__token__lt');
  });

  it('an unknown column or operator names the key', () => {
    rejectsNaming(() => parseFilter(schema, { nope: 1 }), ConfigurationError, 'nope');
    rejectsNaming(() => parseFilter(schema, { nope__gt: 1 }), ConfigurationError, 'nope__gt');
    rejectsNaming(() => parseFilter(schema, { age__between: 1 }), ConfigurationError, 'age__between');
    rejectsNaming(() => parseFilter(schema, { age__ne: 1 }), ConfigurationError, 'age__ne');
    // The table name of a dbField column is not a property.
    rejectsNaming(() => parseFilter(schema, { source_ip: '10.0.0.1' }), ConfigurationError, 'source_ip');
  });

  it('a value that does not fit the column names the key and carries the value', () => {
    rejectsNaming(() => parseFilter(schema, { age: 'old' }), ValidationError, 'age');
    rejectsNaming(() => parseFilter(schema, { age__gte: 'old' }), ValidationError, 'age__gte');
    rejectsNaming(() => parseFilter(schema, { at__in: [1, 'two'] }), ValidationError, 'at__in');
    rejectsNaming(() => parseFilter(schema, { tags__contains: 5 }), ValidationError, 'tags__contains');
    rejectsNaming(() => parseFilter(schema, { attrs__contains_key: 5 }), ValidationError, 'attrs__contains_key');
    rejectsNaming(() => parseFilter(schema, { attrs__contains: 'x' }), ValidationError, 'attrs__contains');
    assert.throws(
      () => parseFilter(schema, { age: 'old' }),
      (err: unknown) => err instanceof ValidationError && err.value === 'old',
    );
  });

  it('rejects null values, IN without an array, and collection operators on other columns', () => {
    rejectsNaming(() => parseFilter(schema, { age: null }), ValidationError, 'age');
    rejectsNaming(() => parseFilter(schema, { age__gt: null }), ValidationError, 'age__gt');
    rejectsNaming(() => parseFilter(schema, { tags__contains: null }), ValidationError, 'tags__contains');
    rejectsNaming(() => parseFilter(schema, { at__in: 1 }), ValidationError, 'at__in');
    rejectsNaming(() => parseFilter(schema, { at__in: 'ab' }), ValidationError, 'at__in');
    rejectsNaming(() => parseFilter(schema, { at__in: [1, null] }), ValidationError, 'at__in');
    rejectsNaming(() => parseFilter(schema, { age__contains: 1 }), ConfigurationError, 'age__contains');
    rejectsNaming(() => parseFilter(schema, { tags__contains_key: 'x' }), ConfigurationError, 'tags__contains_key');
    rejectsNaming(() => parseFilter(schema, { scores__contains_key: 1 }), ConfigurationError, 'scores__contains_key');
  });

  it('rejects a filter that is not an object', () => {
    for (const bad of [null, 'day', 3]) {
      assert.throws(
        () => parseFilter(schema, bad as never),
        (err: unknown) => err instanceof ConfigurationError && err.option === 'filter',
      );
    }
  });

  it('QuerySet.filter() runs the same checks at once, without a connection', () => {
    assert.throws(() => Event.filter({ nope: 1 } as never), ConfigurationError);
    assert.throws(() => Event.filter({ age: 'x' as never }), ValidationError);
    assert.throws(() => Event.objects().filter({ age__in: 3 as never }), ValidationError);
  });
});

describe('checkSelectWheres (which filters need allowFiltering)', () => {
  const ok = (filter: Record<string, unknown>) => assert.doesNotThrow(() => checkSelectWheres(schema, parseFilter(schema, filter), false));
  const needsFiltering = (filter: Record<string, unknown>, column: string) => {
    const wheres = parseFilter(schema, filter);
    rejectsNaming(() => checkSelectWheres(schema, wheres, false), ConfigurationError, column);
    assert.throws(() => checkSelectWheres(schema, wheres, false), /allowFiltering/);
    assert.doesNotThrow(() => checkSelectWheres(schema, wheres, true));
  };

  it('accepts no filter, the partition key, an indexed column, or a token bound', () => {
    ok({});
    ok({ day: 'a', shard: 1 });
    ok({ day: 'a', shard: 1, at__gt: 3 });
    ok({ day__in: ['a'], shard: 1, age: 3 });
    ok({ kind: 'login' });
    ok({ kind: 'login', age__gt: 3 });
    ok({ labels__contains: 'x' });
    ok({ pk__token__gt: token('a', 1) });
  });

  it('rejects a non-key column without an index, naming it', () => {
    needsFiltering({ age: 3 }, 'age');
    needsFiltering({ tags__contains: 'x' }, 'tags');
    needsFiltering({ at: 1, age__gt: 3 }, 'age');
  });

  it('rejects clustering keys without the partition key, and ranges on indexed columns alone', () => {
    needsFiltering({ at: 1 }, 'at');
    needsFiltering({ at__gte: 1 }, 'at');
    needsFiltering({ day__gt: 'a' }, 'day');
    needsFiltering({ kind__gt: 'a' }, 'kind');
  });

  it("like binds a pattern on a text column, as cqlengine's __like does; other columns and values are refused", () => {
    const Words = model(
      'words',
      { id: columns.int().partitionKey(), text: columns.text({ maxLength: 3 }).index({ using: 'sai' }), n: columns.int() },
      { keyspace: 'ks' },
    );
    assert.deepEqual(Words.filter({ text__like: 'app%' }).toCQL(), {
      cql: 'SELECT * FROM "ks"."words" WHERE "text" LIKE ?',
      params: ['app%'],
    });
    assert.throws(() => Words.filter({ n__like: '1%' } as never), { name: 'ConfigurationError', message: /like needs a text column/ });
    assert.throws(() => Words.filter({ text__like: 5 } as never), { name: 'ValidationError', message: /a LIKE pattern must be a string/ });
  });

  it('like passes the check on any indexed column, as an equality does in cqlengine (the server says whether its index serves it)', () => {
    const Notes = model(
      'notes',
      { id: columns.int().partitionKey(), body: columns.text().index(), title: columns.text() },
      { keyspace: 'ks' },
    );
    assert.equal(Notes.filter({ body__like: 'a%' }).toString(), 'SELECT * FROM "ks"."notes" WHERE "body" LIKE ?');
    assert.throws(() => Notes.filter({ title__like: 'a%' }).toString(), /filtering on title, which is neither a key nor indexed/);
  });

  it('a custom index (SAI, SASI) serves any operator, as cqlengine lets a custom_index through', () => {
    const Scored = model(
      'scored',
      { id: columns.int().partitionKey(), score: columns.int().index({ using: 'sai' }), name: columns.text().index() },
      { keyspace: 'ks' },
    );
    assert.equal(Scored.filter({ score__gte: 20 }).toString(), 'SELECT * FROM "ks"."scored" WHERE "score" >= ?');
    assert.throws(() => Scored.filter({ name__gte: 'a' }).toString(), /name >=, which its values index does not serve/);
  });

  it('applies to the SELECT a QuerySet builds, and allowFiltering() lifts it', () => {
    assert.throws(
      () => Event.filter({ age: 3 }).toString(),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'age',
    );
    assert.equal(Event.filter({ age: 3 }).allowFiltering().toString(), 'SELECT * FROM "ks"."events" WHERE "age" = ? ALLOW FILTERING');
    assert.equal(Event.filter({ kind: 'k' }).toString(), 'SELECT * FROM "ks"."events" WHERE "kind" = ?');
  });
});

describe('parseConditions', () => {
  it('makes equality conditions on non-key columns, coercing values; null is allowed', () => {
    const conds = parseConditions(schema, { age: 3, kind: null, source: '::1', tags: undefined });
    assert.deepEqual(
      conds.map((c) => [c.column.name, c.value === null ? null : typeof c.value]),
      [
        ['age', 'number'],
        ['kind', null],
        ['source', 'object'],
      ],
    );
    assert.ok(conds[2]!.value instanceof types.InetAddress);
  });

  it('rejects key columns, unknown columns and bad values, naming them', () => {
    rejectsNaming(() => parseConditions(schema, { day: 'a' }), ConfigurationError, 'iff.day');
    rejectsNaming(() => parseConditions(schema, { at: 1 }), ConfigurationError, 'iff.at');
    rejectsNaming(() => parseConditions(schema, { pk: 'a' }), ConfigurationError, 'iff.pk');
    rejectsNaming(() => parseConditions(schema, { nope: 1 }), ConfigurationError, 'iff.nope');
    rejectsNaming(() => parseConditions(schema, { age: 'x' }), ValidationError, 'age');
  });

  it('QuerySet.iff() checks them at once', () => {
    assert.throws(() => Event.objects().iff({ day: 'x' } as never), ConfigurationError);
  });
});

describe('parseUpdate', () => {
  const ops = (values: Record<string, unknown>, s: ModelSchema = schema) =>
    parseUpdate(s, values).assignments.map((a) => [a.column.name, a.op, a.value]);

  it('assigns plain values; null and empty collections delete', () => {
    assert.deepEqual(ops({ age: 3, kind: null, tags: [], attrs: {}, scores: undefined }), [
      ['age', 'set', 3],
      ['kind', 'set', null],
      ['tags', 'set', null],
      ['attrs', 'set', null],
    ]);
    assert.deepEqual(ops({ tags: ['a'] }), [['tags', 'set', new Set(['a'])]]);
  });

  it('set__add / set__remove', () => {
    assert.deepEqual(ops({ tags__add: ['a', 'b'], labels__remove: new Set(['c']) }), [
      ['tags', 'add', new Set(['a', 'b'])],
      ['labels', 'remove', new Set(['c'])],
    ]);
  });

  it('list__append / list__prepend / list__remove', () => {
    assert.deepEqual(ops({ scores__append: [1, 2] }), [['scores', 'add', [1, 2]]]);
    assert.deepEqual(ops({ scores__prepend: [0] }), [['scores', 'prepend', [0]]]);
    assert.deepEqual(ops({ scores__remove: [5] }), [['scores', 'remove', [5]]]);
  });

  it('map__update sets entries; map__remove deletes keys', () => {
    assert.deepEqual(ops({ attrs__update: { a: 1 } }), [['attrs', 'add', new Map([['a', 1]])]]);
    const parsed = parseUpdate(schema, { attrs__remove: ['a', 'b'] });
    assert.deepEqual(parsed.assignments, []);
    assert.deepEqual(
      parsed.mapKeyRemovals.map((r) => [r.column.name, r.value]),
      [
        ['attrs', 'a'],
        ['attrs', 'b'],
      ],
    );
    assert.deepEqual(
      parseUpdate(schema, { attrs__remove: new Set(['z']) }).mapKeyRemovals.map((r) => r.value),
      ['z'],
    );
  });

  it('counter__incr / counter__decr become signed increments', () => {
    assert.deepEqual(ops({ views__incr: 5 }, Hits.schema), [['views', 'add', 5n]]);
    assert.deepEqual(ops({ views__decr: 2n }, Hits.schema), [['views', 'add', -2n]]);
  });

  it('an empty collection operation is dropped', () => {
    assert.deepEqual(ops({ tags__add: [], scores__append: [], attrs__update: {} }), []);
  });

  it('an operation on the wrong kind of column names the key', () => {
    const wrong: Record<string, unknown> = {
      tags__append: ['a'],
      tags__update: { a: 1 },
      scores__add: [1],
      scores__update: { a: 1 },
      attrs__add: { a: 1 },
      attrs__append: [1],
      age__incr: 1,
      age__add: 1,
      kind__remove: 'x',
    };
    for (const [key, value] of Object.entries(wrong)) rejectsNaming(() => parseUpdate(schema, { [key]: value }), ConfigurationError, key);
    rejectsNaming(() => parseUpdate(Hits.schema, { views__add: 1 }), ConfigurationError, 'views__add');
    // A frozen collection is written whole.
    const Frozen = model('frozen', {
      id: columns.int().primaryKey(),
      fs: columns.set(columns.int(), { frozen: true }),
      fl: columns.list(columns.int(), { frozen: true }),
    });
    rejectsNaming(() => parseUpdate(Frozen.schema, { fs__add: [1] }), ConfigurationError, 'fs__add');
    rejectsNaming(() => parseUpdate(Frozen.schema, { fl__append: [1] }), ConfigurationError, 'fl__append');
    assert.deepEqual(ops({ fs: [1] }, Frozen.schema), [['fs', 'set', new Set([1])]]);
  });

  it('rejects key columns, unknown columns and null operands', () => {
    // Changing a key column is a ValidationError, as on an instance's update().
    rejectsNaming(() => parseUpdate(schema, { day: 'x' }), ValidationError, 'day');
    rejectsNaming(() => parseUpdate(schema, { at: 2 }), ValidationError, 'at');
    rejectsNaming(() => parseUpdate(schema, { nope: 2 }), ConfigurationError, 'nope');
    rejectsNaming(() => parseUpdate(schema, { nope__add: [2] }), ConfigurationError, 'nope__add');
    rejectsNaming(() => parseUpdate(schema, { tags__add: null }), ValidationError, 'tags__add');
    rejectsNaming(() => parseUpdate(Hits.schema, { views__incr: null }), ValidationError, 'views__incr');
  });

  it('a plain value on a counter adds it, as cqlengine blind updates do', () => {
    const { assignments } = parseUpdate(Hits.schema, { views: 3 });
    assert.equal(assignments.length, 1);
    assert.equal(assignments[0]!.op, 'add');
    assert.equal(assignments[0]!.value, 3n);
    assert.equal(parseUpdate(Hits.schema, { views: -2n }).assignments[0]!.value, -2n);
    rejectsNaming(() => parseUpdate(Hits.schema, { views: 'x' }), ValidationError, 'views');
    // Cassandra refuses `views = null`: refused here, before anything is sent.
    rejectsNaming(() => parseUpdate(Hits.schema, { views: null }), ValidationError, 'views');
  });

  it('rejects operands that do not fit the column, naming the key', () => {
    rejectsNaming(() => parseUpdate(schema, { age: 'x' }), ValidationError, 'age');
    rejectsNaming(() => parseUpdate(schema, { tags__add: 'abc' }), ValidationError, 'tags__add');
    rejectsNaming(() => parseUpdate(schema, { attrs__remove: 5 }), ValidationError, 'attrs__remove');
    rejectsNaming(() => parseUpdate(schema, { attrs__remove: [5] }), ValidationError, 'attrs__remove');
    rejectsNaming(() => parseUpdate(schema, { attrs__update: { a: 'one' } }), ValidationError, 'attrs__update[a]');
    rejectsNaming(() => parseUpdate(Hits.schema, { views__incr: 1.5 }), ValidationError, 'views__incr');
  });

  it('QuerySet.update() rejects bad input before it needs a connection', async () => {
    await assert.rejects(Event.filter({ day: 'a', shard: 1, at: 1 }).update({ nope: 1 } as never), ConfigurationError);
    await assert.rejects(Event.filter({ day: 'a', shard: 1, at: 1 }).update({ age: 'x' as never }), ValidationError);
    await assert.rejects(Event.objects().update({ age: 1 }), CQLEngineError);
    await assert.rejects(
      Event.filter({ day: 'a', shard: 1, age: 1 } as never).update({ kind: 'x' }),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'age',
    );
    // A range of clustering columns is a range delete (3.0+), never a range update.
    await assert.rejects(
      Event.filter({ day: 'a', shard: 1, at__gt: 1 }).update({ age: 1 }),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'at',
    );
    await assert.rejects(
      Event.filter({ day: 'a', shard__gt: 1 } as never).delete(),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'shard',
    );
  });
});

describe('primaryKeyValues', () => {
  it('binds the whole primary key in key order as parseFilter does, with a slot left at the end', () => {
    const filter = { day: 'mon', shard: 1, at: 5 };
    const values = primaryKeyValues(schema, filter)!;
    assert.equal(values.length, 4);
    assert.deepEqual(
      values.slice(0, 3),
      parseFilter(schema, filter).map((w) => w.value),
    );
  });

  it('is undefined for any other filter', () => {
    for (const filter of [
      { shard: 1, day: 'mon', at: 5 },
      { day: 'mon', shard: 1 },
      { day: 'mon', shard: 1, at: 5, age: 3 },
      { day: 'mon', shard: 1, at__gte: 5 },
      { day: 'mon', shard: 1, at: undefined },
      { pk: 'mon', shard: 1, at: 5 },
      null,
      'day',
    ]) {
      assert.equal(primaryKeyValues(schema, filter), undefined, JSON.stringify(filter));
    }
  });

  it('is undefined where parseFilter would read a key column name as an alias or an operator', () => {
    const Odd = model('odd', { pk: columns.int().partitionKey(), a__gt: columns.int().primaryKey() }, { keyspace: 'ks' });
    assert.equal(primaryKeyValues(Odd.schema, { pk: 1, a__gt: 2 }), undefined);
  });

  it('refuses a bad key value as parseFilter does', () => {
    assert.throws(() => primaryKeyValues(schema, { day: 'mon', shard: 'x', at: 5 }), ValidationError);
    assert.throws(() => primaryKeyValues(schema, { day: 'mon', shard: null, at: 5 }), ValidationError);
  });
});
