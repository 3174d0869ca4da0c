/** Defaults on user-type fields, as cqlengine's UserType: taken when a value leaves the field out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError, ValidationError, columns, model, userType } from '../../src/index.js';
import { useTestKeyspace } from '../helpers/cassandra.js';
import { instanceOf } from '../helpers/util.js';

let calls = 0;
const Address = userType('dflt_address', {
  street: columns.text(),
  city: columns.text().default('Springfield'),
  zip: columns.int().default(() => ++calls),
  tags: columns.set(columns.text()).default(['new']),
});
const Home = model('dflt_homes', {
  id: columns.int().partitionKey(),
  address: columns.udt(Address),
  past: columns.list(columns.udt(Address)),
});

const db = useTestKeyspace([Home]);

describe('user-type field defaults', () => {
  it('fields left out take their default (a function is called for each value); given fields and explicit nulls are kept', async () => {
    calls = 0;
    await Home.create({ id: 1, address: { street: 'Main St' }, past: [{ street: 'Old St', city: 'Shelbyville' }, { city: null }] });
    const read = await Home.get({ id: 1 });
    assert.deepEqual(read.address, { street: 'Main St', city: 'Springfield', zip: 1, tags: new Set(['new']) });
    assert.deepEqual(read.past, [
      { street: 'Old St', city: 'Shelbyville', zip: 2, tags: new Set(['new']) },
      { street: null, city: null, zip: 3, tags: new Set(['new']) },
    ]);
  });

  it('a value set on an instance takes the defaults too, and values read back are left as stored', async () => {
    await db.keyspaces.execute(`INSERT INTO ${db.name}.dflt_homes (id, address) VALUES (2, {street: 'Raw'})`);
    const raw = await Home.get({ id: 2 });
    assert.deepEqual(raw.address, { street: 'Raw', city: null, zip: null, tags: new Set() });
    raw.set('address', { street: 'Set' });
    assert.equal(raw.address!.city, 'Springfield');
    await raw.save();
    assert.equal((await Home.get({ id: 2 })).address!.city, 'Springfield');
  });

  it('a default that does not fit its field is refused when taken, naming the field; key options stay refused', () => {
    assert.throws(() => userType('dflt_bad', { a: columns.int().primaryKey() }), instanceOf(ConfigurationError));
    assert.throws(() => userType('dflt_bad', { a: columns.int().required() }), instanceOf(ConfigurationError));
    const Bad = userType('dflt_bad2', { a: columns.int().default('x' as never) });
    const Holder = model('dflt_holder', { id: columns.int().partitionKey(), b: columns.udt(Bad) });
    assert.throws(
      () => new Holder({ id: 1, b: {} }),
      instanceOf(ValidationError, (e: ValidationError) => assert.equal(e.column, 'b.a')),
    );
  });
});
