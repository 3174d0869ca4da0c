/**
 * Column types and model definitions, without Cassandra: every type's coercion and validation, the
 * column options, and the checks a model passes when it is defined.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { abstractModel, CQLEngineError, columns, ConfigurationError, extend, model, userType, ValidationError } from '../../src/index.js';
import { codecOf, sentAsIs, type CqlType } from '../../src/schema/types.js';

type AnyCol = { type: { coerce(value: unknown, column: string): unknown } };

/** Coerces `value` with `col`'s type as column 'c'. */
const coerce = (col: AnyCol, value: unknown, name = 'c'): unknown => col.type.coerce(value, name);

/** Asserts a ValidationError naming the column and carrying the bad value. */
function rejects(col: AnyCol, value: unknown, name = 'c', expectedColumn = name): void {
  assert.throws(
    () => col.type.coerce(value, name),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError, `expected ValidationError for ${String(value)}, got ${String(err)}`);
      assert.ok(err instanceof CQLEngineError);
      assert.equal(err.column, expectedColumn);
      if (typeof value === 'number' && Number.isNaN(value)) assert.ok(Number.isNaN(err.value));
      else assert.equal(err.value, value);
      assert.ok(err.message.startsWith(`${expectedColumn}:`), err.message);
      return true;
    },
  );
}

describe('scalar column types', () => {
  it('text, varchar and ascii take strings; ascii only 7-bit ones', () => {
    assert.equal(coerce(columns.text(), 'héllo ✓'), 'héllo ✓');
    assert.equal(coerce(columns.varchar(), ''), '');
    assert.equal(coerce(columns.ascii(), 'plain ascii ~'), 'plain ascii ~');
    rejects(columns.ascii(), 'héllo');
    for (const bad of [1, true, {}, ['a'], Buffer.from('a')]) {
      rejects(columns.text(), bad);
      rejects(columns.ascii(), bad);
    }
    assert.equal(columns.text().type.cql, 'text');
    assert.equal(columns.varchar().type.cql, 'varchar');
    assert.equal(columns.ascii().type.cql, 'ascii');
  });

  it('int, smallint and tinyint take integers within their range', () => {
    const ranges = [
      [columns.int(), -2147483648, 2147483647],
      [columns.smallint(), -32768, 32767],
      [columns.tinyint(), -128, 127],
    ] as const;
    for (const [col, min, max] of ranges) {
      assert.equal(coerce(col, min), min);
      assert.equal(coerce(col, max), max);
      assert.equal(coerce(col, 0), 0);
      rejects(col, min - 1);
      rejects(col, max + 1);
      for (const bad of [1.5, NaN, Infinity, '1', 1n, null, true]) rejects(col, bad);
    }
    assert.equal(columns.smallint().type.since, '2.2');
    assert.equal(columns.tinyint().type.since, '2.2');
    assert.equal(columns.int().type.since, undefined);
  });

  it('bigint and counter take bigints, safe integers and driver Longs, within 64 bits', () => {
    for (const col of [columns.bigint(), columns.counter()]) {
      assert.equal(coerce(col, 5n), 5n);
      assert.equal(coerce(col, -7), -7n);
      assert.equal(coerce(col, Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER));
      assert.equal(coerce(col, types.Long.fromString('-9223372036854775808')), -(2n ** 63n));
      assert.equal(coerce(col, 2n ** 63n - 1n), 2n ** 63n - 1n);
      rejects(col, 2n ** 63n);
      rejects(col, -(2n ** 63n) - 1n);
      for (const bad of [1.5, 2 ** 60, '12', NaN, true]) rejects(col, bad);
    }
    assert.equal(columns.counter().type.kind, 'counter');
    assert.equal(columns.bigint().type.kind, 'scalar');
  });

  it('varint takes integers of any size', () => {
    const big = 2n ** 200n;
    assert.equal(coerce(columns.varint(), big), big);
    assert.equal(coerce(columns.varint(), -big), -big);
    assert.equal(coerce(columns.varint(), 42), 42n);
    assert.equal(coerce(columns.varint(), types.Integer.fromString('123456789012345678901234567890')), 123456789012345678901234567890n);
    for (const bad of [1.5, '1', 2 ** 60, null]) rejects(columns.varint(), bad);
  });

  it('bigint and varint convert to Long/Integer unless the client decodes bigints natively', () => {
    const plain = codecOf({});
    const native = codecOf({ encoding: { useBigIntAsLong: true, useBigIntAsVarint: true, map: Map } });
    const long = columns.bigint().type.toDriver(12n, plain);
    assert.ok(long instanceof types.Long);
    assert.equal(String(long), '12');
    assert.equal(columns.bigint().type.toDriver(12n, native), 12n);
    const integer = columns.varint().type.toDriver(2n ** 70n, plain);
    assert.ok(integer instanceof types.Integer);
    assert.equal(String(integer), String(2n ** 70n));
    assert.equal(columns.varint().type.toDriver(3n, native), 3n);
    assert.equal(columns.bigint().type.fromDriver(types.Long.fromNumber(-3), plain), -3n);
    assert.equal(columns.counter().type.fromDriver(9n, native), 9n);
  });

  it('float and double take any number', () => {
    for (const col of [columns.float(), columns.double()]) {
      assert.equal(coerce(col, 1.25), 1.25);
      assert.equal(coerce(col, -0), -0);
      assert.equal(coerce(col, Infinity), Infinity);
      assert.ok(Number.isNaN(coerce(col, NaN)));
      for (const bad of ['1.5', 1n, null, {}]) rejects(col, bad);
    }
  });

  it('decimal takes BigDecimals, finite numbers and decimal strings, exponents included', () => {
    const d = (v: unknown) => String(coerce(columns.decimal(), v));
    const bd = types.BigDecimal.fromString('3.14');
    assert.equal(coerce(columns.decimal(), bd), bd);
    assert.equal(d('12.50'), '12.50');
    assert.equal(d('-0.001'), '-0.001');
    assert.equal(d('+.5'), '0.5');
    assert.equal(d('7'), '7');
    assert.equal(d('1.5e3'), '1500');
    assert.equal(d('1.5E-3'), '0.0015');
    assert.equal(d('-2e2'), '-200');
    assert.equal(d(0.1), '0.1');
    assert.equal(d(-12.5), '-12.5');
    assert.equal(d(1e21), '1000000000000000000000');
    assert.equal(d(1e-7), '0.0000001');
    for (const bad of ['', '.', 'abc', '1.2.3', 'NaN', '1e', '0x10', NaN, Infinity, -Infinity, 1n, true]) rejects(columns.decimal(), bad);
  });

  it('boolean takes booleans only', () => {
    assert.equal(coerce(columns.boolean(), false), false);
    assert.equal(coerce(columns.boolean(), true), true);
    for (const bad of [0, 1, 'true', null]) rejects(columns.boolean(), bad);
  });

  it('blob takes Buffers and Uint8Arrays (as a Buffer over the same bytes)', () => {
    const buf = Buffer.from([1, 2, 3]);
    assert.equal(coerce(columns.blob(), buf), buf);
    const bytes = new Uint8Array([0, 9, 8, 7]).subarray(1);
    const out = coerce(columns.blob(), bytes);
    assert.ok(Buffer.isBuffer(out));
    assert.deepEqual([...(out as Buffer)], [9, 8, 7]);
    for (const bad of ['abc', [1, 2], new ArrayBuffer(2), 1]) rejects(columns.blob(), bad);
  });

  it('inet takes InetAddresses and IPv4/IPv6 strings', () => {
    const v4 = coerce(columns.inet(), '10.0.0.1');
    assert.ok(v4 instanceof types.InetAddress);
    assert.equal(String(v4), '10.0.0.1');
    assert.equal(String(coerce(columns.inet(), '::1')), '::1');
    const addr = types.InetAddress.fromString('192.168.1.1');
    assert.equal(coerce(columns.inet(), addr), addr);
    for (const bad of ['300.1.1.1', 'localhost', '', 3232235777, null]) rejects(columns.inet(), bad);
  });

  it('timestamp takes Dates, epoch milliseconds and date strings', () => {
    const date = new Date('2024-05-06T07:08:09.010Z');
    assert.equal(coerce(columns.timestamp(), date), date);
    assert.equal((coerce(columns.timestamp(), date.getTime()) as Date).getTime(), date.getTime());
    assert.equal((coerce(columns.timestamp(), '2024-05-06T07:08:09.010Z') as Date).getTime(), date.getTime());
    for (const bad of [new Date('nope'), 'not a date', '', NaN, true, null, 1n]) rejects(columns.timestamp(), bad);
  });

  it('uuid takes Uuids and UUID strings in either case', () => {
    const id = types.Uuid.random();
    assert.equal(coerce(columns.uuid(), id), id);
    const text = '550e8400-e29b-41d4-a716-446655440000';
    const parsed = coerce(columns.uuid(), text.toUpperCase());
    assert.ok(parsed instanceof types.Uuid);
    assert.equal(String(parsed), text);
    for (const bad of ['123', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '', 42, Buffer.alloc(16)]) rejects(columns.uuid(), bad);
  });

  it('timeuuid takes only version 1 UUIDs', () => {
    const now = types.TimeUuid.now();
    assert.equal(coerce(columns.timeuuid(), now), now);
    const fromText = coerce(columns.timeuuid(), now.toString());
    assert.ok(fromText instanceof types.TimeUuid);
    assert.equal(String(fromText), now.toString());
    const asUuid = coerce(columns.timeuuid(), types.Uuid.fromString(now.toString()));
    assert.ok(asUuid instanceof types.TimeUuid);
    rejects(columns.timeuuid(), types.Uuid.random());
    rejects(columns.timeuuid(), '550e8400-e29b-41d4-a716-446655440000');
    rejects(columns.timeuuid(), 'garbage');
  });

  it('date takes LocalDates, valid YYYY-MM-DD strings and Dates', () => {
    const ld = types.LocalDate.fromString('2020-02-29');
    assert.equal(coerce(columns.date(), ld), ld);
    assert.equal(String(coerce(columns.date(), '2020-02-29')), '2020-02-29');
    assert.equal(String(coerce(columns.date(), new Date(Date.UTC(2021, 0, 2)))), '2021-01-02');
    // The driver would silently roll these over into another day.
    for (const bad of ['2020-13-01', '2021-02-29', '2020-01-32', '2020-1-1', 'abc', '', new Date('nope'), 20200101])
      rejects(columns.date(), bad);
    assert.equal(columns.date().type.since, '2.2');
  });

  it('time takes LocalTimes, valid HH:MM[:SS[.fffffffff]] strings and nanoseconds since midnight (as cqlengine)', () => {
    assert.equal(String(coerce(columns.time(), '12:30:05')), '12:30:05');
    assert.equal(String(coerce(columns.time(), '23:59:59.999999999')), '23:59:59.999999999');
    const lt = types.LocalTime.fromString('01:02:03');
    assert.equal(coerce(columns.time(), lt), lt);
    assert.equal(String(coerce(columns.time(), 3_600_000_000_000)), '01:00:00');
    assert.equal(String(coerce(columns.time(), 0)), '00:00:00');
    assert.equal(String(coerce(columns.time(), 86_399_999_999_999n)), '23:59:59.999999999');
    for (const bad of ['abc', '24:00:00', '12:61:00', '12:00:60', '', -1, 1.5, 86_400_000_000_000n, 2 ** 60]) rejects(columns.time(), bad);
  });

  it('duration takes Durations and the standard and ISO 8601 forms', () => {
    assert.equal(String(coerce(columns.duration(), '1h30m')), '1h30m');
    assert.equal(String(coerce(columns.duration(), '-3d')), '-3d');
    assert.equal(String(coerce(columns.duration(), 'P1DT2H')), '1d2h');
    assert.equal(String(coerce(columns.duration(), 'P2W')), '14d');
    assert.equal(String(coerce(columns.duration(), 'P0001-02-03T04:05:06')), '1y2mo3d4h5m6s');
    const dur = types.Duration.fromString('5s');
    assert.equal(coerce(columns.duration(), dur), dur);
    for (const bad of ['xyz', 'P', '1 hour', '', 60]) rejects(columns.duration(), bad);
    assert.equal(columns.duration().type.since, '3.10');
  });
});

describe('collection and tuple column types', () => {
  it('list takes arrays, validating each element', () => {
    const col = columns.list(columns.int());
    assert.equal(col.type.cql, 'list<int>');
    assert.equal(col.type.kind, 'list');
    assert.equal(col.type.frozen, false);
    assert.deepEqual(coerce(col, [3, 1, 3]), [3, 1, 3]);
    assert.deepEqual(coerce(col, []), []);
    rejects(col, new Set([1]));
    rejects(col, 'abc');
    rejects(col, { 0: 1 });
  });

  it('an invalid or null element is a ValidationError naming the column and the position', () => {
    for (const [value, item] of [
      [[1, 'two'], 'two'],
      [[1, null], null],
      [[1, undefined], undefined],
    ] as const) {
      assert.throws(
        () => columns.list(columns.int()).type.coerce(value, 'scores'),
        (err: unknown) =>
          err instanceof ValidationError && err.column === 'scores[1]' && err.value === item && err.message.startsWith('scores[1]:'),
      );
    }
    assert.throws(
      () => columns.set(columns.text()).type.coerce(['a', 1], 'tags'),
      (err: unknown) => err instanceof ValidationError && err.column.startsWith('tags') && err.value === 1,
    );
  });

  it('the label names the item at fault in sets, map keys and values, and nested collections', () => {
    const names = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof ValidationError);
        return err.column;
      }
      throw new Error('no error');
    };
    assert.equal(
      names(() => columns.set(columns.text()).type.coerce(['a', 1], 'tags')),
      'tags{}',
    );
    assert.equal(
      names(() => columns.set(columns.text()).type.coerce(new Set(['a', null]), 'tags')),
      'tags{}',
    );
    const scores = columns.map(columns.text(), columns.int()).type;
    assert.equal(
      names(() => scores.coerce(new Map<unknown, unknown>([[1, 2]]), 'scores')),
      'scores key',
    );
    assert.equal(
      names(() =>
        scores.coerce(
          new Map<unknown, unknown>([
            ['a', 1],
            ['b', 'x'],
          ]),
          'scores',
        ),
      ),
      'scores[b]',
    );
    assert.equal(
      names(() => scores.coerce({ c: null }, 'scores')),
      'scores[c]',
    );
    const nested = columns.map(columns.text(), columns.list(columns.int())).type;
    assert.equal(
      names(() => nested.coerce(new Map([['k', [1, 'no']]]), 'm')),
      'm[k][1]',
    );
    // A hole in an array is a missing item, refused here rather than by the driver's encoder.
    const holey = new Array<number>(3);
    holey[0] = 1;
    holey[2] = 3;
    assert.equal(
      names(() => columns.list(columns.int()).type.coerce(holey, 'xs')),
      'xs[1]',
    );
    // Valid items are coerced once, as they are.
    assert.deepEqual(nested.coerce({ k: [1, 2] }, 'm'), new Map([['k', [1, 2]]]));
  });

  it('set takes Sets and arrays, and drops duplicates', () => {
    const col = columns.set(columns.text());
    assert.equal(col.type.cql, 'set<text>');
    assert.deepEqual(coerce(col, ['b', 'a', 'b']), new Set(['b', 'a']));
    assert.deepEqual(coerce(col, new Set(['x'])), new Set(['x']));
    rejects(col, 'abc');
    rejects(col, new Map());
    // The driver's types compare by reference; the set keeps what it is given.
    const uuids = coerce(columns.set(columns.uuid()), ['550e8400-e29b-41d4-a716-446655440000']) as Set<types.Uuid>;
    assert.ok([...uuids][0] instanceof types.Uuid);
  });

  it('map takes Maps and, for text keys, plain objects; keys and values are validated', () => {
    const col = columns.map(columns.text(), columns.int());
    assert.equal(col.type.cql, 'map<text, int>');
    assert.deepEqual(
      coerce(col, { a: 1, b: 2 }),
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    assert.deepEqual(coerce(col, new Map([['z', 26]])), new Map([['z', 26]]));
    rejects(col, [['a', 1]]);
    rejects(col, 'a=1');
    assert.throws(
      () => coerce(col, { a: 'one' }, 'm'),
      (err: unknown) => err instanceof ValidationError && err.column.startsWith('m') && err.value === 'one',
    );
    assert.throws(
      () => coerce(columns.map(columns.int(), columns.text()), { a: 'x' }, 'm'),
      (err: unknown) => err instanceof ValidationError && err.column.startsWith('m') && err.value === 'a',
    );
    assert.throws(() => coerce(col, new Map([['a', null]]), 'm'), ValidationError);
  });

  it('frozen collections, and nested collections frozen automatically', () => {
    assert.equal(columns.list(columns.int(), { frozen: true }).type.cql, 'frozen<list<int>>');
    assert.equal(columns.list(columns.int(), { frozen: true }).type.frozen, true);
    assert.equal(columns.set(columns.text(), { frozen: true }).type.cql, 'frozen<set<text>>');
    assert.equal(columns.map(columns.text(), columns.int(), { frozen: true }).type.cql, 'frozen<map<text, int>>');
    assert.equal(columns.list(columns.set(columns.int())).type.cql, 'list<frozen<set<int>>>');
    assert.equal(columns.map(columns.text(), columns.list(columns.int())).type.cql, 'map<text, frozen<list<int>>>');
    assert.equal(columns.set(columns.list(columns.int(), { frozen: true })).type.cql, 'set<frozen<list<int>>>');
    assert.equal(
      columns.map(columns.text(), columns.map(columns.int(), columns.text()), { frozen: true }).type.cql,
      'frozen<map<text, frozen<map<int, text>>>>',
    );
    const nested = columns.list(columns.map(columns.text(), columns.set(columns.int())));
    assert.equal(nested.type.cql, 'list<frozen<map<text, frozen<set<int>>>>>');
    assert.deepEqual(coerce(nested, [{ a: [1, 1, 2] }]), [new Map([['a', new Set([1, 2])]])]);
    assert.throws(
      () => coerce(nested, [{ a: [1, 'x'] }], 'deep'),
      (err: unknown) => err instanceof ValidationError && err.column.startsWith('deep') && err.value === 'x',
    );
  });

  it('tuple takes arrays or driver Tuples up to its length (a short one ends in nulls, as in cqlengine); items may be null', () => {
    const col = columns.tuple(columns.int(), columns.text(), columns.list(columns.int()));
    assert.equal(col.type.cql, 'frozen<tuple<int, text, frozen<list<int>>>>');
    assert.equal(col.type.kind, 'tuple');
    assert.deepEqual(coerce(col, [1, 'a', [2]]), [1, 'a', [2]]);
    assert.deepEqual(coerce(col, [null, 'a', null]), [null, 'a', null]);
    assert.deepEqual(coerce(col, types.Tuple.fromArray([1, 'b', []])), [1, 'b', []]);
    assert.deepEqual(coerce(col, [1, 'a']), [1, 'a', null]);
    assert.deepEqual(coerce(col, []), [null, null, null]);
    rejects(col, [1, 'a', [], 4]);
    rejects(col, 'abc');
    assert.throws(
      () => coerce(col, ['x', 'a', []], 'pair'),
      (err: unknown) => err instanceof ValidationError && err.column === 'pair[0]' && err.value === 'x',
    );
    const driver = col.type.toDriver([1, null, [3]] as never, codecOf({}));
    assert.ok(driver instanceof types.Tuple);
    assert.deepEqual(col.type.fromDriver(driver, codecOf({})), [1, null, [3]]);
  });

  it('collections convert to and from the driver whatever its encoding', () => {
    const plain = codecOf({});
    const mapClass = codecOf({ encoding: { map: Map } });
    const m = columns.map(columns.int(), columns.bigint()).type;
    const value = new Map([[1, 2n]]);
    const asObject = m.toDriver(value, plain) as Record<string, types.Long>;
    assert.deepEqual(Object.keys(asObject), ['1']);
    assert.equal(String(asObject['1']), '2');
    assert.ok(m.toDriver(value, mapClass) instanceof Map);
    assert.deepEqual(m.fromDriver({ 7: types.Long.fromNumber(8) }, plain), new Map([[7, 8n]]));
    assert.deepEqual(m.fromDriver(null, plain), new Map());
    assert.deepEqual(columns.set(columns.text()).type.toDriver(new Set(['a']), plain), ['a']);
    assert.deepEqual(columns.set(columns.text()).type.fromDriver(null, plain), new Set());
    assert.deepEqual(columns.list(columns.text()).type.fromDriver(null, plain), []);
  });
});

describe('column options', () => {
  it('builders are immutable: each option returns a new column', () => {
    const base = columns.text();
    const required = base.required();
    assert.notEqual(required, base);
    assert.equal(base.options.required, false);
    assert.equal(required.options.required, true);
    assert.equal(columns.int().required().type, columns.int().type);
  });

  it('a required text column refuses an empty string unless given a minLength, as in cqlengine', () => {
    const Note = model('notes', {
      id: columns.int().partitionKey(),
      title: columns.text().required(),
      body: columns.text({ minLength: 0 }).required(),
      code: columns.ascii({ maxLength: 3 }).required(),
      nick: columns.varchar({ minLength: 2 }),
    });
    const ok = { id: 1, title: 't', body: '', code: 'abc', nick: 'ab' };
    assert.doesNotThrow(() => new Note(ok).validate());
    assert.throws(() => new Note({ ...ok, title: '' }), { name: 'ValidationError', message: /title is shorter than 1 characters/ });
    assert.throws(() => new Note({ ...ok, code: 'abcd' }), { name: 'ValidationError', message: /code is longer than 3/ });
    // A minLength refuses null too (cqlengine's Text(min_length=2) does).
    assert.throws(() => new Note({ ...ok, nick: null }).validate(), { name: 'ValidationError', message: /nick is required/ });
    // required() cannot make a column whose maxLength is 0.
    assert.throws(() => columns.text({ maxLength: 0 }).required(), {
      name: 'ConfigurationError',
      message: /maxLength \(0\) of text is below minLength \(1\)/,
    });
  });

  it('records every option', () => {
    const check = (v: number) => v > 0;
    const c = columns
      .int()
      .primaryKey()
      .clusteringOrder('desc')
      .index()
      .dbField('db_name')
      .default(3)
      .required()
      .static()
      .discriminator()
      .validate(check);
    assert.deepEqual(
      { ...c.options },
      {
        discriminator: true,
        primaryKey: true,
        partitionKey: false,
        clusteringOrder: 'DESC',
        index: 'values',
        indexUsing: undefined,
        indexOptions: undefined,
        dbField: 'db_name',
        default: 3,
        required: true,
        static: true,
        validators: [check],
      },
    );
    const pk = columns.text().partitionKey();
    assert.equal(pk.options.partitionKey, true);
    assert.equal(pk.options.primaryKey, true);
    assert.equal(columns.int().clusteringOrder('ASC').options.clusteringOrder, 'ASC');
  });

  it('rejects a bad clustering order and a counter in the key with ConfigurationError', () => {
    assert.throws(
      () => columns.int().clusteringOrder('up' as never),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'clusteringOrder' && err.value === 'up',
    );
    assert.throws(
      () => columns.counter().primaryKey(),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'primaryKey',
    );
    assert.throws(() => columns.counter().partitionKey(), ConfigurationError);
  });
});

describe('model definitions', () => {
  it('resolves partition, clustering and primary keys, dbField names and quoting', () => {
    const M = model(
      'events',
      {
        day: columns.text().partitionKey(),
        shard: columns.int().partitionKey(),
        at: columns.timeuuid().primaryKey().clusteringOrder('desc'),
        seq: columns.int().primaryKey(),
        source: columns.inet().dbField('source_ip'),
        kind: columns.text().index(),
        note: columns.text().static(),
      },
      { keyspace: 'ks' },
    );
    const s = M.schema;
    assert.equal(s.table, 'events');
    assert.equal(s.keyspace, 'ks');
    assert.deepEqual(
      s.partitionKeys.map((c) => c.name),
      ['day', 'shard'],
    );
    assert.deepEqual(
      s.clusteringKeys.map((c) => c.name),
      ['at', 'seq'],
    );
    assert.deepEqual(
      s.primaryKeys.map((c) => c.name),
      ['day', 'shard', 'at', 'seq'],
    );
    const source = s.byName.get('source')!;
    assert.equal(source.dbName, 'source_ip');
    assert.equal(source.quoted, '"source_ip"');
    assert.equal(s.byDbName.get('source_ip'), source);
    assert.equal(s.byName.get('at')!.clusteringOrder, 'DESC');
    assert.equal(s.byName.get('kind')!.isIndexed, true);
    assert.equal(s.byName.get('note')!.isStatic, true);
    assert.equal(s.byName.get('day')!.isRequired, true);
    assert.equal(s.byName.get('kind')!.isRequired, false);
    assert.equal(s.isCounterTable, false);
  });

  it('lists the columns a write refuses null in: the key, required ones and those with a minimum length', () => {
    const M = model('t', {
      id: columns.int().partitionKey(),
      at: columns.int().primaryKey(),
      title: columns.text().required(),
      nick: columns.text({ minLength: 1 }),
      note: columns.text(),
      tags: columns.set(columns.text()),
    });
    assert.deepEqual(
      M.schema.requiredColumns.map((c) => c.name),
      ['id', 'at', 'title', 'nick'],
    );
    assert.throws(() => new M({ id: 1, at: 2, title: 't' }).validate(), { name: 'ValidationError', message: /t\.nick is required/ });
  });

  it('makes the first primary key the partition key when none is named', () => {
    const M = model('t', { a: columns.int().primaryKey(), b: columns.int().primaryKey(), c: columns.int() });
    assert.deepEqual(
      M.schema.partitionKeys.map((c) => c.name),
      ['a'],
    );
    assert.deepEqual(
      M.schema.clusteringKeys.map((c) => c.name),
      ['b'],
    );
  });

  it('accepts a counter table: counters beside key columns only', () => {
    const Hits = model('hits', { page: columns.text().partitionKey(), views: columns.counter(), clicks: columns.counter() });
    assert.equal(Hits.schema.isCounterTable, true);
    assert.equal(Hits.schema.byName.get('views')!.isCounter, true);
  });

  const definitionError = (fn: () => unknown, check: (err: ConfigurationError) => void = () => {}) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof ConfigurationError, String(err));
      check(err);
      return true;
    });

  it('rejects a model without a primary key', () => {
    definitionError(
      () => model('t', { a: columns.int(), b: columns.text() }),
      (err) => assert.match(err.message, /primary key/),
    );
    definitionError(() => model('t', {}));
  });

  it('rejects counters mixed with other non-key columns, naming the column', () => {
    definitionError(
      () => model('t', { id: columns.int().primaryKey(), hits: columns.counter(), name: columns.text() }),
      (err) => {
        assert.match(err.message, /name/);
        assert.equal(err.value, 'text');
      },
    );
  });

  it('rejects bad identifiers for table, keyspace, columns and dbField', () => {
    const cols = { id: columns.int().primaryKey() };
    definitionError(
      () => model('bad-table', cols),
      (err) => assert.equal(err.value, 'bad-table'),
    );
    definitionError(() => model('x'.repeat(49), cols));
    definitionError(
      () => model('t', cols, { keyspace: 'bad keyspace' }),
      (err) => assert.equal(err.value, 'bad keyspace'),
    );
    definitionError(
      () => model('t', { id: columns.int().primaryKey(), 'bad-col': columns.text() }),
      (err) => assert.equal(err.value, 'bad-col'),
    );
    definitionError(
      () => model('t', { id: columns.int().primaryKey(), x: columns.text().dbField('x"; DROP') }),
      (err) => assert.equal(err.value, 'x"; DROP'),
    );
    definitionError(() => model('t', cols, { connection: '' }));
    definitionError(
      () => model('t', cols, { tableOptions: { 'bad option': 1 } }),
      (err) => assert.match(err.message, /^Invalid table option name "bad option"/),
    );
  });

  it('rejects column names that clash with model methods', () => {
    for (const name of ['save', 'delete', 'update', 'toObject', 'constructor']) {
      definitionError(
        () => model('t', { id: columns.int().primaryKey(), [name]: columns.text() }),
        (err) => assert.equal(err.option, name),
      );
    }
  });

  it('rejects two columns with one table name', () => {
    definitionError(() => model('t', { id: columns.int().primaryKey(), a: columns.text().dbField('b'), b: columns.text() }));
  });

  it('rejects misplaced clustering orders, static keys, static columns without clustering keys and unfrozen collection keys', () => {
    definitionError(() => model('t', { id: columns.int().primaryKey(), x: columns.int().clusteringOrder('desc') }));
    definitionError(() => model('t', { id: columns.int().primaryKey().clusteringOrder('asc') }));
    definitionError(() => model('t', { id: columns.int().partitionKey(), c: columns.int().primaryKey().static() }));
    definitionError(
      () => model('t', { id: columns.int().primaryKey(), s: columns.text().static() }),
      (err) => assert.equal(err.option, 'static'),
    );
    definitionError(() => model('t', { id: columns.list(columns.int()).primaryKey() }));
    const frozenKey = model('t', {
      id: columns.list(columns.int(), { frozen: true }).primaryKey(),
      tup: columns.tuple(columns.int()).primaryKey(),
    });
    assert.equal(frozenKey.schema.primaryKeys.length, 2);
  });

  it('abstract models need no table or key, cannot be queried, and lend their columns through extend()', () => {
    const Audited = abstractModel(
      { id: columns.uuid().partitionKey(), createdAt: columns.timestamp().default(() => new Date(0)) },
      { keyspace: 'audit' },
    );
    assert.equal(Audited.schema.abstract, true);
    assert.equal(Audited.schema.table, undefined);
    assert.throws(() => Audited.objects(), CQLEngineError);
    const NoKey = abstractModel({ note: columns.text() });
    assert.equal(NoKey.schema.partitionKeys.length, 0);

    const Invoice = extend(Audited, 'invoices', { total: columns.decimal().required() });
    assert.equal(Invoice.schema.abstract, false);
    assert.equal(Invoice.schema.table, 'invoices');
    assert.equal(Invoice.schema.keyspace, 'audit');
    assert.deepEqual(
      Invoice.schema.columns.map((c) => c.name),
      ['id', 'createdAt', 'total'],
    );
    assert.deepEqual(
      Invoice.schema.partitionKeys.map((c) => c.name),
      ['id'],
    );
    const other = extend(Audited, 'other', { extra: columns.int() }, { keyspace: 'elsewhere' });
    assert.equal(other.schema.keyspace, 'elsewhere');
    // An abstract model without a key lends columns; the concrete model must still have one.
    definitionError(() => extend(NoKey, 'notes', { more: columns.text() }));
    assert.deepEqual(
      extend(NoKey, 'notes', { id: columns.int().primaryKey() }).schema.columns.map((c) => c.name),
      ['note', 'id'],
    );
  });
});

describe('instances', () => {
  const User = model(
    'users',
    {
      id: columns.int().partitionKey(),
      email: columns.text().required(),
      visits: columns.int().default(0),
      token: columns.text().default(() => `t${Math.random()}`),
      tags: columns.set(columns.text()),
      scores: columns.list(columns.int()),
      attrs: columns.map(columns.text(), columns.text()),
      nickname: columns.text(),
    },
    { keyspace: 'ks' },
  );

  it('applies defaults (a function once per instance), and reads unset columns as null or empty', () => {
    const a = new User({ id: 1, email: 'a@x' });
    const b = new User({ id: 2, email: 'b@x' });
    assert.equal(a.visits, 0);
    assert.notEqual(a.token, b.token);
    assert.equal(new User({ id: 3, email: 'c', visits: 7, token: 'mine' }).token, 'mine');
    assert.equal(a.nickname, null);
    assert.deepEqual(a.tags, new Set());
    assert.deepEqual(a.scores, []);
    assert.deepEqual(a.attrs, new Map());
    assert.equal(a.isPersisted, false);
  });

  it('validates values when they are set, naming the column', () => {
    const u = new User({ id: 1, email: 'a@x' });
    assert.throws(
      () => ((u as unknown as { visits: unknown }).visits = 'many'),
      (err: unknown) => err instanceof ValidationError && err.column === 'visits' && err.value === 'many',
    );
    assert.throws(
      () => new User({ id: 'x' as never, email: 'a' }),
      (err: unknown) => err instanceof ValidationError && err.column === 'id',
    );
    assert.throws(
      () => new User({ id: 1, email: 'a', bogus: 1 } as never),
      (err: unknown) => err instanceof ConfigurationError && err.option === 'bogus',
    );
    u.tags = ['b', 'a'] as never;
    assert.deepEqual(u.tags, new Set(['b', 'a']));
    u.nickname = null;
    assert.equal(u.nickname, null);
  });

  it('refuses to save a missing key or required column, before any connection is needed', async () => {
    await assert.rejects(new User({ email: 'a' } as never).save(), (err: unknown) => err instanceof ValidationError && err.column === 'id');
    await assert.rejects(new User({ id: 1 } as never).save(), (err: unknown) => err instanceof ValidationError && err.column === 'email');
  });
});

describe('unset values from the driver', () => {
  const codec = codecOf({ encoding: { map: Map, useBigIntAsLong: true, useBigIntAsVarint: true } });
  const Point = userType('point', {
    xy: columns.tuple(columns.int(), columns.int()),
    tags: columns.set(columns.text()),
    label: columns.text(),
  });

  it('read as null, or empty for collections, at any depth (a UDT field, a tuple)', () => {
    assert.deepEqual(Point.cqlType.fromDriver({ xy: null, tags: null, label: null }, codec), { xy: null, tags: new Set(), label: null });
    assert.deepEqual(Point.cqlType.fromDriver({}, codec), { xy: null, tags: new Set(), label: null });
  });
});

describe('values sent as they are', () => {
  const codecs = [false, true].flatMap((long) =>
    [false, true].flatMap((varint) =>
      [false, true].flatMap((map) =>
        [false, true].map((set) =>
          codecOf({ encoding: { useBigIntAsLong: long, useBigIntAsVarint: varint, ...(map && { map: Map }), ...(set && { set: Set }) } }),
        ),
      ),
    ),
  );
  const Point = userType('point', { x: columns.int() });
  const samples: [AnyCol & { type: CqlType<unknown> }, unknown][] = [
    [columns.text(), 'a'],
    [columns.int(), 1],
    [columns.bigint(), 1n],
    [columns.varint(), 1n],
    [columns.uuid(), types.Uuid.random()],
    [columns.timestamp(), new Date(0)],
    [columns.list(columns.int()), [1]],
    [columns.list(columns.bigint()), [1n]],
    [columns.set(columns.text()), new Set(['a'])],
    [columns.set(columns.text(), { frozen: true }), new Set()],
    [columns.map(columns.text(), columns.int()), new Map([['a', 1]])],
    [columns.map(columns.text(), columns.list(columns.int(), { frozen: true })), new Map([['a', []]])],
    [columns.tuple(columns.int(), columns.text()), [1, 'a']],
    [columns.udt(Point), { x: 1 }],
  ];

  it('sentAsIs() holds only where toDriver() returns the very value, under every codec', () => {
    for (const [col, value] of samples) {
      for (const codec of codecs) {
        if (sentAsIs(col.type, codec)) assert.equal(col.type.toDriver(value, codec), value, `${col.type.cql} ${JSON.stringify(codec)}`);
      }
    }
  });

  it('holds for text, numbers, Sets and Maps of them under the codec the registry gives its Clients', () => {
    const native = codecs.at(-1)!;
    const asIs = samples.filter(([col]) => sentAsIs(col.type, native)).map(([col]) => col.type.cql);
    assert.deepEqual(asIs, [
      'text',
      'int',
      'bigint',
      'varint',
      'uuid',
      'timestamp',
      'list<int>',
      'list<bigint>',
      'set<text>',
      'map<text, int>',
    ]);
  });
});
