/** User-defined types: columns that hold them, change tracking, and syncType/dropType/syncTable. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CQLEngineError, ValidationError, columns, management, model, userType } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

const Phone = userType('phone', { kind: columns.text(), number: columns.text().dbField('num') });
const Address = userType('address', {
  street: columns.text(),
  zip: columns.int(),
  phones: columns.list(columns.udt(Phone)),
});
const Person = model('people', {
  id: columns.int().partitionKey(),
  home: columns.udt(Address),
  others: columns.map(columns.text(), columns.udt(Address)),
});

const db = useTestKeyspace([Person], async () => {
  other = await db.keyspaces.create();
});
let other: string;

const fieldsOf = async (keyspace: string, type: string): Promise<string[]> => {
  const udt = await (await db.keyspaces.metadata(keyspace)).getUdt(keyspace, type);
  return udt?.fields.map((f) => f.name) ?? [];
};

describe('user-defined types', () => {
  it('syncTable creates the types a model uses, dependencies first', async () => {
    assert.deepEqual(await fieldsOf(db.name, 'phone'), ['kind', 'num']);
    assert.deepEqual(await fieldsOf(db.name, 'address'), ['street', 'zip', 'phones']);
  });

  it('round-trips nested UDT values, in a column and in a map', async () => {
    const home = { street: 'Main St', zip: 1234, phones: [{ kind: 'home', number: '555-0100' }] };
    await Person.create({ id: 1, home, others: new Map([['work', { street: 'Dock', zip: null, phones: [] }]]) });
    const read = await Person.get({ id: 1 });
    assert.deepEqual(read.home, home);
    assert.deepEqual(read.others.get('work'), { street: 'Dock', zip: null, phones: [] });
    // Fields left out read as null.
    await Person.create({ id: 2, home: { street: 'Side St' } });
    assert.deepEqual((await Person.get({ id: 2 })).home, { street: 'Side St', zip: null, phones: [] });
  });

  it('a change inside a UDT value is tracked and saved', async () => {
    await Person.create({ id: 3, home: { street: 'Old', zip: 1, phones: [] } });
    const p = await Person.get({ id: 3 });
    p.home!.zip = 2;
    await p.save();
    assert.equal((await Person.get({ id: 3 })).home!.zip, 2);
  });

  it('unknown fields and badly typed values are ValidationErrors naming the field, and nothing is written', async () => {
    await assert.rejects(
      Person.create({ id: 4, home: { street: 'x', floor: 3 } as never }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'home.floor')),
    );
    await assert.rejects(
      Person.create({ id: 4, home: { zip: 'ten' as never } }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'home.zip')),
    );
    assert.equal(await Person.filter({ id: 4 }).count(), 0);
  });

  it('syncType adds missing fields to an existing type, and dropType removes it', async () => {
    await db.keyspaces.execute(`CREATE TYPE ${other}.address (street text)`);
    await management.syncType(Address, { keyspaces: [other] });
    assert.deepEqual(await fieldsOf(other, 'address'), ['street', 'zip', 'phones']);
    assert.deepEqual(await fieldsOf(other, 'phone'), ['kind', 'num']);
    await management.syncType(Address, { keyspaces: [other] });
    await management.dropType(Address, { keyspaces: [other] });
    await management.dropType(Phone, { keyspaces: [other] });
    assert.deepEqual(await fieldsOf(other, 'address'), []);
    assert.deepEqual(await fieldsOf(other, 'phone'), []);
  });

  it('rejects bad definitions before anything reaches the wire', () => {
    assert.throws(() => userType('bad name', { a: columns.int() }), instanceOf(CQLEngineError));
    assert.throws(() => userType('empty', {}), instanceOf(CQLEngineError));
    assert.throws(() => userType('keyed', { a: columns.int().primaryKey() }), instanceOf(CQLEngineError));
    assert.throws(() => userType('counted', { a: columns.counter() }), instanceOf(CQLEngineError));
  });
});
