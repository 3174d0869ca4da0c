/**
 * Inputs that once were accepted wrongly, altered, hung the process or crashed with a driver error:
 * each now either validates to a value the driver encodes as given, or throws a CQLEngineError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { columns, ConfigurationError, model, userType, ValidationError } from '../../src/index.js';
import { parseFilter, parseUpdate } from '../../src/statements/filters.js';
import { codecOf } from '../../src/schema/types.js';
import { same } from '../../src/model/tracking.js';

type AnyCol = { type: { coerce(value: unknown, column: string): unknown } };
const coerce = (col: AnyCol, value: unknown): unknown => col.type.coerce(value, 'c');

function refuses(col: AnyCol, value: unknown): void {
  assert.throws(
    () => col.type.coerce(value, 'c'),
    (err: unknown) => err instanceof ValidationError && err.column === 'c',
    `${typeof value === 'object' ? 'an object' : String(value)} should be refused`,
  );
}

const Hits = model('hits', { id: columns.text().partitionKey(), views: columns.counter() }, { keyspace: 'ks' });
const Thing = model(
  'things',
  { id: columns.text().partitionKey(), price: columns.decimal(), big: columns.varint(), at: columns.timestamp() },
  { keyspace: 'ks' },
);
const Pair = model(
  'pairs',
  { a: columns.text().partitionKey(), b: columns.blob().partitionKey(), c: columns.text().primaryKey() },
  { keyspace: 'ks' },
);

describe('timestamp text', () => {
  it('takes ISO-8601 forms only, with real calendar dates', () => {
    const utc = (text: string) => (coerce(columns.timestamp(), text) as Date).toISOString();
    assert.equal(utc('2020-02-29'), '2020-02-29T00:00:00.000Z');
    assert.equal(utc('2024-05-06T07:08:09.010Z'), '2024-05-06T07:08:09.010Z');
    assert.equal(utc('2024-05-06 07:08+0200'), '2024-05-06T05:08:00.000Z');
    assert.equal(utc('2024-05-06T07:08:09.123456-05:30'), '2024-05-06T12:38:09.123Z');
    assert.equal(utc('0001-01-01Z'), '0001-01-01T00:00:00.000Z');
    assert.equal((coerce(columns.timestamp(), '2024-05-06T07:08') as Date).getTime(), new Date(2024, 4, 6, 7, 8).getTime());
    for (const bad of [
      '2020-02-30',
      '2021-02-29',
      '2020-13-01',
      '2020-04-31',
      '1',
      'March 7',
      '2024-05-06T24:00Z',
      '2024-05-06T07:60',
      '2024-05-06T07:08+2400',
      '20240506',
      ' 2024-05-06',
      '2024-05-06T07:08:09.1234567890Z',
    ]) {
      refuses(columns.timestamp(), bad);
    }
  });

  it('takes any valid Date or epoch number: all fit the 64-bit wire form', () => {
    for (const ms of [8.64e15, -8.64e15, 0]) assert.equal((coerce(columns.timestamp(), ms) as Date).getTime(), ms);
    for (const bad of [8.64e15 + 1, 2 ** 63, -(2 ** 63), Infinity, NaN, 2n ** 64n, new Date(NaN)]) refuses(columns.timestamp(), bad);
  });
});

describe('numbers', () => {
  it('float refuses finite values beyond float32, keeps NaN and ±Infinity given as such', () => {
    for (const bad of [1e39, -1e39, 3.5e38, Number.MAX_VALUE]) refuses(columns.float(), bad);
    for (const ok of [3.4e38, -3.4e38, 1e-50, NaN, Infinity, -Infinity]) assert.ok(Object.is(coerce(columns.float(), ok), ok));
    assert.equal(coerce(columns.double(), 1e39), 1e39);
  });

  it('decimal refuses more than 308 digits and scales beyond ±10000, which the driver cannot print', () => {
    for (const bad of ['2e400', '1e308', '9'.repeat(309), `0.${'1'.repeat(309)}`, '1e-10001', '1e99999999999999999999', 1.7e308])
      refuses(columns.decimal(), bad);
    const big = coerce(columns.decimal(), '9'.repeat(308)) as types.BigDecimal;
    assert.equal(big.toString(), '9'.repeat(308));
    assert.equal((coerce(columns.decimal(), '1e307') as types.BigDecimal).toString(), `1${'0'.repeat(307)}`);
    assert.equal((coerce(columns.decimal(), '-1.5e-3') as types.BigDecimal).toString(), '-0.0015');
    assert.equal((coerce(columns.decimal(), '0e999999') as types.BigDecimal).toString(), '0');
    refuses(columns.decimal(), new types.BigDecimal(1, 2 ** 31 - 1));
    refuses(columns.decimal(), new types.BigDecimal(types.Integer.fromString('1'.repeat(400)) as unknown as number, 0));
  });

  it('varint is bounded, and converts without the driver Integer toString (which never returns past 2^1024)', () => {
    refuses(columns.varint(), 2n ** (2n ** 19n));
    const codec = codecOf({});
    const n = -(10n ** 400n) + 7n;
    const integer = columns.varint().type.toDriver(n, codec);
    assert.ok(integer instanceof types.Integer);
    assert.equal(columns.varint().type.fromDriver(integer, codec), n);
    assert.equal(coerce(columns.varint(), integer), n);
    for (const small of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 2n ** 64n]) {
      assert.equal(String(columns.varint().type.toDriver(small, codec)), String(small));
    }
  });

  it('counter deltas that would wrap are refused', () => {
    assert.throws(() => parseUpdate(Hits.schema, { views__decr: -(2n ** 63n) }), ValidationError);
    assert.throws(() => parseUpdate(Hits.schema, { views__incr: 2n ** 63n }), ValidationError);
    assert.deepEqual(parseUpdate(Hits.schema, { views__incr: -(2n ** 63n) }).assignments[0]!.value, -(2n ** 63n));
  });

  it('a counter change tracked beyond a 64-bit delta is refused before anything is sent', async () => {
    const row = Hits.fromRow({ id: 'a', views: types.Long.fromString('9223372036854775807') }, codecOf({}));
    row.views = -(2n ** 63n);
    await assert.rejects(row.save(), ValidationError);
  });
});

describe('strings, objects and names', () => {
  it('text and varchar refuse lone surrogates; pairs are fine', () => {
    for (const bad of ['\uD800x', 'x\uDC00', '\uDBFF']) {
      refuses(columns.text(), bad);
      refuses(columns.varchar(), bad);
      refuses(columns.ascii(), bad);
    }
    assert.equal(coerce(columns.text(), 'a\uD83D\uDE00b'), 'a😀b');
  });

  it('user types and maps take plain objects only', () => {
    const Address = userType('address', { street: columns.text() });
    const col = columns.udt(Address);
    for (const bad of [
      new Date(),
      /x/,
      new (class Street {
        street = 'x';
      })(),
      ['x'],
      new Map(),
      Object.create({ street: 'inherited' }),
    ])
      refuses(col, bad);
    assert.deepEqual(coerce(col, Object.assign(Object.create(null), { street: 'x' })), { street: 'x' });
    assert.deepEqual(coerce(col, {}), { street: null });
    for (const bad of [new Date(), /x/, new (class Bag {})()]) refuses(columns.map(columns.text(), columns.int()), bad);
  });

  it('inet with a zone is a ValidationError, not the driver TypeError', () => {
    refuses(columns.inet(), 'fe80::1%eth0');
    assert.equal(String(coerce(columns.inet(), 'fe80::1')), 'fe80::1');
  });

  it('names every object already has are refused as columns, dbFields and user type fields', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.throws(() => model('t', { id: columns.int().partitionKey(), [name]: columns.text() }), ConfigurationError);
      assert.throws(() => model('t', { id: columns.int().partitionKey(), x: columns.text().dbField(name) }), ConfigurationError);
      assert.throws(() => userType('u', { [name]: columns.text() }), ConfigurationError);
      assert.throws(() => userType('u', { x: columns.text().dbField(name) }), ConfigurationError);
    }
  });
});

describe('queries and writes', () => {
  it('limit and fetchSize are int32', () => {
    for (const bad of [2 ** 31, 2 ** 53, Infinity]) {
      assert.throws(() => Thing.objects().limit(bad), ConfigurationError);
      assert.throws(() => Thing.objects().fetchSize(bad), ConfigurationError);
    }
    Thing.objects()
      .limit(2 ** 31 - 1)
      .fetchSize(2 ** 31 - 1);
  });

  it('write timestamps are 64-bit microseconds', async () => {
    assert.throws(() => Thing.objects().timestamp(2n ** 64n), ConfigurationError);
    assert.throws(() => Thing.objects().timestamp(-(2n ** 63n) - 1n), ConfigurationError);
    Thing.objects().timestamp(2n ** 63n - 1n);
    await assert.rejects(Thing.create({ id: 'a' }, { timestamp: 2n ** 63n }), ConfigurationError);
  });

  it('create(null) and other non-objects are ConfigurationErrors', async () => {
    for (const bad of [null, 1, 'x', [1]]) await assert.rejects(Thing.create(bad as never), ConfigurationError);
  });

  it('an empty single-column partition key is refused, as the server would; composite parts may be empty', async () => {
    await assert.rejects(Thing.create({ id: '' }), ValidationError);
    assert.throws(() => parseFilter(Thing.schema, { id: '' }), ValidationError);
    assert.throws(() => parseFilter(Thing.schema, { id__in: ['x', ''] }), ValidationError);
    const Blobby = model('b', { id: columns.blob().partitionKey() }, { keyspace: 'ks' });
    assert.throws(() => parseFilter(Blobby.schema, { id: Buffer.alloc(0) }), ValidationError);
    assert.equal(parseFilter(Pair.schema, { a: '', b: Buffer.alloc(0), c: '' }).length, 3);
  });
});

describe('change tracking', { timeout: 60_000 }, () => {
  it('compares decimals by unscaled value and scale, never through toString', () => {
    const a = coerce(columns.decimal(), '9'.repeat(308));
    const b = coerce(columns.decimal(), `${'9'.repeat(307)}8`);
    assert.ok(same(a, coerce(columns.decimal(), '9'.repeat(308))));
    assert.ok(!same(a, b));
    assert.ok(!same(coerce(columns.decimal(), '1.0'), coerce(columns.decimal(), '1.00')));
    // A driver BigDecimal past what toString can print still compares.
    const huge = (digits: string) => new types.BigDecimal(types.Integer.fromString(digits) as unknown as number, 0);
    assert.ok(same(huge('1'.repeat(400)), huge('1'.repeat(400))));
    assert.ok(!same(huge('1'.repeat(400)), huge('2'.repeat(400))));
  });

  it('compares Longs, Uuids and other driver values with their equals', () => {
    assert.ok(same(types.Long.fromString('5'), types.Long.fromNumber(5)));
    assert.ok(!same(types.Long.fromString('5'), types.Long.fromNumber(6)));
    const id = types.Uuid.random();
    assert.ok(same(id, types.Uuid.fromString(id.toString())));
  });

  it('changedColumns and JSON of an instance with the largest decimal return', () => {
    const t = Thing.fromRow({ id: 'a', price: coerce(columns.decimal(), '1'), big: null, at: null }, codecOf({}));
    t.price = coerce(columns.decimal(), '9'.repeat(308)) as types.BigDecimal;
    assert.deepEqual(t.changedColumns(), ['price']);
    assert.ok(JSON.stringify(t).includes('9'.repeat(308)));
  });
});
