/** The connection registry against a real node: setup, default, setSession, register/unregister, defaults, lookup. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, errors, policies } from 'cassandra-driver';
import { CQLEngineError, ConfigurationError, UnknownConnectionError, connection } from '../../src/index.js';
import { registry } from '../../src/connection/index.js';
import { TestKeyspaces, ensureCassandra, splitHost } from '../helpers/cassandra.js';
import { captureLogs, instanceOf } from '../helpers/util.js';

const LOCAL = 'SELECT release_version FROM system.local';

let hosts: string[];
let keyspaces: TestKeyspaces;
/** Whether the node under test is the one on 127.0.0.1:9042 that setup(null) and default() reach. */
let localhostIsTestNode: boolean;

/** A Client the test creates and owns (RoundRobinPolicy: no data centre needed). */
function userClient(extra: { keyspace?: string } = {}): Client {
  return new Client({
    contactPoints: hosts,
    policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
    ...extra,
  });
}

/** The names in the registry, in order. */
const names = () => connection.listConnections().map((c) => c.name);
const defaultName = () => connection.listConnections().find((c) => c.isDefault)?.name;

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  localhostIsTestNode = hosts.some((h) => {
    const { host, port } = splitHost(h);
    return host === '127.0.0.1' && port === 9042;
  });
});

afterEach(async () => {
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  await keyspaces.drop();
});

describe('setup()', () => {
  it("registers 'default', makes it the default and sets the default keyspace", async () => {
    const ks = await keyspaces.create();
    const conn = await connection.setup(hosts, ks);
    assert.equal(conn.name, 'default');
    assert.equal(conn.state, 'connected');
    assert.equal(registry.defaultKeyspace, ks);
    assert.equal(connection.registry, registry);
    assert.deepEqual(connection.listConnections(), [
      { name: 'default', isDefault: true, state: 'connected', hosts, ownsClient: true, lastError: undefined },
    ]);
    assert.equal(await connection.getConnection(), conn);
    const rs = await connection.execute(LOCAL);
    assert.equal(rs.rowLength, 1);
    // The default keyspace is the mapper's; the Client gets no session keyspace from it.
    assert.equal((await connection.getSession()).keyspace, undefined);
  });

  it('passes the other options through to the driver Client', async () => {
    await connection.setup(hosts, null, {
      socketOptions: { connectTimeout: 4321, readTimeout: 9876 },
      queryOptions: { fetchSize: 123 },
      protocolOptions: { maxSchemaAgreementWaitSeconds: 7 },
      pooling: { heartBeatInterval: 12345 },
    });
    const client = await connection.getSession();
    const options = (client as unknown as { options: import('cassandra-driver').ClientOptions }).options;
    assert.equal(options.socketOptions?.connectTimeout, 4321);
    assert.equal(options.socketOptions?.readTimeout, 9876);
    assert.equal(options.queryOptions?.fetchSize, 123);
    assert.equal(options.protocolOptions?.maxSchemaAgreementWaitSeconds, 7);
    assert.equal(options.pooling?.heartBeatInterval, 12345);
    assert.equal(options.pooling?.maxRequestsPerConnection, 32_768, 'the default kept beside the given pooling option');
    assert.equal(options.protocolOptions?.maxVersion, 4, 'protocol v4 offered first, beside the given protocol option');
    assert.deepEqual(options.contactPoints, hosts);
    assert.equal(registry.defaultKeyspace, undefined);
  });

  it("takes a few thousand statements at once on one connection, as Python's driver does (it waits for a free stream)", async () => {
    await connection.setup(hosts, null);
    // Past the driver's own 2,048 per connection, which fails the rest with BusyConnectionError.
    const results = await Promise.all(Array.from({ length: 3000 }, () => connection.execute(LOCAL)));
    assert.equal(results.length, 3000);
    await connection.shutdown();
    await connection.setup(hosts, null, { pooling: { maxRequestsPerConnection: 7 } });
    const client = await connection.getSession();
    assert.equal((client as unknown as { options: import('cassandra-driver').ClientOptions }).options.pooling?.maxRequestsPerConnection, 7);
  });

  it('offers protocol v4 first, unless told otherwise, and settles on what the server speaks', async () => {
    // The driver keeps the version its control connection settled on there (not in its typings).
    const spokenVersion = (client: unknown) =>
      (client as { controlConnection: { protocolVersion: number } }).controlConnection.protocolVersion;
    await connection.setup(hosts, null);
    const offered = await connection.getSession();
    assert.equal((offered as unknown as { options: import('cassandra-driver').ClientOptions }).options.protocolOptions?.maxVersion, 4);
    // 2.1 speaks v3 at most: the driver steps down to it as before.
    const spoken = spokenVersion(offered);
    assert.ok(spoken === 4 || spoken === 3, `protocol version ${spoken}`);
    await connection.shutdown();
    await connection.setup(hosts, null, { protocolOptions: { maxVersion: 3 } });
    const capped = await connection.getSession();
    assert.equal(spokenVersion(capped), 3);
  });

  it('connects to 127.0.0.1 when hosts is null', async () => {
    if (!localhostIsTestNode) {
      // The node under test is elsewhere: setup(null) still aims at localhost, where nothing answers.
      await assert.rejects(
        connection.setup(null, null, { socketOptions: { connectTimeout: 1000 } }),
        instanceOf(errors.NoHostAvailableError),
      );
      return;
    }
    const conn = await connection.setup(null, null);
    assert.deepEqual(conn.hosts, ['127.0.0.1']);
    assert.deepEqual(connection.listConnections()[0]!.hosts, ['127.0.0.1']);
    assert.equal((await connection.execute(LOCAL)).rowLength, 1);
  });

  it('rejects a bad keyspace name with a ConfigurationError and registers nothing', async () => {
    for (const bad of ['bad-name', "x'; DROP KEYSPACE system; --", '', 'k'.repeat(49)]) {
      await assert.rejects(
        connection.setup(hosts, bad),
        instanceOf(ConfigurationError, (err: ConfigurationError) => {
          assert.equal(err.option, 'defaultKeyspace');
          assert.equal(err.value, bad);
        }),
      );
      assert.deepEqual(connection.listConnections(), []);
      assert.equal(registry.defaultKeyspace, undefined);
    }
  });

  it('a bad keyspace name leaves an existing setup in place', async () => {
    const ks = await keyspaces.create();
    const first = await connection.setup(hosts, ks);
    await assert.rejects(connection.setup(hosts, 'no good'), ConfigurationError);
    assert.equal(await connection.getConnection(), first);
    assert.equal(first.state, 'connected');
    assert.equal(registry.defaultKeyspace, ks);
  });

  it('sets the consistency of the connection', async () => {
    const conn = await connection.setup(hosts, null, { consistency: 'local_quorum' });
    assert.equal(conn.consistency, 6);
  });
});

describe('default()', () => {
  it("registers 'default' to localhost with the driver's defaults and makes it the default", async () => {
    if (!localhostIsTestNode) {
      await assert.rejects(connection.default(), instanceOf(errors.NoHostAvailableError));
      assert.deepEqual(connection.listConnections(), []);
      return;
    }
    const conn = await connection.default();
    assert.equal(conn.name, 'default');
    assert.deepEqual(connection.listConnections(), [
      { name: 'default', isDefault: true, state: 'connected', hosts: ['127.0.0.1'], ownsClient: true, lastError: undefined },
    ]);
    assert.equal(conn.consistency, undefined);
    assert.equal((await connection.execute(LOCAL)).rowLength, 1);
  });
});

describe('setSession()', () => {
  it("makes the user's Client the default connection, not owned by the registry", async () => {
    const client = userClient();
    try {
      const conn = await connection.setSession(client);
      assert.equal(conn.name, 'default');
      assert.equal(await connection.getSession(), client);
      assert.equal(await connection.getCluster(), client);
      const [info] = connection.listConnections();
      assert.equal(info!.isDefault, true);
      assert.equal(info!.ownsClient, false);
      assert.deepEqual(info!.hosts, hosts);
      assert.equal(registry.defaultKeyspace, undefined);
      assert.equal((await connection.execute(LOCAL)).rowLength, 1);
    } finally {
      await connection.shutdown();
      await client.shutdown();
    }
  });

  it("takes the default keyspace from a Client's keyspace", async () => {
    const ks = await keyspaces.create();
    const client = userClient({ keyspace: ks });
    try {
      await connection.setSession(client);
      assert.equal(registry.defaultKeyspace, ks);
    } finally {
      await connection.shutdown();
      await client.shutdown();
    }
  });

  it("unregistering, or shutdown(), does not shut the user's Client down", async () => {
    const client = userClient();
    try {
      await connection.setSession(client);
      await connection.execute(LOCAL);
      await connection.unregisterConnection('default');
      assert.deepEqual(connection.listConnections(), []);
      assert.equal((await client.execute(LOCAL)).rowLength, 1);

      await connection.setSession(client);
      await connection.shutdown();
      assert.equal((await client.execute(LOCAL)).rowLength, 1);
    } finally {
      await client.shutdown();
    }
    await assert.rejects(client.execute(LOCAL), /shutdown/);
  });

  it('replaces a registry-created default and shuts its Client down', async () => {
    await connection.setup(hosts, null);
    const old = await connection.getSession();
    const client = userClient();
    try {
      await connection.setSession(client);
      assert.equal(await connection.getSession(), client);
      await assert.rejects(
        old.execute(LOCAL),
        instanceOf(errors.NoHostAvailableError, (err: Error) => assert.match(err.message, /shutdown/)),
      );
    } finally {
      await connection.shutdown();
      await client.shutdown();
    }
  });
});

describe('registerConnection()', () => {
  it('connects before it resolves, and does not change the default unless asked', async () => {
    await connection.setup(hosts, null);
    const conn = await connection.registerConnection('other', { hosts });
    assert.equal(conn.state, 'connected');
    assert.ok(conn.connectedClient instanceof Client);
    assert.equal(defaultName(), 'default');
    assert.deepEqual(names(), ['default', 'other']);
  });

  it('default: true makes it the default', async () => {
    await connection.setup(hosts, null);
    const conn = await connection.registerConnection('other', { hosts, default: true });
    assert.equal(defaultName(), 'other');
    assert.equal(await connection.getConnection(), conn);
  });

  it('rejects a session together with session settings, and registers nothing', async () => {
    await connection.registerConnection('existing', { hosts });
    const session = userClient();
    try {
      const conflicting: [string, object][] = [
        ['hosts', { hosts }],
        ['consistency', { consistency: 'ONE' }],
        ['lazyConnect', { lazyConnect: true }],
        ['retryConnect', { retryConnect: true }],
        ['clusterOptions', { clusterOptions: { socketOptions: { connectTimeout: 1000 } } }],
      ];
      for (const [option, extra] of conflicting) {
        await assert.rejects(
          connection.registerConnection('withSession', { session, ...extra }),
          instanceOf(ConfigurationError, (err: ConfigurationError) => {
            assert.ok(err instanceof CQLEngineError);
            assert.equal(err.option, option);
          }),
        );
        assert.deepEqual(names(), ['existing']);
      }
    } finally {
      await session.shutdown();
    }
  });

  it('registers a session with default: true', async () => {
    const session = userClient();
    try {
      const conn = await connection.registerConnection('mine', { session, default: true });
      assert.equal(conn.ownsClient, false);
      assert.equal(defaultName(), 'mine');
      assert.equal(await connection.getSession(), session);
    } finally {
      await connection.shutdown();
      await session.shutdown();
    }
  });

  it('rejects an empty or non-string name and registers nothing', async () => {
    for (const bad of ['', '  ', 42, null, undefined]) {
      await assert.rejects(connection.registerConnection(bad as never, { hosts }), instanceOf(ConfigurationError));
    }
    assert.deepEqual(names(), []);
  });

  it('rejects an unknown consistency and registers nothing', async () => {
    await assert.rejects(
      connection.registerConnection('c', { hosts, consistency: 'MOSTLY' }),
      instanceOf(ConfigurationError, (err: ConfigurationError) => assert.equal(err.option, 'consistency')),
    );
    assert.deepEqual(names(), []);
  });
});

describe('unregisterConnection()', () => {
  it('an unknown name is a no-op', async () => {
    await connection.registerConnection('a', { hosts });
    assert.equal(await connection.unregisterConnection('nope'), undefined);
    assert.deepEqual(names(), ['a']);
  });

  it('unregistering the default leaves no default', async () => {
    await connection.setup(hosts, null);
    await connection.registerConnection('b', { hosts });
    await connection.unregisterConnection('default');
    assert.deepEqual(names(), ['b']);
    assert.equal(defaultName(), undefined);
    await assert.rejects(
      connection.getConnection(),
      instanceOf(UnknownConnectionError, (err: UnknownConnectionError) => assert.equal(err.connectionName, undefined)),
    );
    await assert.rejects(connection.execute(LOCAL), UnknownConnectionError);
    // The other connection still works by name.
    assert.equal((await connection.execute(LOCAL, undefined, { connection: 'b' })).rowLength, 1);
  });

  it('shuts down the Client the registry created', async () => {
    const conn = await connection.registerConnection('a', { hosts });
    const client = await connection.getSession('a');
    await connection.unregisterConnection('a');
    assert.equal(conn.state, 'closed');
    assert.equal(conn.connectedClient, undefined);
    await assert.rejects(
      client.execute(LOCAL),
      instanceOf(errors.NoHostAvailableError, (err: Error) => assert.match(err.message, /shutdown/)),
    );
    await assert.rejects(conn.client(), instanceOf(CQLEngineError));
    await assert.rejects(connection.getSession('a'), UnknownConnectionError);
  });
});

describe('setDefaultConnection()', () => {
  it('is synchronous and moves the default', async () => {
    await connection.registerConnection('a', { hosts, default: true });
    const b = await connection.registerConnection('b', { hosts });
    assert.equal(connection.setDefaultConnection('b'), undefined);
    assert.equal(defaultName(), 'b');
    assert.equal(await connection.getConnection(), b);
  });

  it('throws UnknownConnectionError for an unknown name and keeps the default', async () => {
    await connection.registerConnection('a', { hosts, default: true });
    assert.throws(
      () => connection.setDefaultConnection('nope'),
      instanceOf(UnknownConnectionError, (err: UnknownConnectionError) => {
        assert.ok(err instanceof CQLEngineError);
        assert.equal(err.connectionName, 'nope');
      }),
    );
    assert.equal(defaultName(), 'a');
  });
});

describe('getConnection(), getSession(), getCluster()', () => {
  it('return promises; no name means the default', async () => {
    const a = await connection.registerConnection('a', { hosts, default: true });
    const b = await connection.registerConnection('b', { hosts });
    const pending = [connection.getConnection(), connection.getSession(), connection.getCluster()];
    for (const p of pending) assert.ok(p instanceof Promise);
    const [conn, session, cluster] = await Promise.all(pending);
    assert.equal(conn, a);
    assert.equal(session, a.connectedClient);
    assert.equal(cluster, session);
    assert.equal(await connection.getConnection('b'), b);
    assert.equal(await connection.getSession('b'), b.connectedClient);
    assert.equal(await connection.getCluster('b'), await connection.getSession('b'));
    assert.notEqual(await connection.getSession('b'), session);
  });

  it("a connection's session and cluster are its Client once connected, undefined while lazy (as cqlengine's)", async () => {
    const lazy = await connection.registerConnection('lazy', { hosts, lazyConnect: true, default: true });
    assert.equal(lazy.session, undefined);
    assert.equal(lazy.cluster, undefined);
    const client = await connection.getSession('lazy');
    assert.equal(lazy.session, client);
    assert.equal(lazy.cluster, client);
    const mine = await connection.registerConnection('mine', { session: client });
    assert.equal(mine.session, client);
  });

  it('reject an unknown name with UnknownConnectionError (a rejection, not a throw)', async () => {
    await connection.registerConnection('a', { hosts, default: true });
    for (const get of [connection.getConnection, connection.getSession, connection.getCluster]) {
      const p = get('nope');
      assert.ok(p instanceof Promise);
      await assert.rejects(
        p,
        instanceOf(UnknownConnectionError, (err: UnknownConnectionError) => assert.equal(err.connectionName, 'nope')),
      );
    }
  });

  it('reject with UnknownConnectionError when there is no default', async () => {
    await connection.registerConnection('a', { hosts });
    await assert.rejects(connection.getConnection(), UnknownConnectionError);
    await assert.rejects(connection.getSession(), UnknownConnectionError);
    await assert.rejects(connection.getCluster(), UnknownConnectionError);
  });
});

describe('replacing a connection', () => {
  it('the new one wins, the old Client is shut down, the default follows the name, and a warning is logged', async () => {
    const log = captureLogs();
    try {
      const first = await connection.registerConnection('r', { hosts, default: true });
      const firstClient = await connection.getSession('r');
      await connection.registerConnection('other', { hosts });
      const second = await connection.registerConnection('r', { hosts, consistency: 'ONE' });
      assert.notEqual(second, first);
      assert.deepEqual(names(), ['r', 'other']);
      assert.equal(defaultName(), 'r');
      assert.equal(await connection.getConnection(), second);
      assert.equal(await connection.getConnection('r'), second);
      assert.equal(first.state, 'closed');
      await assert.rejects(firstClient.execute(LOCAL), instanceOf(errors.NoHostAvailableError));
      assert.equal((await connection.execute(LOCAL, undefined, { connection: 'r' })).rowLength, 1);

      const warnings = log.entries.filter((e) => e.level === 'warn').map((e) => e.message);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /^\[Connection: r\] .*already exists/);
    } finally {
      log.restore();
    }
  });

  it("a user's Client that is replaced stays open", async () => {
    const session = userClient();
    try {
      await connection.registerConnection('r', { session });
      await connection.registerConnection('r', { hosts });
      assert.equal((await session.execute(LOCAL)).rowLength, 1);
    } finally {
      await connection.shutdown();
      await session.shutdown();
    }
  });

  it('a replacement that fails to connect leaves the old one in place', async () => {
    const first = await connection.registerConnection('r', { hosts, default: true });
    await assert.rejects(
      connection.registerConnection('r', { hosts: ['127.0.0.1:1'], clusterOptions: { socketOptions: { connectTimeout: 1000 } } }),
      instanceOf(errors.NoHostAvailableError),
    );
    assert.equal(await connection.getConnection('r'), first);
    assert.equal(first.state, 'connected');
    assert.equal((await connection.execute(LOCAL)).rowLength, 1);
  });
});

describe('listConnections() and shutdown()', () => {
  it('lists name, isDefault, state, hosts, ownsClient and lastError of each connection', async () => {
    const session = userClient();
    try {
      await connection.registerConnection('eager', { hosts, default: true });
      await connection.registerConnection('lazy', { hosts, lazyConnect: true });
      await connection.registerConnection('mine', { session });
      assert.deepEqual(connection.listConnections(), [
        { name: 'eager', isDefault: true, state: 'connected', hosts, ownsClient: true, lastError: undefined },
        { name: 'lazy', isDefault: false, state: 'lazy', hosts, ownsClient: true, lastError: undefined },
        { name: 'mine', isDefault: false, state: 'connected', hosts, ownsClient: false, lastError: undefined },
      ]);
    } finally {
      await connection.shutdown();
      await session.shutdown();
    }
  });

  it('shutdown() unregisters every connection, shuts down what it created and forgets the default keyspace', async () => {
    const ks = await keyspaces.create();
    await connection.setup(hosts, ks);
    await connection.registerConnection('b', { hosts });
    await connection.registerConnection('lazy', { hosts, lazyConnect: true });
    const clients = [await connection.getSession(), await connection.getSession('b')];
    await connection.shutdown();
    assert.deepEqual(connection.listConnections(), []);
    assert.equal(registry.defaultKeyspace, undefined);
    await assert.rejects(connection.getConnection(), UnknownConnectionError);
    for (const client of clients) await assert.rejects(client.execute(LOCAL), instanceOf(errors.NoHostAvailableError));
    // The registry is usable again afterwards.
    await connection.setup(hosts, null);
    assert.equal((await connection.execute(LOCAL)).rowLength, 1);
  });
});
