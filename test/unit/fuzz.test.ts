/**
 * Property-based fuzzing of every column type's validation (fast-check): any value either validates
 * to something the driver encodes, and decodes back to the same value, or is refused with a
 * ValidationError; never a driver TypeError/RangeError, and never a hang. Each value must be handled
 * within a generous bound (a guard against runaway parsing, not a benchmark).
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import cassandra, { types } from 'cassandra-driver';
import { columns, userType, ValidationError } from '../../src/index.js';
import { same } from '../../src/model/tracking.js';
import { codecOf, type CqlType } from '../../src/schema/types.js';

/**
 * Per value; values that take longer are runaway parsing (a hang would never come back at all).
 * Each value takes well under a millisecond: the bound is wide, so that a loaded machine's pauses
 * never trip it while a parser that blows up on some input still does.
 */
const BOUND_MS = 10_000;

const Address = userType('fuzz_address', { street: columns.text(), zip: columns.int(), tags: columns.set(columns.text()) });
const Person = userType('fuzz_person', {
  name: columns.text(),
  home: columns.udt(Address),
  born: columns.timestamp(),
  salary: columns.decimal(),
});

const scalars = Object.entries({
  ascii: columns.ascii(),
  text: columns.text(),
  varchar: columns.varchar(),
  int: columns.int(),
  smallint: columns.smallint(),
  tinyint: columns.tinyint(),
  bigint: columns.bigint(),
  counter: columns.counter(),
  varint: columns.varint(),
  float: columns.float(),
  double: columns.double(),
  decimal: columns.decimal(),
  boolean: columns.boolean(),
  blob: columns.blob(),
  inet: columns.inet(),
  timestamp: columns.timestamp(),
  uuid: columns.uuid(),
  timeuuid: columns.timeuuid(),
  date: columns.date(),
  time: columns.time(),
  duration: columns.duration(),
});
const composites = Object.entries({
  'list<int>': columns.list(columns.int()),
  'set<text>': columns.set(columns.text()),
  'map<text, decimal>': columns.map(columns.text(), columns.decimal()),
  'map<timestamp, varint>': columns.map(columns.timestamp(), columns.varint()),
  'list<frozen<list<float>>>': columns.list(columns.list(columns.float())),
  'tuple<int, text, decimal>': columns.tuple(columns.int(), columns.text(), columns.decimal()),
  'frozen<fuzz_person>': columns.udt(Person),
});

/** The driver's own type description of a CqlType, for its Encoder. */
function typeInfo(type: CqlType<unknown>): object {
  const code = (name: string) => types.dataTypes[name as keyof typeof types.dataTypes] as number;
  switch (type.kind) {
    case 'list':
    case 'set':
      return { code: code(type.kind), info: typeInfo(type.element!) };
    case 'map':
      return { code: code('map'), info: [typeInfo(type.keyType!), typeInfo(type.element!)] };
    case 'tuple':
      return { code: code('tuple'), info: type.items!.map(typeInfo) };
    case 'udt':
      return {
        code: code('udt'),
        info: { name: type.userType!.name, fields: type.userType!.fields.map((f) => ({ name: f.dbName, type: typeInfo(f.type) })) },
      };
    default:
      return { code: code(type.cql) };
  }
}

// The driver's Encoder is public (index.js) but missing from its typings.
interface Encoder {
  encode(value: unknown, type: object): Buffer;
  decode(bytes: Buffer, type: object): unknown;
}
const { Encoder } = cassandra as unknown as { Encoder: new (protocolVersion: number, options: object) => Encoder };

const clients = [{}, { encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true } }].map((options) => ({
  codec: codecOf(options),
  encoder: new Encoder(4, options),
}));

const holdsFloat = (type: CqlType<unknown>): boolean =>
  type.cql === 'float' ||
  [type.element, type.keyType, ...(type.items ?? []), ...(type.userType?.fields.map((f) => f.type) ?? [])].some(
    (t) => t !== undefined && holdsFloat(t),
  );

/** Validates one value: refused with a ValidationError, or encoded and decoded back unchanged. */
function check(type: CqlType<unknown>, value: unknown): void {
  const started = performance.now();
  let coerced: unknown;
  try {
    coerced = type.coerce(value, 'c');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw new Error(`${type.cql}: ${String(err)} is not a ValidationError`, { cause: err });
    assert.ok(err.message.startsWith('c'), err.message);
    return;
  } finally {
    assert.ok(performance.now() - started < BOUND_MS, `${type.cql}: validation ran past ${BOUND_MS} ms`);
  }
  for (const { codec, encoder } of clients) {
    const info = typeInfo(type);
    const bytes = encoder.encode(type.toDriver(coerced, codec), info);
    const back = type.fromDriver(encoder.decode(bytes, info), codec);
    // float narrows to 32 bits by design; every other value must come back as it was validated.
    if (!holdsFloat(type) && type.cql !== 'counter')
      assert.ok(same(back, coerced), `${type.cql}: the value changed on its way through the driver`);
  }
  assert.ok(performance.now() - started < BOUND_MS, `${type.cql}: ran past ${BOUND_MS} ms`);
}

function deepArray(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Values that broke something once (or nearly): each type sees every one of them. */
const EDGE_CASES: unknown[] = [
  '1e2147483648',
  `1e-${'9'.repeat(30)}`,
  '9'.repeat(100_000),
  'x'.repeat(1_000_000),
  2n ** (2n ** 20n),
  -(2n ** 63n),
  2n ** 63n,
  new types.BigDecimal(types.Integer.fromString('7'.repeat(500)) as unknown as number, 3),
  new types.BigDecimal(1, -(2 ** 31)),
  types.Long.fromString('-9223372036854775808'),
  types.Integer.fromString('1'.repeat(2000)),
  Object.create(null),
  new Date(8.64e15),
  new Date(-8.64e15),
  'fe80::1%eth0',
  '\uD800',
  deepArray(10_000),
  '2e400',
  1e39,
  '2020-02-30',
  '1',
  'March 7',
  new Date(),
  /x/,
  '',
  Buffer.alloc(0),
];

// Values of every shape, plus texts that look like each type, numbers at the edges and hostile sizes.
const hostile = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withBoxedValues: true,
    maxDepth: 3,
  }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[+-]?\d{0,400}(\.\d{0,40})?([eE][+-]?\d{1,12})?$/),
  fc.stringMatching(/^-?\d{1,5}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,10})?)?)?(Z|[+-]\d{2}:?\d{2})?$/),
  fc.stringMatching(/^[0-9a-f:.%]{0,45}$/),
  fc.stringMatching(/^-?(P|PT)?(\d{1,20}(y|mo|w|d|h|m|s|ms|us|ns|Y|M|D|H|S|W))*$/),
  fc.double(),
  fc.float(),
  fc.bigInt({ min: -(2n ** 1100n), max: 2n ** 1100n }),
  fc.integer(),
  fc.date({ noInvalidDate: false }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'name', 'street', 'home', 'zip'), fc.anything({ maxDepth: 2 })),
  fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 6 }),
  fc.constantFrom(...EDGE_CASES),
);

describe('fuzzing every column type', { timeout: 120_000 }, () => {
  for (const [name, column] of [...scalars, ...composites]) {
    it(name, () => {
      const type = column.type as CqlType<unknown>;
      for (const value of EDGE_CASES) check(type, value);
      fc.assert(
        fc.property(hostile, (value) => check(type, value)),
        { numRuns: 100, seed: 11 },
      );
      // And well-formed values of the right shape too, so that the round trip is exercised.
      const element = type.element ?? type.keyType;
      if (element)
        fc.assert(
          fc.property(fc.array(hostile, { maxLength: 4 }), (values) => check(type, values)),
          { numRuns: 30, seed: 11 },
        );
    });
  }
});
