/**
 * lazyConnect and retryConnect, observed through a TCP proxy in front of the node: the proxy counts
 * the connections the driver opens and can make the node unreachable and reachable again.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { errors } from 'cassandra-driver';
import { CQLEngineError, ConnectionFailedError, connection } from '../../src/index.js';
import { RETRY_BACKOFF, registry } from '../../src/connection/index.js';
import { TestKeyspaces, ensureCassandra, splitHost } from '../helpers/cassandra.js';
import { TcpProxy } from '../helpers/proxy.js';
import { FAST_FAIL, captureLogs, instanceOf, sleep } from '../helpers/util.js';

const LOCAL = 'SELECT release_version FROM system.local';

let hosts: string[];
let proxy: TcpProxy;
let keyspaces: TestKeyspaces;

const info = (name: string) => connection.listConnections().find((c) => c.name === name);
const noHost = instanceOf(errors.NoHostAvailableError);

before(async () => {
  ({ hosts } = await ensureCassandra());
  keyspaces = new TestKeyspaces(hosts);
  const target = splitHost(hosts[0]!);
  proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
});

beforeEach(async () => {
  await proxy.enable();
  proxy.resetCount();
});

afterEach(async () => {
  await connection.shutdown();
});

after(async () => {
  await connection.shutdown();
  await proxy.close();
  await keyspaces.drop();
});

describe('lazyConnect', () => {
  it('opens no socket before the first use, and connects on it', async () => {
    const conn = await connection.registerConnection('lazy', {
      hosts: [proxy.contactPoint],
      lazyConnect: true,
      clusterOptions: FAST_FAIL,
    });
    assert.equal(conn.state, 'lazy');
    assert.equal(info('lazy')!.state, 'lazy');
    await sleep(200);
    assert.equal(proxy.accepted, 0);

    const rs = await connection.execute(LOCAL, [], { connection: 'lazy' });
    assert.equal(rs.rowLength, 1);
    assert.ok(proxy.accepted > 0);
    assert.equal(info('lazy')!.state, 'connected');
    // All of it went through the proxy: the only host the Client knows is the proxy.
    const client = await connection.getSession('lazy');
    assert.deepEqual(client.hosts.keys(), [proxy.contactPoint]);
    assert.equal(rs.info.queriedHost, proxy.contactPoint);
  });

  it('a lazy default connection connects on getConnection(), getSession() or execute()', async () => {
    for (const use of [() => connection.getConnection(), () => connection.getSession(), () => connection.execute(LOCAL)]) {
      await connection.registerConnection('lazy', { hosts: [proxy.contactPoint], lazyConnect: true, default: true });
      assert.equal(info('lazy')!.state, 'lazy');
      await use();
      assert.equal(info('lazy')!.state, 'connected');
      await connection.unregisterConnection('lazy');
    }
  });

  it('50 concurrent first uses share one Client and one connect attempt', async () => {
    const log = captureLogs();
    try {
      await connection.registerConnection('many', { hosts: [proxy.contactPoint], lazyConnect: true, default: true });
      const [sessions, results] = await Promise.all([
        Promise.all(Array.from({ length: 50 }, () => connection.getSession('many'))),
        Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            connection.execute('SELECT release_version FROM system.local WHERE key = ?', ['local'], { prepare: i % 2 === 0 }),
          ),
        ),
      ]);
      assert.ok(sessions.every((s) => s === sessions[0]));
      assert.equal(results.length, 50);
      assert.ok(results.every((rs) => rs.rowLength === 1));
      const attempts = log.entries.filter((e) => e.message === '[Connection: many] connecting');
      assert.equal(attempts.length, 1);
      assert.equal(info('many')!.state, 'connected');
    } finally {
      log.restore();
    }
  });

  it('unregistering a lazy connection that never connected opens nothing', async () => {
    const conn = await connection.registerConnection('idle', { hosts: [proxy.contactPoint], lazyConnect: true });
    await connection.unregisterConnection('idle');
    assert.equal(conn.state, 'closed');
    assert.equal(proxy.accepted, 0);
  });

  it('unregistering while the first connect is under way shuts the new Client down', async () => {
    const conn = await connection.registerConnection('racing', { hosts: [proxy.contactPoint], lazyConnect: true });
    const use = connection.getSession('racing');
    await connection.unregisterConnection('racing');
    await assert.rejects(
      use,
      instanceOf(CQLEngineError, (err: Error) => assert.match(err.message, /unregistered/)),
    );
    assert.equal(conn.state, 'closed');
    assert.equal(conn.connectedClient, undefined);
    // Every socket the attempt opened is closed again.
    for (let i = 0; i < 50 && proxy.open > 0; i++) await sleep(20);
    assert.equal(proxy.open, 0);
  });

  it('unregistered during the data-centre probe, it never starts the Client it would have made', async () => {
    // No localDataCenter: the first connect asks the node with a probe Client of its own first.
    const conn = await connection.registerConnection('probing', { hosts: [proxy.contactPoint], lazyConnect: true });
    const use = connection.getSession('probing');
    await connection.unregisterConnection('probing');
    await assert.rejects(use, /unregistered while connecting/);
    const probeOnly = proxy.accepted;
    proxy.resetCount();
    // The same, left to finish: the probe's sockets, then the Client's own.
    await connection.registerConnection('whole', { hosts: [proxy.contactPoint], lazyConnect: true });
    await connection.getSession('whole');
    assert.ok(probeOnly < proxy.accepted, `probe only: ${probeOnly} sockets; a whole connect: ${proxy.accepted}`);
    assert.equal(conn.state, 'closed');
  });
});

/** 'retry': lazy, retrying, through the proxy. */
const registerRetrying = () =>
  connection.registerConnection('retry', { hosts: [proxy.contactPoint], lazyConnect: true, retryConnect: true, clusterOptions: FAST_FAIL });

describe('retryConnect with lazyConnect', () => {
  it('a failed first use rejects with NoHostAvailableError; within the backoff a use fails fast; after it, a use connects', async () => {
    await proxy.disable();
    await registerRetrying();
    let first: unknown;
    await assert.rejects(connection.execute(LOCAL, [], { connection: 'retry' }), (err) => {
      first = err;
      return noHost(err);
    });
    const failedAt = Date.now();
    assert.equal(info('retry')!.state, 'failed');
    // Each caller gets its own error object, with the shared failure as its cause.
    const shared = info('retry')!.lastError;
    assert.equal((first as Error).cause, shared);

    // The node is back, but within the window no attempt is made: the last error again, no connection.
    await proxy.enable();
    proxy.resetCount();
    const again = (err: unknown) => noHost(err) && err !== first && (err as Error).cause === shared;
    await assert.rejects(connection.getSession('retry'), again);
    await assert.rejects(connection.execute(LOCAL, [], { connection: 'retry' }), again);
    assert.ok(Date.now() - failedAt < RETRY_BACKOFF.initialMs, 'checked within the first window');
    assert.equal(proxy.accepted, 0);

    await sleep(RETRY_BACKOFF.initialMs + 50);
    assert.equal((await connection.execute(LOCAL, [], { connection: 'retry' })).rowLength, 1);
    assert.ok(proxy.accepted > 0);
    assert.equal(info('retry')!.state, 'connected');
    assert.equal(info('retry')!.lastError, undefined);
  });

  it('the backoff doubles after each failed attempt', async () => {
    assert.equal(RETRY_BACKOFF.initialMs, 250);
    assert.equal(RETRY_BACKOFF.maxMs, 1_000);
    await proxy.disable();
    await registerRetrying();
    await assert.rejects(connection.getSession('retry'), noHost);
    await sleep(RETRY_BACKOFF.initialMs + 50);
    // Second attempt, fails too: the next window is 500 ms.
    let second: unknown;
    await assert.rejects(connection.getSession('retry'), (err) => {
      second = err;
      return noHost(err);
    });
    await proxy.enable();
    await sleep(RETRY_BACKOFF.initialMs + 50);
    // 300 ms later: past the first window's length, within the second's.
    await assert.rejects(connection.getSession('retry'), (err) => noHost(err) && (err as Error).cause === (second as Error).cause);
    await sleep(RETRY_BACKOFF.initialMs);
    await connection.getSession('retry');
    assert.equal(info('retry')!.state, 'connected');
  });

  it('the failed attempt is logged as a warning with the connection prefix', async () => {
    const log = captureLogs();
    try {
      await proxy.disable();
      await connection.registerConnection('warned', {
        hosts: [proxy.contactPoint],
        lazyConnect: true,
        retryConnect: true,
        clusterOptions: FAST_FAIL,
      });
      await assert.rejects(connection.getSession('warned'), noHost);
      const warnings = log.entries.filter((e) => e.level === 'warn').map((e) => e.message);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /^\[Connection: warned\] connect failed, will try again/);
    } finally {
      log.restore();
    }
  });
});

describe('lazyConnect without retryConnect', () => {
  it('the first use rejects with NoHostAvailableError, later ones with ConnectionFailedError, even once the node is back', async () => {
    await proxy.disable();
    await connection.registerConnection('once', { hosts: [proxy.contactPoint], lazyConnect: true, clusterOptions: FAST_FAIL });
    let first: unknown;
    await assert.rejects(connection.execute(LOCAL, [], { connection: 'once' }), (err) => {
      first = err;
      return noHost(err);
    });
    assert.equal(info('once')!.state, 'failed');

    await proxy.enable();
    proxy.resetCount();
    await sleep(RETRY_BACKOFF.initialMs + 50);
    for (const use of [
      () => connection.execute(LOCAL, [], { connection: 'once' }),
      () => connection.getSession('once'),
      () => connection.getConnection('once'),
    ]) {
      await assert.rejects(
        use(),
        instanceOf(ConnectionFailedError, (err: ConnectionFailedError) => {
          assert.ok(err instanceof CQLEngineError);
          // The shared failure; the first caller got its own copy of it (with it as cause).
          assert.equal(err.cause, (first as Error).cause);
          assert.equal(err.connectionName, 'once');
        }),
      );
    }
    assert.equal(proxy.accepted, 0);
    assert.equal(info('once')!.state, 'failed');
  });
});

describe('eager connect to an unreachable node', () => {
  it('without retryConnect: registerConnection rejects with NoHostAvailableError and registers nothing', async () => {
    await proxy.disable();
    await connection.registerConnection('keep', { hosts, default: true });
    await assert.rejects(
      connection.registerConnection('down', { hosts: [proxy.contactPoint], default: true, clusterOptions: FAST_FAIL }),
      noHost,
    );
    assert.deepEqual(
      connection.listConnections().map((c) => [c.name, c.isDefault]),
      [['keep', true]],
    );
  });

  it('without retryConnect: setup() rejects and registers nothing, nor sets the default keyspace', async () => {
    await proxy.disable();
    const ks = await keyspaces.create();
    await assert.rejects(connection.setup([proxy.contactPoint], ks, FAST_FAIL), noHost);
    assert.deepEqual(connection.listConnections(), []);
    assert.equal(registry.defaultKeyspace, undefined);
  });

  it('with retryConnect: it rejects but stays registered (and default), failed; a later use connects', async () => {
    await proxy.disable();
    let failure: unknown;
    await assert.rejects(
      connection.registerConnection('down', {
        hosts: [proxy.contactPoint],
        retryConnect: true,
        default: true,
        clusterOptions: FAST_FAIL,
      }),
      (err) => {
        failure = err;
        return noHost(err);
      },
    );
    const entry = info('down')!;
    assert.equal(entry.state, 'failed');
    assert.equal(entry.isDefault, true);
    assert.equal(entry.lastError, (failure as Error).cause);

    await proxy.enable();
    await sleep(RETRY_BACKOFF.initialMs + 50);
    assert.equal((await connection.execute(LOCAL)).rowLength, 1);
    assert.equal(info('down')!.state, 'connected');
    assert.ok(proxy.accepted > 0);
  });

  it('with retryConnect: setup() keeps the entry and sets the default keyspace', async () => {
    await proxy.disable();
    const ks = await keyspaces.create();
    await assert.rejects(connection.setup([proxy.contactPoint], ks, { retryConnect: true, ...FAST_FAIL }), noHost);
    assert.equal(registry.defaultKeyspace, ks);
    assert.equal(info('default')!.state, 'failed');
    assert.equal(info('default')!.isDefault, true);
    await proxy.enable();
    await sleep(RETRY_BACKOFF.initialMs + 50);
    assert.equal((await connection.execute(LOCAL)).rowLength, 1);
  });
});
