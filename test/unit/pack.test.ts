/**
 * Collections the mapper serializes itself (src/schema/pack.ts) must be the driver's bytes exactly:
 * checked here against the driver's own Encoder, for every element type packed, at protocol v3, v4
 * and v5, with edge values.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { columns, userType } from '../../src/index.js';
import { codecOf, type CqlType } from '../../src/schema/types.js';

interface DriverEncoder {
  encode(value: unknown, type: string): Buffer | null;
}
const Encoder = createRequire(import.meta.url)('cassandra-driver/lib/encoder') as new (version: number, options: object) => DriverEncoder;
const encoding = { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true };

type Column = { type: CqlType<unknown> };
type Element = Parameters<typeof columns.list>[0];

/** Elements of each packed type, edge values included. */
const ELEMENTS: [string, () => Element, unknown[]][] = [
  ['text', () => columns.text(), ['', 'a', 'item 42', 'é', 'naïve café', '日本語', '😀 emoji', 'x'.repeat(40), `${'y'.repeat(33)}é`]],
  ['varchar', () => columns.varchar(), ['', 'plain', 'ü']],
  ['ascii', () => columns.ascii(), ['', 'ascii only', '~!@#']],
  ['int', () => columns.int(), [0, 1, -1, 2147483647, -2147483648, 7]],
  ['smallint', () => columns.smallint(), [0, 32767, -32768]],
  ['tinyint', () => columns.tinyint(), [0, 127, -128]],
  ['bigint', () => columns.bigint(), [0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n]],
  ['double', () => columns.double(), [0, -0, 1.5, -2.25, Number.MAX_VALUE, Number.MIN_VALUE, Number.POSITIVE_INFINITY, Number.NaN]],
  ['float', () => columns.float(), [0, -0, 1.5, -3.25, 3.4e38, Number.NaN]],
  ['boolean', () => columns.boolean(), [true, false]],
  [
    'timestamp',
    () => columns.timestamp(),
    [
      new Date(0),
      new Date(-1),
      new Date(1_700_000_000_123),
      new Date(-8.64e15),
      new Date(8.64e15),
      new Date(2 ** 32),
      new Date(-(2 ** 32) - 1),
    ],
  ],
  ['uuid', () => columns.uuid(), [types.Uuid.random(), types.Uuid.fromString('00000000-0000-0000-0000-000000000000')]],
  ['timeuuid', () => columns.timeuuid(), [types.TimeUuid.now(), types.TimeUuid.fromDate(new Date(0))]],
];

/** The driver's bytes for a value of a collection type. */
function driverBytes(version: number, value: unknown, cql: string): Buffer {
  const bytes = new Encoder(version, { encoding }).encode(value, cql);
  assert.ok(Buffer.isBuffer(bytes), `the driver encodes ${cql}`);
  return bytes;
}

/** What the mapper hands the driver for a value of a column's type. */
function mapperValue(column: Column, value: unknown, version: number): unknown {
  return column.type.toDriver(column.type.coerce(value, 'c'), codecOf({ encoding }, version));
}

describe('collections serialized by the mapper', () => {
  for (const version of [3, 4, 5]) {
    for (const [name, make, values] of ELEMENTS) {
      it(`list, set and map of ${name} are the driver's bytes (protocol v${version})`, () => {
        const element = make();
        const cases: [Column, unknown, string][] = [
          [columns.list(element), values, `list<${name}>`],
          [columns.list(element), [values[0]], `list<${name}>`],
          [columns.set(element), new Set(values), `set<${name}>`],
          [columns.map(columns.text(), element), new Map(values.map((v, i) => [`k${i}é`.repeat(i), v])), `map<text,${name}>`],
          [columns.map(element, columns.int()), new Map(values.map((v, i) => [v, i - 3])), `map<${name},int>`],
          [columns.map(element, element), new Map(values.map((v) => [v, v])), `map<${name},${name}>`],
        ];
        for (const [column, value, cql] of cases) {
          const sent = mapperValue(column, value, version);
          assert.ok(Buffer.isBuffer(sent), `${cql} is sent serialized`);
          const expected = driverBytes(version, column.type.coerce(value, 'c'), cql);
          assert.deepEqual(sent, expected, `${cql} of ${String(value)}`);
        }
      });
    }
  }

  it('frozen collections are the same bytes, and an empty frozen one is a count of zero', () => {
    const column = columns.set(columns.text(), { frozen: true });
    const value = new Set(['a', 'b']);
    assert.deepEqual(mapperValue(column, value, 4), driverBytes(4, value, 'set<text>'));
    assert.deepEqual(mapperValue(column, new Set(), 4), Buffer.alloc(4));
  });

  it('is left to the driver before protocol v3, before the version is known, and for element types it does not pack', () => {
    const tags = columns.set(columns.text());
    const value = new Set(['a']);
    for (const version of [1, 2, null, undefined]) {
      const sent = tags.type.toDriver(value, codecOf({ encoding }, version));
      assert.equal(sent, value, `protocol ${String(version)}: the Set as it is`);
    }
    const amounts = columns.list(columns.decimal());
    const decimals = [types.BigDecimal.fromString('1.5')];
    assert.ok(Array.isArray(amounts.type.toDriver(decimals, codecOf({ encoding }, 4))));
    const nested = columns.list(columns.list(columns.int(), { frozen: true }));
    const lists = [[1, 2], [3]];
    // The outer list goes to the driver; each inner (frozen) list is serialized, the bytes the driver would make.
    const sent = nested.type.toDriver(lists, codecOf({ encoding }, 4)) as unknown[];
    assert.ok(Array.isArray(sent));
    assert.deepEqual(new Encoder(4, { encoding }).encode(sent, 'list<list<int>>'), driverBytes(4, lists, 'list<list<int>>'));
  });

  it('empty lists, sets and maps go to the driver as they are, which sends null, in a user type too', () => {
    const codec = codecOf({ encoding }, 4);
    for (const [column, empty] of [
      [columns.list(columns.text()), []],
      [columns.set(columns.int()), new Set()],
      [columns.map(columns.text(), columns.int()), new Map()],
    ] as [Column, unknown][]) {
      assert.ok(!Buffer.isBuffer(column.type.toDriver(empty, codec)), String(column.type.cql));
    }
    const Address = userType('address', { street: columns.text(), tags: columns.list(columns.text()) });
    const address = columns.udt(Address).type as CqlType<unknown>;
    const sent = address.toDriver(address.coerce({ street: 'x', tags: [] }, 'c'), codec) as Record<string, unknown>;
    assert.deepEqual(sent['tags'], []);
    assert.equal(new Encoder(4, { encoding }).encode(sent['tags'], 'list<text>'), null);
    const full = address.toDriver(address.coerce({ street: 'x', tags: ['a'] }, 'c'), codec) as Record<string, unknown>;
    assert.deepEqual(full['tags'], driverBytes(4, ['a'], 'list<text>'));
  });

  it('a value the validation would refuse, changed in place, goes to the driver, which refuses it as before', () => {
    const codec = codecOf({ encoding }, 4);
    const cases: [Column, unknown, string][] = [
      [columns.set(columns.int()), new Set([1, Number.NaN]), 'set<int>'],
      [columns.list(columns.int()), [1.5], 'list<int>'],
      [columns.list(columns.int()), [2 ** 31], 'list<int>'],
      [columns.list(columns.smallint()), [40_000], 'list<smallint>'],
      [columns.list(columns.tinyint()), [-129], 'list<tinyint>'],
      [columns.list(columns.bigint()), [2n ** 63n], 'list<bigint>'],
      [columns.set(columns.timestamp()), new Set([new Date('garbage')]), 'set<timestamp>'],
      [columns.map(columns.text(), columns.boolean()), new Map([['a', 'yes']]), 'map<text,boolean>'],
      [columns.list(columns.text()), [42], 'list<text>'],
    ];
    for (const [column, value, cql] of cases) {
      // As a value changed in place reaches a save: not coerced again.
      assert.ok(!Buffer.isBuffer(column.type.toDriver(value, codec)), cql);
    }
    assert.throws(() => new Encoder(4, { encoding }).encode([Number.NaN], 'list<int>'), TypeError);
    assert.throws(() => new Encoder(4, { encoding }).encode([new Date('garbage')], 'list<timestamp>'), TypeError);
  });

  it('a collection holding a value its packer does not write goes to the driver unserialized', () => {
    // A bigint column given a driver Long (through a row's raw value): not a value the packer writes.
    const longs = columns.list(columns.bigint());
    const sent = longs.type.toDriver([types.Long.fromNumber(5)] as never, codecOf({ encoding }, 4));
    assert.ok(Array.isArray(sent));
  });
});
