/**
 * How a save writes a list that gained elements. Where every server of the connection stores a
 * prepend of several elements in order, the elements before the old list are prepended and those
 * after it appended, in one UPDATE, as cqlengine does. Where one may not (2.1.0 stores them
 * reversed), or before the connection knows its servers, one element at most is prepended, and a
 * list that gained more at its start is written whole. Stand-in Clients report the releases.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BatchQuery, columns, model } from '../../src/index.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { codecOf } from '../../src/schema/types.js';
import { NATIVE_ENCODING, recordingClient } from '../helpers/util.js';

const current = recordingClient(NATIVE_ENCODING, () => [], '5.0.9');
const old = recordingClient(NATIVE_ENCODING, () => [], '2.1.0');
const unknown = recordingClient(NATIVE_ENCODING, () => []);
const registry = new ConnectionRegistry();
const codec = codecOf({ encoding: NATIVE_ENCODING });

const fields = { id: columns.int().partitionKey(), l: columns.list(columns.int()) };
const OnCurrent = model('docs', fields, { keyspace: 'ks', registry, connection: 'current' });
const OnOld = model('docs', fields, { keyspace: 'ks', registry, connection: 'old' });
const OnUnknown = model('docs', fields, { keyspace: 'ks', registry, connection: 'unknown' });

before(async () => {
  await registry.register('current', { session: current.client });
  await registry.register('old', { session: old.client });
  await registry.register('unknown', { session: unknown.client });
});
after(() => registry.shutdown());
beforeEach(() => {
  for (const c of [current, old, unknown]) c.sent.length = 0;
});

const WHERE = 'WHERE "id" = ?';

describe('a list that gained elements, saved', () => {
  it('on servers that keep a prepend in order: what came before the old list is prepended, what came after appended, in one UPDATE', async () => {
    const doc = OnCurrent.fromRow({ id: 1, l: [3, 4] }, codec);
    doc.l = [1, 2, 3, 4, 5, 6];
    await doc.save();
    assert.deepEqual(current.sent.at(-1), {
      cql: `UPDATE "ks"."docs" SET "l" = ? + "l", "l" = "l" + ? ${WHERE}`,
      params: [[1, 2], [5, 6], 1],
    });
    doc.l.unshift(-1, 0);
    await doc.save();
    assert.deepEqual(current.sent.at(-1), { cql: `UPDATE "ks"."docs" SET "l" = ? + "l" ${WHERE}`, params: [[-1, 0], 1] });
    doc.l.push(7);
    await doc.save();
    assert.deepEqual(current.sent.at(-1), { cql: `UPDATE "ks"."docs" SET "l" = "l" + ? ${WHERE}`, params: [[7], 1] });
    // Changed in the middle: written whole.
    doc.l = [9, ...doc.l.slice(1), 8];
    doc.l[3] = 30;
    await doc.save();
    assert.match(current.sent.at(-1)!.cql, /SET "l" = \? WHERE/);
  });

  it('on a server that stores such a prepend reversed (2.1.0): one element prepended at most, else written whole', async () => {
    const doc = OnOld.fromRow({ id: 1, l: [3, 4] }, codec);
    doc.l.unshift(2);
    await doc.save();
    assert.deepEqual(old.sent.at(-1), { cql: `UPDATE "ks"."docs" SET "l" = ? + "l" ${WHERE}`, params: [[2], 1] });
    doc.l.unshift(0, 1);
    await doc.save();
    assert.deepEqual(old.sent.at(-1), { cql: `UPDATE "ks"."docs" SET "l" = ? ${WHERE}`, params: [[0, 1, 2, 3, 4], 1] });
    doc.l = [-1, ...doc.l, 5];
    await doc.save();
    assert.match(old.sent.at(-1)!.cql, /SET "l" = \? WHERE/);
    doc.l.push(6, 7);
    await doc.save();
    assert.deepEqual(old.sent.at(-1), { cql: `UPDATE "ks"."docs" SET "l" = "l" + ? ${WHERE}`, params: [[6, 7], 1] });
  });

  it('before the connection knows its servers, and into a batch, as on an old server', async () => {
    const doc = OnUnknown.fromRow({ id: 1, l: [3] }, codec);
    doc.l.unshift(1, 2);
    await doc.save();
    assert.match(unknown.sent.at(-1)!.cql, /SET "l" = \? WHERE/);

    const batched = OnCurrent.fromRow({ id: 2, l: [3] }, codec);
    batched.l.unshift(1, 2);
    const b = new BatchQuery({ registry });
    await batched.save({ batch: b });
    await b.execute();
    assert.match(current.sent.at(-1)!.cql, /SET "l" = \? WHERE/);
  });
});
