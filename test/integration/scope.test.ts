/**
 * Which connection and keyspace a statement runs on, in cqlengine's order: an explicit using() on the
 * QuerySet or instance, then a contextQuery binding, then the model's own, then the defaults.
 * A connection is shown by a query that fails on a lazy connection to an unreachable host and
 * succeeds on the live one; a keyspace by which keyspace holds (or shows) the data.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, errors, policies } from 'cassandra-driver';
import { CQLEngineError, ConnectionFailedError, columns, connection, contextQuery, management, model } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra } from '../helpers/cassandra.js';
import { FAST_FAIL } from '../helpers/util.js';

const TABLE = 'sc_rows';
const cols = () => ({ id: columns.int().partitionKey(), v: columns.text() });

/** No connection, no keyspace of its own: the defaults. */
const Plain = model(TABLE, cols());
/** Bound to the unreachable connection. */
const OnDead = model(TABLE, cols(), { connection: 'dead' });
/** Bound to the live, non-default connection. */
const OnLive = model(TABLE, cols(), { connection: 'live' });
/** Models with a keyspace of their own, defined once the keyspaces exist. */
let InModelKs: typeof Plain;
let DeadInModelKs: typeof Plain;

let hosts: string[];
let keyspaces: TestKeyspaces;
/** label → keyspace name */
const ks = { default: '', model: '', context: '', using: '' };
type Label = keyof typeof ks;
const LABELS = Object.keys(ks) as Label[];

/** Whether the failure is the unreachable host's: the driver's error on the first use, ConnectionFailedError after. */
function deadHost(err: unknown): true {
  assert.ok(
    err instanceof errors.NoHostAvailableError || err instanceof ConnectionFailedError,
    `expected a connect failure, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
  );
  if (err instanceof ConnectionFailedError) assert.equal(err.connectionName, 'dead');
  return true;
}

/** The labels of the keyspaces whose table holds row `id`, read with the tests' own client. */
async function holders(id: number): Promise<Label[]> {
  const found: Label[] = [];
  for (const label of LABELS) {
    const rs = await keyspaces.execute(`SELECT v FROM ${ks[label]}.${TABLE} WHERE id = ?`, [id]);
    if (rs.rowLength > 0) found.push(label);
  }
  return found;
}

async function valueIn(label: Label, id: number): Promise<string | null | undefined> {
  const rs = await keyspaces.execute(`SELECT v FROM ${ks[label]}.${TABLE} WHERE id = ?`, [id]);
  return rs.first()?.get('v');
}

async function registerAll(): Promise<void> {
  await connection.setup(hosts, ks.default);
  await connection.registerConnection('live', { hosts });
  await connection.registerConnection('dead', { hosts: ['127.0.0.1:1'], lazyConnect: true, clusterOptions: FAST_FAIL });
}

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  for (const label of LABELS) ks[label] = await keyspaces.create();
  InModelKs = model(TABLE, cols(), { keyspace: ks.model });
  DeadInModelKs = model(TABLE, cols(), { keyspace: ks.model, connection: 'dead' });
  await registerAll();
  await management.syncTable(Plain, { keyspaces: Object.values(ks) });
  // Row 1 in every keyspace, holding the keyspace's label: a read shows where it ran.
  for (const label of LABELS) await keyspaces.execute(`INSERT INTO ${ks[label]}.${TABLE} (id, v) VALUES (?, ?)`, [1, label]);
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('connection priority', () => {
  afterEach(() => connection.setDefaultConnection('default'));

  it('the default connection serves models that name none', async () => {
    assert.equal((await Plain.get({ id: 1 })).v, 'default');
    connection.setDefaultConnection('dead');
    await assert.rejects(Plain.get({ id: 1 }), deadHost);
    await assert.rejects(Plain.objects().count(), deadHost);
    await assert.rejects(Plain.create({ id: 2, v: 'x' }), deadHost);
    connection.setDefaultConnection('live');
    assert.equal((await Plain.get({ id: 1 })).v, 'default');
  });

  it("the model's own connection comes before the default", async () => {
    await assert.rejects(OnDead.get({ id: 1 }), deadHost);
    await assert.rejects(OnDead.create({ id: 2, v: 'x' }), deadHost);
    await assert.rejects(OnDead.filter({ id: 1 }).update({ v: 'x' }), deadHost);
    await assert.rejects(OnDead.filter({ id: 1 }).delete(), deadHost);
    await assert.rejects(new OnDead({ id: 2 }).save(), deadHost);
    connection.setDefaultConnection('dead');
    assert.equal((await OnLive.get({ id: 1 })).v, 'default');
    assert.equal(await OnLive.objects().count(), 1);
    // Reads and writes on the model's live connection while the default is dead.
    await OnLive.create({ id: 10, v: 'live' });
    const row = await OnLive.get({ id: 10 });
    row.v = 'saved';
    await row.save();
    assert.equal(await valueIn('default', 10), 'saved');
    await row.delete();
    assert.deepEqual(await holders(10), []);
  });

  it("a contextQuery connection comes before the model's", async () => {
    await contextQuery([OnLive], { connection: 'dead' }, async (M) => {
      await assert.rejects(M.get({ id: 1 }), deadHost);
      await assert.rejects(M.create({ id: 2, v: 'x' }), deadHost);
    });
    await contextQuery([OnDead, Plain], { connection: 'live' }, async (M, P) => {
      connection.setDefaultConnection('dead');
      assert.equal((await M.get({ id: 1 })).v, 'default');
      assert.equal((await P.get({ id: 1 })).v, 'default');
      await M.create({ id: 11, v: 'ctx' });
      await M.filter({ id: 11 }).update({ v: 'ctx2' });
      assert.equal(await valueIn('default', 11), 'ctx2');
      await M.filter({ id: 11 }).delete();
      assert.deepEqual(await holders(11), []);
    });
  });

  it('an explicit using() comes before a contextQuery, the model and the default', async () => {
    connection.setDefaultConnection('dead');
    // On a QuerySet: above the model's and the default.
    assert.equal((await OnDead.using({ connection: 'live' }).get({ id: 1 })).v, 'default');
    assert.equal((await Plain.using({ connection: 'live' }).get({ id: 1 })).v, 'default');
    await assert.rejects(OnLive.using({ connection: 'dead' }).get({ id: 1 }), deadHost);
    await OnDead.using({ connection: 'live' }).create({ id: 12, v: 'using' });
    await OnDead.filter({ id: 12 }).using({ connection: 'live' }).update({ v: 'using2' });
    assert.equal(await valueIn('default', 12), 'using2');
    await OnDead.using({ connection: 'live' }).filter({ id: 12 }).delete();
    assert.deepEqual(await holders(12), []);
    // Above a contextQuery.
    await contextQuery([OnLive], { connection: 'dead' }, async (M) => {
      assert.equal((await M.using({ connection: 'live' }).get({ id: 1 })).v, 'default');
    });
    await contextQuery([OnDead], { connection: 'live' }, async (M) => {
      await assert.rejects(M.using({ connection: 'dead' }).get({ id: 1 }), deadHost);
    });
  });

  it('an instance using() comes before its model: save, update and delete', async () => {
    connection.setDefaultConnection('dead');
    const made = new OnDead({ id: 13, v: 'instance' }).using({ connection: 'live' });
    await made.save();
    assert.equal(await valueIn('default', 13), 'instance');
    await made.update({ v: 'instance2' });
    assert.equal(await valueIn('default', 13), 'instance2');
    await made.delete();
    assert.deepEqual(await holders(13), []);

    const onLive = await OnLive.create({ id: 14, v: 'x' });
    await assert.rejects(onLive.using({ connection: 'dead' }).update({ v: 'never' }), deadHost);
    await assert.rejects(onLive.delete(), deadHost);
    assert.equal(await valueIn('default', 14), 'x');
    await onLive.using({ connection: 'live' }).delete();
    assert.deepEqual(await holders(14), []);

    // An instance read through using() keeps that scope for its writes.
    await keyspaces.execute(`INSERT INTO ${ks.default}.${TABLE} (id, v) VALUES (?, ?)`, [15, 'read']);
    const read = await OnDead.using({ connection: 'live' }).get({ id: 15 });
    read.v = 'written back';
    await read.save();
    assert.equal(await valueIn('default', 15), 'written back');
    await read.delete();
    assert.deepEqual(await holders(15), []);
  });
});

describe('keyspace priority', () => {
  it("the default keyspace, then the model's own", async () => {
    assert.equal((await Plain.get({ id: 1 })).v, 'default');
    assert.equal((await InModelKs.get({ id: 1 })).v, 'model');
    await Plain.create({ id: 20, v: 'a' });
    await InModelKs.create({ id: 21, v: 'b' });
    assert.deepEqual(await holders(20), ['default']);
    assert.deepEqual(await holders(21), ['model']);
    assert.equal(await InModelKs.filter({ id: 20 }).count(), 0);
    assert.equal(await Plain.filter({ id: 21 }).count(), 0);
  });

  it("a contextQuery keyspace comes before the model's and the default", async () => {
    await contextQuery([Plain, InModelKs], { keyspace: ks.context }, async (P, M) => {
      assert.equal((await P.get({ id: 1 })).v, 'context');
      assert.equal((await M.get({ id: 1 })).v, 'context');
      await M.create({ id: 22, v: 'ctx' });
      await P.filter({ id: 22 }).update({ v: 'ctx2' });
      const row = await M.get({ id: 22 });
      row.v = 'ctx3';
      await row.save();
    });
    assert.deepEqual(await holders(22), ['context']);
    assert.equal(await valueIn('context', 22), 'ctx3');
    await contextQuery([InModelKs], { keyspace: ks.context }, (M) => M.filter({ id: 22 }).delete());
    assert.deepEqual(await holders(22), []);
  });

  it('an explicit using() keyspace comes before everything', async () => {
    assert.equal((await Plain.using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
    assert.equal((await InModelKs.using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
    await contextQuery([InModelKs], { keyspace: ks.context }, async (M) => {
      assert.equal((await M.using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
      await M.using({ keyspace: ks.using }).create({ id: 23, v: 'u' });
      await M.filter({ id: 23 }).using({ keyspace: ks.using }).update({ v: 'u2' });
      // An instance using() inside the block.
      const inst = new M({ id: 24, v: 'i' }).using({ keyspace: ks.using });
      await inst.save();
      await inst.update({ v: 'i2' });
    });
    assert.deepEqual(await holders(23), ['using']);
    assert.deepEqual(await holders(24), ['using']);
    assert.equal(await valueIn('using', 23), 'u2');
    assert.equal(await valueIn('using', 24), 'i2');
    // A row read through using() is saved and deleted where it was read.
    const read = await InModelKs.using({ keyspace: ks.using }).get({ id: 23 });
    read.v = 'u3';
    await read.save();
    assert.equal(await valueIn('using', 23), 'u3');
    await read.delete();
    await new Plain({ id: 24 }).using({ keyspace: ks.using }).delete();
    assert.deepEqual(await holders(23), []);
    assert.deepEqual(await holders(24), []);
  });

  it('connection and keyspace resolve independently, level by level', async () => {
    // Keyspace from the model, connection from using().
    assert.equal((await DeadInModelKs.using({ connection: 'live' }).get({ id: 1 })).v, 'model');
    // Keyspace from using(), connection still the model's (dead).
    await assert.rejects(DeadInModelKs.using({ keyspace: ks.using }).get({ id: 1 }), deadHost);
    // Two using() steps merge.
    assert.equal((await DeadInModelKs.using({ connection: 'live' }).using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
    // Keyspace from the context, connection from using(); and the other way round.
    await contextQuery([DeadInModelKs], { keyspace: ks.context }, async (M) => {
      assert.equal((await M.using({ connection: 'live' }).get({ id: 1 })).v, 'context');
      await assert.rejects(M.get({ id: 1 }), deadHost);
    });
    await contextQuery([DeadInModelKs], { connection: 'live' }, async (M) => {
      assert.equal((await M.get({ id: 1 })).v, 'model');
      assert.equal((await M.using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
    });
    await contextQuery([DeadInModelKs], { connection: 'live', keyspace: ks.context }, async (M) => {
      assert.equal((await M.get({ id: 1 })).v, 'context');
    });
  });

  it('the QuerySet text names the resolved keyspace', async () => {
    assert.match(Plain.objects().toString(), new RegExp(`FROM "${ks.default}"\\."${TABLE}"`));
    assert.match(InModelKs.objects().toString(), new RegExp(`FROM "${ks.model}"\\."${TABLE}"`));
    assert.match(InModelKs.using({ keyspace: ks.using }).toString(), new RegExp(`FROM "${ks.using}"\\."${TABLE}"`));
    await contextQuery([InModelKs], { keyspace: ks.context }, (M) => {
      assert.match(M.objects().toString(), new RegExp(`FROM "${ks.context}"\\."${TABLE}"`));
    });
  });
});

describe('default keyspace from setSession', () => {
  it('follows the keyspace of the Client handed in, as it is switched', async () => {
    const make = async (keyspace: string) => {
      const client = new Client({
        contactPoints: hosts,
        keyspace,
        policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
      });
      await client.connect();
      return client;
    };
    const one = await make(ks.model);
    const two = await make(ks.context);
    try {
      await connection.setSession(one);
      assert.equal((await Plain.get({ id: 1 })).v, 'model');
      await Plain.create({ id: 30, v: 's1' });
      await connection.setSession(two);
      assert.equal((await Plain.get({ id: 1 })).v, 'context');
      await Plain.create({ id: 30, v: 's2' });
      assert.deepEqual(await holders(30), ['model', 'context']);
      // A model's own keyspace still comes first.
      assert.equal((await InModelKs.get({ id: 1 })).v, 'model');
      await connection.setSession(one);
      assert.equal((await Plain.get({ id: 30 })).v, 's1');
    } finally {
      await connection.shutdown();
      await one.shutdown();
      await two.shutdown();
      await registerAll();
    }
  });
});

describe('no keyspace anywhere', () => {
  before(async () => {
    await connection.shutdown();
    await connection.setup(hosts, null);
    await connection.registerConnection('live', { hosts });
  });
  after(async () => {
    await connection.shutdown();
    await registerAll();
  });

  const namesModel = (err: unknown): true => {
    assert.ok(err instanceof CQLEngineError, `expected a CQLEngineError, got ${String(err)}`);
    assert.match(err.message, new RegExp(`\\b${TABLE}\\b`));
    assert.match(err.message, /keyspace/);
    return true;
  };

  it('is a CQLEngineError naming the model, for reads, writes and schema operations', async () => {
    await assert.rejects(Plain.get({ id: 1 }), namesModel);
    await assert.rejects(Plain.all(), namesModel);
    await assert.rejects(Plain.objects().count(), namesModel);
    assert.throws(() => Plain.objects().toString(), namesModel);
    await assert.rejects(Plain.create({ id: 40, v: 'x' }), namesModel);
    await assert.rejects(new Plain({ id: 40 }).save(), namesModel);
    await assert.rejects(new Plain({ id: 40 }).delete(), namesModel);
    await assert.rejects(Plain.filter({ id: 40 }).update({ v: 'x' }), namesModel);
    await assert.rejects(Plain.filter({ id: 40 }).delete(), namesModel);
    await assert.rejects(OnLive.get({ id: 1 }), namesModel);
    await assert.rejects(
      contextQuery([Plain], { connection: 'live' }, (P) => P.get({ id: 1 })),
      namesModel,
    );
    await assert.rejects(management.syncTable(Plain), namesModel);
    assert.deepEqual(await holders(40), []);
  });

  it('any level that names a keyspace is enough', async () => {
    assert.equal((await InModelKs.get({ id: 1 })).v, 'model');
    assert.equal((await Plain.using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
    assert.equal((await OnLive.using({ keyspace: ks.using }).get({ id: 1 })).v, 'using');
    assert.equal(await contextQuery([Plain], { keyspace: ks.context }, async (P) => (await P.get({ id: 1 })).v), 'context');
    const inst = new Plain({ id: 41, v: 'i' }).using({ keyspace: ks.using });
    await inst.save();
    await inst.delete();
    assert.deepEqual(await holders(41), []);
  });
});
