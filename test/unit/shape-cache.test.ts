/** The CQL text of a statement depends on its shape only: values never change it, so the driver prepares each shape once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columns, model } from '../../src/index.js';
import { compileDelete, compileInsert, compileSelect, compileUpdate } from '../../src/statements/compile.js';

const Reading = model(
  'readings',
  {
    sensor: columns.text().partitionKey(),
    at: columns.timestamp().primaryKey(),
    value: columns.double(),
    tags: columns.set(columns.text()),
  },
  { keyspace: 'shape_cache' },
);
const column = (name: string) => Reading.schema.byName.get(name)!;
const [sensor, at, value, tags] = [column('sensor'), column('at'), column('value'), column('tags')] as const;
const table = { keyspace: 'shape_cache', table: 'readings' };

describe('statement text by shape', () => {
  it('two inserts of one shape with different values share one text, their values bound apart', () => {
    const a = compileInsert({
      kind: 'insert',
      table,
      columns: [sensor, value],
      values: ['a', 1],
      ifNotExists: false,
      ttl: 60,
    });
    const b = compileInsert({
      kind: 'insert',
      table,
      columns: [sensor, value],
      values: ["b'); DROP", 2],
      ifNotExists: false,
      ttl: 7,
    });
    assert.equal(a.template.cql, b.template.cql);
    assert.equal(b.template.cql, 'INSERT INTO "shape_cache"."readings" ("sensor", "value") VALUES (?, ?) USING TTL ?');
    assert.deepEqual(b.values, ["b'); DROP", 2, 7]);
  });

  it('a different shape gets its own text', () => {
    const base = { kind: 'select', table, fields: Reading.schema.columns, distinct: false, orderBy: [], allowFiltering: false } as const;
    const one = compileSelect({ ...base, wheres: [{ column: sensor, op: '=', value: 'a' }], limit: 10 });
    const other = compileSelect({ ...base, wheres: [{ column: sensor, op: 'IN', value: ['a', 'b'] }], limit: 10 });
    const again = compileSelect({ ...base, wheres: [{ column: sensor, op: 'IN', value: ['c'] }], limit: 99 });
    assert.notEqual(one.template.cql, other.template.cql);
    assert.equal(other.template.cql, again.template.cql);
    assert.equal(again.template.cql, 'SELECT "sensor", "at", "value", "tags" FROM "shape_cache"."readings" WHERE "sensor" IN ? LIMIT ?');
  });

  it('the keyspace, the operators and the options are part of the shape', () => {
    const update = (ks: string, op: 'add' | 'remove', ttl?: number) =>
      compileUpdate({
        kind: 'update',
        table: { keyspace: ks, table: 'readings' },
        assignments: [{ column: tags, op, value: new Set(['x']) }],
        wheres: [
          { column: sensor, op: '=', value: 's' },
          { column: at, op: '=', value: new Date(0) },
        ],
        conditions: [],
        ifExists: false,
        ttl,
      });
    const texts = new Set([
      update('ks1', 'add').template.cql,
      update('ks2', 'add').template.cql,
      update('ks1', 'remove').template.cql,
      update('ks1', 'add', 5).template.cql,
    ]);
    assert.equal(texts.size, 4);
    assert.equal(
      update('ks1', 'add', 5).template.cql,
      'UPDATE "ks1"."readings" USING TTL ? SET "tags" = "tags" + ? WHERE "sensor" = ? AND "at" = ?',
    );
  });

  it('shapes that differ only where one section ends and the next begins get texts of their own', () => {
    const Counted = model('counted', { id: columns.int().partitionKey(), count: columns.int() }, { keyspace: 'shape_cache' });
    const base = {
      kind: 'select',
      table: { keyspace: 'shape_cache', table: 'counted' },
      distinct: false,
      orderBy: [],
      limit: undefined,
      allowFiltering: false,
    } as const;
    const id = Counted.schema.byName.get('id')!;
    const count = Counted.schema.columns.filter((c) => c.name === 'count');
    const wheres = [{ column: id, op: '=' as const, value: 1 }];
    assert.equal(
      compileSelect({ ...base, fields: 'count', wheres }).template.cql,
      'SELECT COUNT(*) FROM "shape_cache"."counted" WHERE "id" = ?',
    );
    assert.equal(
      compileSelect({ ...base, fields: count, wheres }).template.cql,
      'SELECT "count" FROM "shape_cache"."counted" WHERE "id" = ?',
    );
    const del = (columns: typeof count, mapKeys: never[] = []) =>
      compileDelete({ kind: 'delete', table: base.table, columns, mapKeys, wheres, conditions: [], ifExists: false }).template.cql;
    assert.equal(del(count), 'DELETE "count" FROM "shape_cache"."counted" WHERE "id" = ?');
    assert.equal(del([]), 'DELETE FROM "shape_cache"."counted" WHERE "id" = ?');
  });
});
