/**
 * Where the server's behaviour sets the rule: empty partition keys, and values at the edges of
 * their types written and read back unchanged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types } from 'cassandra-driver';
import { ValidationError, columns, model } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Single = model('edge_single', {
  id: columns.text().partitionKey(),
  at: columns.timestamp(),
  price: columns.decimal(),
  big: columns.varint(),
  f: columns.float(),
});
const Composite = model('edge_composite', {
  a: columns.text().partitionKey(),
  b: columns.blob().partitionKey(),
  c: columns.text().primaryKey(),
  v: columns.int(),
});

const db = useTestKeyspace([Single, Composite]);

describe('empty partition keys', () => {
  it('the server refuses an empty single-column partition key, and so does cqlengine, before sending', async () => {
    await assert.rejects(db.keyspaces.execute(`INSERT INTO ${db.name}.edge_single (id) VALUES (?)`, ['']), /Key may not be empty/);
    await assert.rejects(Single.create({ id: '' }), instanceOf(ValidationError));
    await assert.rejects(async () => Single.filter({ id: '' }).all(), instanceOf(ValidationError));
  });

  it('empty parts of a composite partition key and empty clustering values are written and read', async () => {
    await Composite.create({ a: '', b: Buffer.alloc(0), c: '', v: 1 });
    const row = await Composite.get({ a: '', b: Buffer.alloc(0), c: '' });
    assert.equal(row.v, 1);
  });
});

describe('values at the edges of their types', () => {
  it('timestamps at the ends of the Date range', async () => {
    for (const ms of [8.64e15, -8.64e15]) {
      await Single.create({ id: `t${ms}`, at: new Date(ms) });
      assert.equal((await Single.get({ id: `t${ms}` })).at?.getTime(), ms);
    }
  });

  it('the largest write timestamp is written as given', async () => {
    const max = 2n ** 63n - 1n;
    await Single.create({ id: 'wt', at: new Date(0) }, { timestamp: max });
    const rs = await db.keyspaces.execute(`SELECT writetime(at) AS w FROM ${db.name}.edge_single WHERE id = ?`, ['wt']);
    assert.equal(String(rs.first()?.['w']), String(max));
  });

  it('a 308-digit decimal, a 1100-bit varint and float32 extremes round-trip', async () => {
    const digits = `${'9'.repeat(300)}.${'1'.repeat(8)}`;
    const big = -(2n ** 1100n) + 3n;
    await Single.create({ id: 'n', price: digits, big, f: 3.4e38 });
    const row = await Single.get({ id: 'n' });
    assert.equal(row.price?.toString(), digits);
    assert.equal(row.big, big);
    assert.equal(row.f, Math.fround(3.4e38));
    for (const f of [NaN, Infinity, -Infinity]) {
      await Single.create({ id: `f${f}`, f });
      assert.ok(Object.is((await Single.get({ id: `f${f}` })).f, f));
    }
    assert.ok((row.price as types.BigDecimal) instanceof types.BigDecimal);
  });

  it('a decimal past 2^1024 written by another client reads, prints and serializes without hanging', async () => {
    // 400 digits: the driver's own toString would never return for it.
    const unscaled = 10n ** 400n + 7n;
    const bytes = Buffer.from(unscaled.toString(16).padStart(334, '0'), 'hex');
    const wire = Buffer.concat([Buffer.from([0, 0, 0, 2]), bytes]);
    await db.keyspaces.execute(`INSERT INTO ${db.name}.edge_single (id, price) VALUES (?, ?)`, ['huge', types.BigDecimal.fromBuffer(wire)]);
    const row = await Single.get({ id: 'huge' });
    const text = `1${'0'.repeat(398)}.07`;
    assert.equal(String(row.price), text);
    assert.equal(JSON.parse(JSON.stringify(row)).price, text);
    assert.deepEqual(row.changedColumns(), []);
    row.f = 1;
    await row.save();
    assert.equal(String((await Single.get({ id: 'huge' })).price), text);
  });
});
