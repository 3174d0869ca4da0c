/**
 * The registry's bookkeeping that needs no Cassandra: lazy connections open no socket,
 * and every invalid call is rejected before anything is registered.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Client } from 'cassandra-driver';
import { ConnectionRegistry, DEFAULT_CONNECTION, RETRY_BACKOFF } from '../../src/connection/index.js';
import { ConfigurationError, CQLEngineError, UnknownConnectionError } from '../../src/errors.js';

// A port nothing listens on is never contacted: every connection here is lazy and never used.
const HOSTS = ['127.0.0.1:1'];

describe('ConnectionRegistry without Cassandra', () => {
  let registry = new ConnectionRegistry();
  afterEach(async () => {
    await registry.shutdown();
    registry = new ConnectionRegistry();
  });

  it('exposes the retry backoff: 250 ms first, at most 1 s (recovery within 2 s)', () => {
    assert.deepEqual({ ...RETRY_BACKOFF }, { initialMs: 250, maxMs: 1_000 });
    assert.equal(DEFAULT_CONNECTION, 'default');
  });

  it('registers a lazy connection without connecting, in state lazy', async () => {
    const conn = await registry.register('a', { hosts: HOSTS, lazyConnect: true });
    assert.equal(conn.name, 'a');
    assert.equal(conn.state, 'lazy');
    assert.equal(conn.connectedClient, undefined);
    assert.deepEqual(registry.list(), [
      { name: 'a', isDefault: false, state: 'lazy', hosts: HOSTS, ownsClient: true, lastError: undefined },
    ]);
    assert.equal(registry.defaultConnectionName, undefined);
  });

  it('makes a connection the default on request, and setDefault moves it', async () => {
    await registry.register('a', { hosts: HOSTS, lazyConnect: true, default: true });
    await registry.register('b', { hosts: HOSTS, lazyConnect: true });
    assert.equal(registry.defaultConnectionName, 'a');
    assert.equal(registry.peek().name, 'a');
    assert.equal(registry.setDefault('b'), undefined);
    assert.equal(registry.peek().name, 'b');
    assert.deepEqual(
      registry.list().map((c) => [c.name, c.isDefault]),
      [
        ['a', false],
        ['b', true],
      ],
    );
  });

  it('setDefault of an unknown name throws UnknownConnectionError and keeps the default', async () => {
    await registry.register('a', { hosts: HOSTS, lazyConnect: true, default: true });
    assert.throws(
      () => registry.setDefault('nope'),
      (err: unknown) => err instanceof UnknownConnectionError && err instanceof CQLEngineError && err.connectionName === 'nope',
    );
    assert.equal(registry.defaultConnectionName, 'a');
  });

  it('rejects invalid registrations and registers nothing', async () => {
    const session = new Client({ contactPoints: HOSTS, localDataCenter: 'dc' });
    const bad: [string, object][] = [
      ['', { lazyConnect: true }],
      ['x', { session, hosts: HOSTS }],
      ['x', { session, lazyConnect: true }],
      ['x', { hosts: HOSTS, lazyConnect: true, consistency: 'SOME' }],
      ['x', { hosts: [], lazyConnect: true }],
    ];
    for (const [name, options] of bad) {
      await assert.rejects(registry.register(name, options), ConfigurationError);
    }
    await assert.rejects(registry.register(42 as never, { lazyConnect: true }), ConfigurationError);
    assert.deepEqual(registry.list(), []);
    await session.shutdown();
  });

  it('peek and get reject an unknown name, or a missing default, with UnknownConnectionError', async () => {
    assert.throws(
      () => registry.peek(),
      (err: unknown) => err instanceof UnknownConnectionError && err.connectionName === undefined,
    );
    await assert.rejects(registry.get(), UnknownConnectionError);
    await assert.rejects(registry.get('nope'), (err: unknown) => err instanceof UnknownConnectionError && err.connectionName === 'nope');
  });

  it('unregister: an unknown name is a no-op; the default is forgotten with its connection', async () => {
    const conn = await registry.register('a', { hosts: HOSTS, lazyConnect: true, default: true });
    await registry.unregister('nope');
    assert.equal(registry.list().length, 1);
    await registry.unregister('a');
    assert.deepEqual(registry.list(), []);
    assert.equal(registry.defaultConnectionName, undefined);
    assert.equal(conn.state, 'closed');
    await assert.rejects(conn.client(), CQLEngineError);
  });

  it('a user session is registered connected, not owned, with its contact points', async () => {
    const session = new Client({ contactPoints: HOSTS, localDataCenter: 'dc', keyspace: 'ks1' });
    await registry.setSession(session);
    assert.deepEqual(registry.list(), [
      { name: 'default', isDefault: true, state: 'connected', hosts: HOSTS, ownsClient: false, lastError: undefined },
    ]);
    assert.equal(registry.defaultKeyspace, 'ks1');
    await registry.shutdown();
    assert.equal(registry.defaultKeyspace, undefined);
    await session.shutdown();
  });

  it('validates the default keyspace it is given', () => {
    registry.defaultKeyspace = 'ks_ok';
    assert.equal(registry.defaultKeyspace, 'ks_ok');
    assert.throws(() => {
      registry.defaultKeyspace = 'ks; DROP';
    }, ConfigurationError);
    assert.equal(registry.defaultKeyspace, 'ks_ok');
    registry.defaultKeyspace = undefined;
    assert.equal(registry.defaultKeyspace, undefined);
  });
  it("setSession replaces the default of any name, as cqlengine's set_session does", async () => {
    await registry.register('main', { hosts: HOSTS, lazyConnect: true, default: true });
    const session = new Client({ contactPoints: HOSTS, localDataCenter: 'dc', keyspace: 'ks2' });
    try {
      const conn = await registry.setSession(session);
      assert.equal(conn.name, 'main');
      assert.deepEqual(
        registry.list().map((c) => [c.name, c.isDefault, c.ownsClient]),
        [['main', true, false]],
      );
      assert.equal(registry.defaultKeyspace, 'ks2');
    } finally {
      await registry.shutdown();
      await session.shutdown();
    }
  });

  it('setSession refuses a Client keyspace it cannot use before it changes anything', async () => {
    await registry.register('main', { hosts: HOSTS, lazyConnect: true, default: true });
    registry.defaultKeyspace = 'before';
    const session = new Client({ contactPoints: HOSTS, localDataCenter: 'dc', keyspace: 'no such' });
    try {
      await assert.rejects(registry.setSession(session), ConfigurationError);
      assert.deepEqual(
        registry.list().map((c) => [c.name, c.ownsClient]),
        [['main', true]],
      );
      assert.equal(registry.defaultKeyspace, 'before');
    } finally {
      await session.shutdown();
    }
  });

  it('registrations and removals of one name take effect in the order they were called', async () => {
    // A refused connect (nothing listens on port 1) with retryConnect is installed when it fails.
    const failing = registry.register('a', { hosts: HOSTS, retryConnect: true });
    assert.throws(() => registry.setDefault('a'), /still connecting/);
    await registry.unregister('a');
    await assert.rejects(failing);
    assert.deepEqual(registry.list(), [], 'unregister, called later, removed what the registration installed');

    const first = registry.register('a', { hosts: HOSTS, retryConnect: true });
    const second = registry.register('a', { hosts: HOSTS, lazyConnect: true, default: true });
    await assert.rejects(first);
    const later = await second;
    assert.equal(registry.peek('a'), later);
    assert.equal(registry.peek(), later);
    assert.equal(later.state, 'lazy');

    // Once a change has been awaited, the next one of the name starts at once, as before any queue.
    await registry.unregister('a');
    void registry.register('a', { hosts: HOSTS, lazyConnect: true });
    registry.setDefault('a');
    assert.equal(registry.peek().state, 'lazy');

    // shutdown() also waits for a registration still connecting, and removes it.
    const pending = registry.register('b', { hosts: HOSTS, retryConnect: true });
    await registry.shutdown();
    await assert.rejects(pending);
    assert.deepEqual(registry.list(), []);
  });
});
