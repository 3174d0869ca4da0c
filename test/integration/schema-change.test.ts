/**
 * Prepared statements across schema changes: a SELECT names the model's columns, so a statement
 * prepared before syncTable added a column never serves the old column set (a prepared `SELECT *`
 * keeps the columns it was prepared with on protocol v3/v4).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columns, connection, management, model } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';

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
      // The same prepared text, with a raw SELECT * beside it, as an application would have.
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
      // The old model still reads its own columns.
      assert.equal((await Before.get({ id: 1 })).a, 'x');

      const selects = sent.filter((cql) => cql.startsWith('SELECT') && cql.includes('"evolving"') && !cql.includes('COUNT'));
      const mapper = selects.filter((cql) => !cql.startsWith('SELECT * '));
      assert.ok(
        mapper.some((cql) => cql.startsWith('SELECT "id", "a", "b" FROM')),
        mapper.join('\n'),
      );
      assert.equal(selects.length - mapper.length, 1, 'only the raw statement selects *');
    } finally {
      stop();
    }
  });
});
