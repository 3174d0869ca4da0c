/** DDL text (src/statements/ddl.ts) that needs no server: index names and targets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columns, model } from '../../src/index.js';
import { createIndex } from '../../src/statements/ddl.js';

describe('createIndex', () => {
  const Tagged = model('tagged', {
    id: columns.int().partitionKey(),
    plain: columns.text().index(),
    byKey: columns.map(columns.text(), columns.int()).index('keys'),
    byEntry: columns.map(columns.text(), columns.int()).index('entries'),
    whole: columns.list(columns.int(), { frozen: true }).index({ full: true }),
  });
  const cql = (name: string) => createIndex(Tagged.schema, 'ks', Tagged.schema.byName.get(name)!);

  it('names an index on values <table>_<column>_idx and the others with their kind', () => {
    assert.equal(cql('plain'), 'CREATE INDEX IF NOT EXISTS tagged_plain_idx ON "ks"."tagged" ("plain")');
    assert.equal(cql('byKey'), 'CREATE INDEX IF NOT EXISTS tagged_bykey_keys_idx ON "ks"."tagged" (KEYS("byKey"))');
    assert.equal(cql('byEntry'), 'CREATE INDEX IF NOT EXISTS tagged_byentry_entries_idx ON "ks"."tagged" (ENTRIES("byEntry"))');
    assert.equal(cql('whole'), 'CREATE INDEX IF NOT EXISTS tagged_whole_full_idx ON "ks"."tagged" (FULL("whole"))');
  });

  it('cuts a long name before its suffix, so that two kinds on one column never share a name', () => {
    const long = 'x'.repeat(40);
    const Long = model('long_table', {
      id: columns.int().partitionKey(),
      [long]: columns.map(columns.text(), columns.int()).index('keys'),
    });
    const name = /INDEX IF NOT EXISTS (\S+) ON/.exec(createIndex(Long.schema, 'ks', Long.schema.byName.get(long)!))![1]!;
    assert.equal(name.length, 48);
    assert.ok(name.endsWith('_keys_idx'), name);
  });
});
