/**
 * Change tracking with values shared between an instance and its baseline: rows read and rows
 * written are not copied, so a collection changed in place must still show as a change, whether it
 * was reached before or after a save.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { types } from 'cassandra-driver';
import { columns, connection, model } from '../../src/index.js';
import { codecOf } from '../../src/schema/types.js';
import { NATIVE_ENCODING, recordingClient, type SentStatement } from '../helpers/util.js';

const { client: fakeClient, sent } = recordingClient();

const Doc = model(
  'docs',
  {
    id: columns.int().partitionKey(),
    title: columns.text(),
    tags: columns.set(columns.text()),
    refs: columns.set(columns.uuid()),
    m: columns.map(columns.text(), columns.int()),
    xs: columns.list(columns.int()),
  },
  { keyspace: 'ks', connection: 'shared' },
);
const codec = codecOf({ encoding: NATIVE_ENCODING });

const last = (): SentStatement => {
  assert.ok(sent.length > 0, 'nothing was sent');
  return sent[sent.length - 1]!;
};

before(async () => {
  await connection.registerConnection('shared', { session: fakeClient });
});
after(async () => {
  await connection.shutdown();
});
beforeEach(() => {
  sent.length = 0;
});

describe('values shared with the change-tracking baseline', () => {
  it('a reference taken before a save still registers changes made after it', async () => {
    const doc = Doc.fromRow({ id: 2, tags: new Set(['a']) }, codec);
    const tags = doc.tags;
    tags.add('b');
    await doc.save();
    assert.deepEqual(last().params[0], new Set(['b']));
    tags.add('c');
    assert.deepEqual(doc.changedColumns(), ['tags']);
    await doc.save();
    assert.deepEqual(last().params[0], new Set(['c']));
    sent.length = 0;
    await doc.save();
    assert.equal(sent.length, 0, 'nothing left to write');
  });

  it('a created instance, never read back, tracks in-place changes after its insert', async () => {
    const doc = await Doc.create({ id: 3, tags: ['a'], m: { k: 1 } });
    assert.match(last().cql, /^INSERT/);
    doc.tags.delete('a');
    doc.m.set('j', 2);
    await doc.save();
    assert.equal(last().cql, 'UPDATE "ks"."docs" SET "tags" = ?, "m" = "m" + ? WHERE "id" = ?');
    assert.deepEqual(last().params, [null, new Map([['j', 2]]), 3]);
  });

  it('toObject() hands out collections the baseline does not share', async () => {
    const doc = Doc.fromRow({ id: 4, tags: new Set(['a']) }, codec);
    const obj = doc.toObject();
    obj.tags.add('z');
    assert.deepEqual(doc.changedColumns(), ['tags']);
    await doc.save();
    assert.deepEqual(last().params[0], new Set(['z']));
  });

  it('get() hands out a value whose in-place changes register', async () => {
    const doc = Doc.fromRow({ id: 6, xs: [1, 2] }, codec);
    doc.get('xs').push(3);
    assert.deepEqual(doc.changedColumns(), ['xs']);
    await doc.save();
    assert.equal(last().cql, 'UPDATE "ks"."docs" SET "xs" = "xs" + ? WHERE "id" = ?');
    assert.deepEqual(last().params, [[3], 6]);
  });

  it('a value reached before the insert still tracks changes made after it', async () => {
    const doc = new Doc({ id: 7, tags: ['a'] });
    const tags = doc.tags;
    await doc.save();
    tags.add('b');
    assert.deepEqual(doc.changedColumns(), ['tags']);
  });

  it('an assigned collection, saved, then changed in place, registers the change', async () => {
    const doc = Doc.fromRow({ id: 8, tags: new Set(['a']) }, codec);
    doc.tags = new Set(['x']);
    await doc.save();
    doc.tags.add('y');
    await doc.save();
    assert.deepEqual(last().params, [new Set(['y']), 8]);
  });

  it('fromRow() leaves the given row its own: a change made in place through the row registers', () => {
    const row = { id: 10, tags: new Set(['a']) };
    const doc = Doc.fromRow(row, codec);
    row.tags.add('b');
    assert.deepEqual(doc.changedColumns(), ['tags']);
  });

  it('a row read and saved with its collections untouched writes nothing', async () => {
    const doc = Doc.fromRow({ id: 9, tags: new Set(['a']), m: new Map([['k', 1]]) }, codec);
    doc.title = 'new';
    await doc.save();
    assert.equal(last().cql, 'UPDATE "ks"."docs" SET "title" = ? WHERE "id" = ?');
  });

  it('sets of values compared by value (uuids) are unchanged when equal, changed when not', () => {
    const u = types.Uuid.random();
    const doc = Doc.fromRow({ id: 5, refs: new Set([u]) }, codec);
    doc.refs = new Set([types.Uuid.fromString(u.toString())]);
    assert.deepEqual(doc.changedColumns(), []);
    doc.refs = new Set([types.Uuid.random()]);
    assert.deepEqual(doc.changedColumns(), ['refs']);
  });
});

describe('value equality and snapshots for change tracking', () => {
  it('NaN is the same as itself, alone and inside a list or map', async () => {
    const { same } = await import('../../src/model/tracking.js');
    assert.ok(same(Number.NaN, Number.NaN));
    assert.ok(same([Number.NaN, 1], [Number.NaN, 1]));
    assert.ok(same(new Map([['k', Number.NaN]]), new Map([['k', Number.NaN]])));
    assert.ok(!same(Number.NaN, 0));
  });

  it('typed arrays (vectors) compare element by element, and a snapshot is a copy', async () => {
    const { same, snapshot } = await import('../../src/model/tracking.js');
    const v = Float32Array.from([1, 2, 3]);
    assert.ok(same(v, Float32Array.from([1, 2, 3])));
    assert.ok(!same(v, Float32Array.from([1, 2, 4])));
    assert.ok(!same(v, Float64Array.from([1, 2, 3])));
    const copy = snapshot(v) as Float32Array;
    assert.notEqual(copy, v);
    v[0] = 9;
    assert.ok(!same(copy, v));
  });
});
