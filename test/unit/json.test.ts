/**
 * The JSON form of instances (toJSON, JSON.stringify), toObject's driver types, and util.inspect:
 * a model with every column type against the plain JSON the README documents.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { columns, model, type JsonRow } from '../../src/index.js';
import { Everything, everythingJson, everythingValues } from '../helpers/everything.js';
import { jsonValue } from '../../src/model/json.js';
import { decimalText } from '../../src/schema/types.js';
import { codecOf } from '../../src/schema/types.js';

describe('toJSON', () => {
  it('gives the documented plain JSON for every column type', () => {
    const e = new Everything(everythingValues);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), everythingJson);
    // toJSON itself is already plain: no second pass of JSON.stringify needed.
    assert.deepEqual(e.toJSON(), everythingJson);
  });

  it('is typed from the columns', () => {
    const json: JsonRow<typeof Everything.schema.definitions> = new Everything(everythingValues).toJSON();
    const big: string | null = json.bigintCol;
    const set: string[] = json.setCol;
    const m: Record<string, string> = json.mapCol;
    const im: [number, string][] = json.intMapCol;
    const t: [number, string, string] | null = json.tupleCol;
    const zip: number | null = json.udtCol!.zip;
    assert.deepEqual(
      [big, set, m, im, t, zip],
      [everythingJson.bigintCol, ['a', 'b'], everythingJson.mapCol, everythingJson.intMapCol, everythingJson.tupleCol, 12345],
    );
  });

  it('serializes rows read from the driver the same way', () => {
    const e = new Everything(everythingValues);
    const codec = codecOf({});
    const row: Record<string, unknown> = {};
    for (const c of Everything.schema.columns) {
      const v = (e.toObject() as Record<string, unknown>)[c.name];
      row[c.dbName] = v == null ? null : c.type.toDriver(v, codec);
    }
    assert.deepEqual(Everything.fromRow(row, codec).toJSON(), everythingJson);
  });

  it('keeps a __proto__ map key as a key', () => {
    const M = model('m', { id: columns.int().partitionKey(), m: columns.map(columns.text(), columns.int()) });
    const json = new M({ id: 1, m: new Map([['__proto__', 1]]) }).toJSON();
    assert.equal(Object.getPrototypeOf(json.m), Object.prototype);
    assert.deepEqual(Object.keys(json.m), ['__proto__']);
    assert.equal(JSON.stringify(json.m), '{"__proto__":1}');
  });

  it('renders NaN and infinities as null, as JSON.stringify does for numbers', () => {
    const F = model('f', { id: columns.int().partitionKey(), d: columns.double() });
    assert.equal(JSON.stringify(new F({ id: 1, d: NaN })), '{"id":1,"d":null}');
  });
});

describe('decimal text', () => {
  const dec = (unscaled: bigint, scale: number) => {
    const hex = (unscaled < 0n ? -unscaled : unscaled).toString(16);
    let buf = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    if (buf[0]! & 0x80) buf = Buffer.concat([Buffer.alloc(1), buf]);
    if (unscaled < 0n) {
      // Two's complement of the magnitude.
      const n = (1n << BigInt(buf.length * 8)) + unscaled;
      buf = Buffer.from(n.toString(16).padStart(buf.length * 2, '0'), 'hex');
    }
    const head = Buffer.alloc(4);
    head.writeInt32BE(scale);
    return types.BigDecimal.fromBuffer(Buffer.concat([head, buf]));
  };

  it("writes Java's (Cassandra's) BigDecimal text", () => {
    assert.equal(decimalText(dec(123n, 0)), '123');
    assert.equal(decimalText(dec(-123n, 2)), '-1.23');
    assert.equal(decimalText(dec(1234500n, 4)), '123.4500');
    assert.equal(decimalText(dec(5n, 3)), '0.005');
    assert.equal(decimalText(dec(5n, 7)), '5E-7');
    assert.equal(decimalText(dec(5n, -3)), '5E+3');
    assert.equal(decimalText(dec(-12n, -3)), '-1.2E+4');
    assert.equal(decimalText(dec(0n, 0)), '0');
    assert.equal(decimalText(dec(0n, 2)), '0.00');
  });

  it('stays short and returns for huge exponents and values the server may hold', () => {
    // Scales up to the wire's int32 and unscaled values beyond the write bound (another client wrote them).
    assert.equal(decimalText(dec(1n, 2147483647)), '1E-2147483647');
    assert.equal(decimalText(dec(7n, -2147483648)), '7E+2147483648');
    const huge = 2n ** 4000n;
    assert.equal(decimalText(dec(huge, 0)), huge.toString());
    assert.equal(jsonValue(dec(15n, 1)), '1.5');
  });
});

describe('jsonValue without a column type', () => {
  it('converts by the value alone', () => {
    assert.deepEqual(jsonValue(new Float32Array([1.5, -2])), [1.5, -2]);
    assert.deepEqual(jsonValue(new Map([['a', 1n]])), { a: '1' });
    assert.deepEqual(jsonValue(new Map([[1, 'a']])), [[1, 'a']]);
    assert.deepEqual(jsonValue(new types.Tuple(1, 'a')), [1, 'a']);
    assert.equal(jsonValue(types.Long.fromString('-5')), '-5');
    assert.equal(jsonValue(types.Integer.fromString('123456789012345678901234567890')), '123456789012345678901234567890');
    assert.equal(jsonValue(types.LocalDate.fromString('2020-01-02')), '2020-01-02');
    assert.equal(jsonValue(types.LocalTime.fromString('01:02:03')), '01:02:03');
    assert.equal(jsonValue(types.InetAddress.fromString('10.0.0.1')), '10.0.0.1');
    assert.equal(jsonValue(new Date(NaN)), null);
  });
});

describe('toObject', () => {
  it("keeps the driver's types", () => {
    const o = new Everything(everythingValues).toObject();
    assert.equal(o.bigintCol, 9223372036854775807n);
    assert.ok(o.setCol instanceof Set);
    assert.ok(o.mapCol instanceof Map);
    assert.ok(Buffer.isBuffer(o.blobCol));
    assert.ok(o.id instanceof types.Uuid);
    assert.ok(o.decimalCol instanceof types.BigDecimal);
    assert.ok(o.dateCol instanceof types.LocalDate);
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(
      Object.keys(o),
      Everything.schema.columns.map((c) => c.name),
    );
  });
});

describe('util.inspect', () => {
  it('prints the model name and its columns only', () => {
    class User extends model('users', { id: columns.int().partitionKey(), email: columns.text(), tags: columns.set(columns.text()) }) {}
    const u = new User({ id: 1, email: 'a@b.c', tags: ['x'] });
    assert.equal(inspect(u), "User { id: 1, email: 'a@b.c', tags: Set(1) { 'x' } }");
    assert.equal(inspect([u], { depth: 0 }), '[ [User] ]');
  });
});
