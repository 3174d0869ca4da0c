/**
 * Prepared SELECTs across schema changes. A read of every column is `SELECT *`, as cqlengine's, on
 * servers that re-read a prepared `*` after an ALTER TABLE (2.1.3 on, CASSANDRA-7910); on older ones
 * it names the model's columns, so that a column syncTable adds is read all the same. A table whose
 * columns differ from its model's is read column by column: what the model lacks is ignored, what
 * the table lacks reads as null, as in cqlengine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columns, connection, management, model } from '../../src/index.js';
import { useTestKeyspace, versionAtLeast } from '../helpers/cassandra.js';

const db = useTestKeyspace();

describe('prepared SELECTs and syncTable', () => {
  it('a column added by syncTable after a SELECT was prepared reads through the mapper', async () => {
    const sent: string[] = [];
    const stop = connection.onStatement((e) => sent.push(e.cql));
    try {
      const Before = model('evolving', { id: columns.int().partitionKey(), a: columns.text() });
      await management.syncTable(Before);
      await Before.create({ id: 1, a: 'x' });
      assert.equal((await Before.get({ id: 1 })).a, 'x');
      // A raw prepared SELECT * beside it, as an application would have.
      await connection.execute(`SELECT * FROM "${db.name}"."evolving" WHERE "id" = ?`, [1], { prepare: true });

      const After = model('evolving', { id: columns.int().partitionKey(), a: columns.text(), b: columns.text() });
      await management.syncTable(After);
      await After.filter({ id: 1 }).update({ b: 'y' });
      const got = await After.get({ id: 1 });
      assert.deepEqual([got.a, got.b], ['x', 'y']);
      assert.deepEqual(
        (await After.all()).map((r) => r.b),
        ['y'],
      );
      // The old model still reads its own columns, and only those.
      const before = await Before.get({ id: 1 });
      assert.equal(before.a, 'x');
      assert.deepEqual(before.toObject(), { id: 1, a: 'x' });

      const reads = sent.filter((cql) => cql.startsWith('SELECT') && cql.includes('"evolving"') && !cql.includes('COUNT'));
      const wildcard = versionAtLeast(db.cluster.version, '2.1.3');
      const mapper = reads.slice(0, 1).concat(reads.slice(2));
      assert.ok(
        mapper.every((cql) => cql.startsWith(wildcard ? 'SELECT * FROM' : 'SELECT "id", "a"')),
        mapper.join('\n'),
      );
      if (!wildcard) assert.ok(mapper.some((cql) => cql.startsWith('SELECT "id", "a", "b" FROM')));
    } finally {
      stop();
    }
  });

  it('a table with columns its model lacks, or lacking one of its columns, reads as cqlengine does', async () => {
    const Wide = model('wide', { id: columns.int().partitionKey(), a: columns.text(), z: columns.set(columns.int()) });
    await management.syncTable(Wide);
    await Wide.create({ id: 1, a: 'x', z: new Set([1, 2]) });
    // The model knows a and one column the table does not have: as many columns as the table.
    const Narrow = model('wide', { id: columns.int().partitionKey(), a: columns.text(), gone: columns.set(columns.int()) });
    if (versionAtLeast(db.cluster.version, '2.1.3')) {
      const row = await Narrow.get({ id: 1 });
      assert.equal(row.a, 'x');
      assert.deepEqual(row.gone, new Set());
      assert.deepEqual(Object.keys(row.toObject()), ['id', 'a', 'gone']);
    } else {
      // Older servers are sent the columns by name, and the server refuses the one it lacks.
      await assert.rejects(Narrow.get({ id: 1 }), /gone/);
    }
    const Partial = model('wide', { id: columns.int().partitionKey(), z: columns.set(columns.int()) });
    const [only] = await Partial.all();
    assert.deepEqual(only!.toObject(), { id: 1, z: new Set([1, 2]) });
    only!.z!.add(3);
    await only!.save();
    assert.deepEqual((await Wide.get({ id: 1 })).toObject(), { id: 1, a: 'x', z: new Set([1, 2, 3]) });
  });
});
