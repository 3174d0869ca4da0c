/** execute(): bound values, per-call options, and consistency really applied by the node. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { type Client, errors, policies, types } from 'cassandra-driver';
import { ConfigurationError, connection } from '../../src/index.js';
import { TestKeyspaces, ensureCassandra, splitHost } from '../helpers/cassandra.js';
import { TcpProxy } from '../helpers/proxy.js';
import { instanceOf, unavailableAt } from '../helpers/util.js';

const { quorum, one } = types.consistencies;

let hosts: string[];
let keyspaces: TestKeyspaces;
/** A keyspace with one replica, and one that wants three (which a one-node cluster cannot give). */
let ks1: string;
let ks3: string;

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  ks1 = await keyspaces.create({ replicationFactor: 1 });
  ks3 = await keyspaces.create({ replicationFactor: 3 });
  await keyspaces.execute(`CREATE TABLE ${ks1}.people (id int PRIMARY KEY, name text)`);
  await keyspaces.execute(`CREATE TABLE ${ks3}.t (k int PRIMARY KEY, v text)`);
});

afterEach(async () => {
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('execute()', () => {
  it('binds values: quotes and CQL in strings round-trip as data', async () => {
    await connection.setup(hosts, ks1);
    const tricky = ["O'Brien", "'); DROP KEYSPACE x; --", `'); DROP KEYSPACE ${ks1}; --`, 'what? ?', '"quoted"', '$$ $$'];
    for (const [i, name] of tricky.entries()) {
      await connection.execute(`INSERT INTO ${ks1}.people (id, name) VALUES (?, ?)`, [i, name]);
    }
    for (const [i, name] of tricky.entries()) {
      const rs = await connection.execute(`SELECT name FROM ${ks1}.people WHERE id = ?`, [i]);
      assert.equal(rs.first().get('name'), name);
    }
    assert.ok(await keyspaces.keyspaceExists(ks1));
  });

  it('binds named values', async () => {
    await connection.setup(hosts, null);
    await connection.execute(`INSERT INTO ${ks1}.people (id, name) VALUES (:id, :name)`, { id: 100, name: "named 'one'" });
    const rs = await connection.execute(`SELECT name FROM ${ks1}.people WHERE id = :id`, { id: 100 });
    assert.equal(rs.first().get('name'), "named 'one'");
  });

  it('runs on the named connection, the default otherwise', async () => {
    await connection.setup(hosts, null);
    await connection.registerConnection('other', { hosts });
    const onDefault = await connection.execute('SELECT release_version FROM system.local');
    const onOther = await connection.execute('SELECT release_version FROM system.local', [], { connection: 'other' });
    assert.equal(onDefault.rowLength, 1);
    assert.equal(onOther.rowLength, 1);
    await connection.unregisterConnection('other');
    await assert.rejects(connection.execute('SELECT release_version FROM system.local', [], { connection: 'other' }), /doesn't exist/);
  });

  it('rejects an empty query, a bad timeout and an unknown consistency before anything is sent', async () => {
    await connection.setup(hosts, null);
    await assert.rejects(
      connection.execute('  '),
      instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'query')),
    );
    for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(
        connection.execute('SELECT now() FROM system.local', [], { timeout }),
        instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'timeout')),
      );
    }
    await assert.rejects(
      connection.execute(`INSERT INTO ${ks1}.people (id, name) VALUES (?, ?)`, [999, 'never'], { consistency: 'HALF' }),
      instanceOf(ConfigurationError, (e: ConfigurationError) => assert.equal(e.option, 'consistency')),
    );
    const rs = await connection.execute(`SELECT name FROM ${ks1}.people WHERE id = ?`, [999]);
    assert.equal(rs.rowLength, 0);
  });

  // The connection's own read timeout is two minutes and the test's limit is 30 s: only the per-call
  // timeout can end the wait in time, so no wall-clock assertion is needed.
  it('timeout is the client-side read timeout of the statement', { timeout: 30_000 }, async () => {
    // Through a proxy that stops passing the node's answers on: only a timeout ends the wait.
    const target = splitHost(hosts[0]!);
    const proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
    try {
      await connection.registerConnection('slow', {
        hosts: [proxy.contactPoint],
        default: true,
        clusterOptions: { socketOptions: { readTimeout: 120_000 } },
      });
      await connection.execute('SELECT release_version FROM system.local');
      proxy.stall();
      await assert.rejects(
        connection.execute('SELECT release_version FROM system.local', [], { timeout: 300 }),
        instanceOf(errors.OperationTimedOutError),
      );
      proxy.resume();
      assert.equal((await connection.execute('SELECT release_version FROM system.local')).rowLength, 1);
    } finally {
      await connection.shutdown();
      await proxy.close();
    }
  });
});

describe('consistency', () => {
  const insert = `INSERT INTO %ks%.t (k, v) VALUES (?, ?)`;
  const ins = () => insert.replace('%ks%', ks3);
  const select = () => `SELECT v FROM ${ks3}.t WHERE k = ?`;

  it('a per-call consistency is sent: QUORUM is unavailable on one node with three replicas wanted, ONE works', async () => {
    await connection.setup(hosts, null);
    await assert.rejects(connection.execute(ins(), [1, 'a'], { consistency: 'QUORUM' }), unavailableAt(quorum));
    await assert.rejects(connection.execute(select(), [1], { consistency: 'QUORUM' }), unavailableAt(quorum));
    await connection.execute(ins(), [1, 'a'], { consistency: 'ONE' });
    const rs = await connection.execute(select(), [1], { consistency: one });
    assert.equal(rs.first().get('v'), 'a');
  });

  it("the node's Unavailable ResponseError comes through unwrapped when the retry policy does not retry", async () => {
    await connection.setup(hosts, null, {
      consistency: 'QUORUM',
      policies: { retry: new policies.retry.FallthroughRetryPolicy() },
    });
    await assert.rejects(
      connection.execute(ins(), [2, 'b']),
      instanceOf(errors.ResponseError, (err: errors.ResponseError) => {
        assert.equal(err.code, 0x1000);
        unavailableAt(quorum)(err);
      }),
    );
  });

  it('a connection registered with QUORUM uses it by default; a per-call ONE overrides it', async () => {
    await connection.registerConnection('q', { hosts, consistency: 'QUORUM' });
    await assert.rejects(connection.execute(ins(), [3, 'c'], { connection: 'q' }), unavailableAt(quorum));
    await assert.rejects(connection.execute(select(), [3], { connection: 'q' }), unavailableAt(quorum));
    // Also without values (not prepared) and on the Client itself: the consistency is the Client's default.
    await assert.rejects(connection.execute(`SELECT v FROM ${ks3}.t WHERE k = 3`, undefined, { connection: 'q' }), unavailableAt(quorum));
    const client = await connection.getSession('q');
    await assert.rejects(client.execute(`SELECT v FROM ${ks3}.t WHERE k = 3`), unavailableAt(quorum));

    await connection.execute(ins(), [3, 'c'], { connection: 'q', consistency: 'ONE' });
    const rs = await connection.execute(select(), [3], { connection: 'q', consistency: 'one' });
    assert.equal(rs.first().get('v'), 'c');
  });

  it('a connection registered with ONE succeeds, and a per-call QUORUM overrides it', async () => {
    await connection.registerConnection('o', { hosts, consistency: 'ONE', default: true });
    await connection.execute(ins(), [4, 'd']);
    assert.equal((await connection.execute(select(), [4])).first().get('v'), 'd');
    await assert.rejects(connection.execute(select(), [4], { consistency: 'QUORUM' }), unavailableAt(quorum));
  });

  it('setup() takes a consistency too', async () => {
    await connection.setup(hosts, null, { consistency: 'quorum' });
    await assert.rejects(connection.execute(select(), [4]), unavailableAt(quorum));
    assert.equal((await connection.execute(select(), [4], { consistency: 'LOCAL_ONE' })).rowLength, 1);
  });
});

describe('local data centre', () => {
  it('hosts alone are enough: the data centre is discovered', async () => {
    await connection.registerConnection('dc', { hosts });
    const client = await connection.getSession('dc');
    const discovered = (client as unknown as { options: { localDataCenter?: string } }).options.localDataCenter;
    const local = await connection.execute('SELECT data_center FROM system.local', [], { connection: 'dc' });
    assert.equal(discovered, local.first().get('data_center'));
    if (!process.env.CQLENGINE_TEST_HOSTS) assert.equal(discovered, 'datacenter1');
    assert.ok(client.hosts.values().every((h) => h.datacenter === discovered));
  });

  it('a given localDataCenter or load-balancing policy is kept as it is', async () => {
    const dc = (await connection.registerConnection('probe', { hosts }).then(() => connection.getSession('probe'))) as unknown as {
      options: { localDataCenter: string };
    };
    const name = dc.options.localDataCenter;
    await connection.registerConnection('given', { hosts, clusterOptions: { localDataCenter: name } });
    const given = (await connection.getSession('given')) as unknown as { options: { localDataCenter: string } };
    assert.equal(given.options.localDataCenter, name);

    const policy = new policies.loadBalancing.RoundRobinPolicy();
    await connection.registerConnection('rr', { hosts, clusterOptions: { policies: { loadBalancing: policy } } });
    const rr = (await connection.getSession('rr')) as Client & {
      options: { localDataCenter?: string; policies: { loadBalancing: unknown } };
    };
    assert.equal(rr.options.localDataCenter, undefined);
    assert.equal(rr.options.policies.loadBalancing, policy);
    assert.equal((await connection.execute('SELECT release_version FROM system.local', [], { connection: 'rr' })).rowLength, 1);
  });
});
