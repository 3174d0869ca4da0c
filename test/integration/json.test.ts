/** The JSON of an instance read back from the node equals the documented JSON of the values written. */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { connection, management, model } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra, needsServer } from '../helpers/cassandra.js';
import { Everything, everythingJson, everythingValues } from '../helpers/everything.js';

const cluster = await ensureCassandra();
const keyspaces = new TestKeyspaces(cluster.hosts);

afterEach(async () => {
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('toJSON of a stored row', () => {
  // The model has date, time, smallint, tinyint (2.2) and duration (3.10) columns.
  it('is the documented JSON, for every column type', { skip: needsServer(cluster, '3.10') }, async () => {
    const ks = await keyspaces.create();
    await connection.setup(cluster.hosts, ks);
    await management.syncTable(Everything);
    await Everything.create(everythingValues);
    const stored = await Everything.get({ id: everythingValues.id });
    assert.deepEqual(JSON.parse(JSON.stringify(stored)), everythingJson);
  });

  it('is the documented JSON, for the types every supported server has', async () => {
    const ks = await keyspaces.create();
    await connection.setup(cluster.hosts, ks);
    const old = Object.entries(Everything.schema.definitions).filter(([, c]) => c.type.since === undefined);
    const Older = model('everything_older', Object.fromEntries(old) as typeof Everything.schema.definitions);
    await management.syncTable(Older);
    const names = old.map(([name]) => name);
    const pick = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => names.includes(k)));
    await Older.create(pick(everythingValues) as never);
    const stored = await Older.get({ id: everythingValues.id });
    assert.deepEqual(JSON.parse(JSON.stringify(stored)), pick(everythingJson));
  });
});
