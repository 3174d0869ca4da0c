/**
 * Two ConnectionRegistry instances side by side: each has a connection named 'default' to the same
 * node, with its own default keyspace. Models, QuerySets, batches, contextQuery and management bound
 * to one never touch the other, nor the module's default registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchQuery, CQLEngineError, columns, connection, contextQuery, management, model } from '../../src/index.js';
import { ConnectionRegistry, type StatementEvent } from '../../src/connection/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';

const cols = () => ({ id: columns.int().partitionKey(), v: columns.text() });
const regA = new ConnectionRegistry();
const regB = new ConnectionRegistry();
// No keyspace of their own: each takes its registry's default keyspace.
const A = model('reg_items', cols(), { registry: regA });
const B = model('reg_items', cols(), { registry: regB });

let keyspaces: TestKeyspaces;
let ksA = '';
let ksB = '';

async function valueIn(ks: string, id: number): Promise<string | undefined> {
  return (await keyspaces.execute(`SELECT v FROM ${ks}.reg_items WHERE id = ?`, [id])).first()?.get('v');
}

before(async () => {
  const { hosts } = await ensureCassandra();
  keyspaces = new TestKeyspaces(hosts);
  ksA = await keyspaces.create();
  ksB = await keyspaces.create();
  await regA.register('default', { hosts, default: true });
  regA.defaultKeyspace = ksA;
  await regB.register('default', { hosts, default: true });
  regB.defaultKeyspace = ksB;
  await management.syncTable(A);
  await management.syncTable(B);
});

after(async () => {
  await regA.shutdown();
  await regB.shutdown();
  await keyspaces.drop();
});

describe('isolated registries', () => {
  it('the module registry is untouched: it has no connection at all', () => {
    assert.deepEqual(connection.listConnections(), []);
  });

  it('models of each registry write and read their own keyspace', async () => {
    await A.create({ id: 1, v: 'a' });
    await B.create({ id: 1, v: 'b' });
    assert.equal(await valueIn(ksA, 1), 'a');
    assert.equal(await valueIn(ksB, 1), 'b');
    assert.equal((await A.get({ id: 1 })).v, 'a');
    assert.equal((await B.get({ id: 1 })).v, 'b');
    await A.filter({ id: 1 }).update({ v: 'a2' });
    assert.deepEqual([await valueIn(ksA, 1), await valueIn(ksB, 1)], ['a2', 'b']);
  });

  it("statements are observed with the connection name both share, and their registry's keyspace", async () => {
    const seen: StatementEvent[] = [];
    const stop = connection.onStatement((e) => seen.push(e));
    try {
      await A.count();
      await B.count();
    } finally {
      stop();
    }
    assert.deepEqual(
      seen.map((e) => [e.connection, e.keyspace]),
      [
        ['default', ksA],
        ['default', ksB],
      ],
    );
  });

  it('a batch runs on the registry of its models, and refuses a model of another', async () => {
    const b = new BatchQuery();
    await B.create({ id: 2, v: 'b-batch' }, { batch: b });
    await assert.rejects(A.create({ id: 2, v: 'no' }, { batch: b }), CQLEngineError);
    await b.execute();
    assert.deepEqual([await valueIn(ksA, 2), await valueIn(ksB, 2)], [undefined, 'b-batch']);
  });

  it('contextQuery and withRegistry move a model to another registry', async () => {
    const v = await contextQuery([A], { registry: regB }, async (Bound) => (await Bound.get({ id: 1 })).v);
    assert.equal(v, 'b');
    await A.withRegistry(regB).create({ id: 3, v: 'moved' });
    assert.deepEqual([await valueIn(ksA, 3), await valueIn(ksB, 3)], [undefined, 'moved']);
  });

  it('management takes a registry option', async () => {
    await management.dropTable(A, { registry: regB });
    await assert.rejects(keyspaces.execute(`SELECT v FROM ${ksB}.reg_items`), /unconfigured|reg_items/i);
    assert.equal(await valueIn(ksA, 1), 'a2');
  });
});
