import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, types } from 'cassandra-driver';
import { DEFAULT_HOSTS, validateRegisterOptions, type RegisterOptions } from '../../src/connection/options.js';
import { checkConnectionName, checkTimeout } from '../../src/connection/validate.js';
import { ConnectionRegistry } from '../../src/connection/index.js';
import { BatchQuery, QuerySet, columns, connection, contextQuery, model } from '../../src/index.js';
import { CQLEngineError, ConfigurationError } from '../../src/errors.js';

/** A ConfigurationError at `option`; returns true for assert.throws. */
function configError(option: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ConfigurationError, String(err));
    assert.ok(err instanceof CQLEngineError);
    assert.equal(err.option, option);
    return true;
  };
}

// Never connected: a Client opens no socket until connect() or a first query.
const session = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });

describe('checkConnectionName', () => {
  it('returns a non-empty string name', () => {
    assert.equal(checkConnectionName('default'), 'default');
    assert.equal(checkConnectionName('cluster 2'), 'cluster 2');
  });

  it('rejects empty, blank and non-string names', () => {
    for (const bad of ['', '   ', '\t', undefined, null, 42, {}, ['a']]) {
      assert.throws(() => checkConnectionName(bad, 'name'), configError('name'), String(bad));
    }
  });
});

describe('validateRegisterOptions', () => {
  it('defaults to 127.0.0.1, no consistency, eager, no retry, not default', () => {
    const valid = validateRegisterOptions({});
    assert.equal(valid.kind, 'settings');
    assert.equal(valid.isDefault, false);
    if (valid.kind !== 'settings') return;
    assert.deepEqual(valid.settings, {
      hosts: ['127.0.0.1'],
      consistency: undefined,
      lazyConnect: false,
      retryConnect: false,
      clusterOptions: {},
    });
    assert.deepEqual(DEFAULT_HOSTS, ['127.0.0.1']);
  });

  it('takes hosts, consistency by name, flags and cluster options, and copies what it keeps', () => {
    const hosts = ['10.0.0.1', '10.0.0.2:9043'];
    const clusterOptions = { socketOptions: { connectTimeout: 1234 } };
    const valid = validateRegisterOptions({
      hosts,
      consistency: 'local_quorum',
      lazyConnect: true,
      retryConnect: true,
      clusterOptions,
      default: true,
    });
    assert.equal(valid.kind, 'settings');
    assert.equal(valid.isDefault, true);
    if (valid.kind !== 'settings') return;
    assert.deepEqual(valid.settings.hosts, hosts);
    assert.notEqual(valid.settings.hosts, hosts);
    assert.equal(valid.settings.consistency, types.consistencies.localQuorum);
    assert.equal(valid.settings.lazyConnect, true);
    assert.equal(valid.settings.retryConnect, true);
    assert.deepEqual(valid.settings.clusterOptions, clusterOptions);
    assert.notEqual(valid.settings.clusterOptions, clusterOptions);
  });

  it('takes the contact points from clusterOptions when hosts is absent', () => {
    const valid = validateRegisterOptions({ clusterOptions: { contactPoints: ['10.1.1.1'] } });
    assert.ok(valid.kind === 'settings');
    assert.deepEqual(valid.settings.hosts, ['10.1.1.1']);
  });

  it('treats null hosts, consistency and clusterOptions as absent', () => {
    const valid = validateRegisterOptions({ hosts: null, consistency: null, clusterOptions: null });
    assert.ok(valid.kind === 'settings');
    assert.deepEqual(valid.settings.hosts, ['127.0.0.1']);
    assert.equal(valid.settings.consistency, undefined);
  });

  it('accepts a driver consistency number', () => {
    const valid = validateRegisterOptions({ consistency: types.consistencies.two });
    assert.ok(valid.kind === 'settings');
    assert.equal(valid.settings.consistency, types.consistencies.two);
  });

  it('rejects an unknown consistency', () => {
    assert.throws(() => validateRegisterOptions({ consistency: 'MOST' }), configError('consistency'));
    assert.throws(() => validateRegisterOptions({ consistency: 99 }), configError('consistency'));
  });

  it('rejects contact points given twice', () => {
    assert.throws(
      () => validateRegisterOptions({ hosts: ['a'], clusterOptions: { contactPoints: ['b'] } }),
      configError('clusterOptions.contactPoints'),
    );
  });

  it('rejects malformed hosts', () => {
    for (const hosts of [[], [''], ['  '], ['a', 42], '127.0.0.1', 42, {}]) {
      assert.throws(() => validateRegisterOptions({ hosts: hosts as never }), configError('hosts'), JSON.stringify(hosts));
    }
  });

  it('rejects clusterOptions that are not an object', () => {
    for (const clusterOptions of ['x', 42, true, []]) {
      assert.throws(
        () => validateRegisterOptions({ clusterOptions: clusterOptions as never }),
        configError('clusterOptions'),
        JSON.stringify(clusterOptions),
      );
    }
  });

  it('rejects flags that are not booleans', () => {
    for (const key of ['lazyConnect', 'retryConnect', 'default'] as const) {
      for (const value of ['yes', 1, null, {}]) {
        assert.throws(() => validateRegisterOptions({ [key]: value } as never), configError(key), `${key}=${String(value)}`);
      }
    }
  });

  it('rejects options that are not an object', () => {
    for (const options of [null, 'x', 42]) {
      assert.throws(() => validateRegisterOptions(options as never), configError('options'));
    }
  });

  describe('with a session', () => {
    it('keeps the session, and default', () => {
      const valid = validateRegisterOptions({ session, default: true });
      assert.equal(valid.kind, 'session');
      assert.ok(valid.kind === 'session');
      assert.equal(valid.session, session);
      assert.equal(valid.isDefault, true);
    });

    it('allows false flags and null settings beside it, as Python does', () => {
      const valid = validateRegisterOptions({
        session,
        hosts: null,
        consistency: null,
        clusterOptions: null,
        lazyConnect: false,
        retryConnect: false,
      });
      assert.equal(valid.kind, 'session');
    });

    const conflicting: [keyof RegisterOptions, unknown][] = [
      ['hosts', ['127.0.0.1']],
      ['consistency', 'ONE'],
      ['lazyConnect', true],
      ['retryConnect', true],
      ['clusterOptions', {}],
    ];
    for (const [key, value] of conflicting) {
      it(`rejects ${key} beside it`, () => {
        assert.throws(
          () => validateRegisterOptions({ session, [key]: value }),
          (err: unknown) => {
            configError(key)(err);
            assert.match((err as Error).message, /mutually exclusive/);
            return true;
          },
        );
      });
    }

    it('names every conflicting option', () => {
      assert.throws(
        () => validateRegisterOptions({ session, hosts: ['h'], lazyConnect: true, retryConnect: true }),
        (err: unknown) => {
          configError('hosts')(err);
          assert.match((err as Error).message, /hosts, lazyConnect, retryConnect/);
          return true;
        },
      );
    });

    it('rejects a session that is not a Client', () => {
      for (const bad of [{}, 'client', 42, { execute() {} }]) {
        assert.throws(() => validateRegisterOptions({ session: bad as never }), configError('session'));
      }
    });
  });
});

describe('one rule per option, on every path', () => {
  const Thing = model('things', { id: columns.int().partitionKey() }, { keyspace: 'ks', registry: new ConnectionRegistry() });
  const badTimeouts: unknown[] = ['5', Infinity, -Infinity, NaN, 0, -1, 5n];

  it('a timeout is a positive, finite number of milliseconds: for batches, QuerySets, writes and execute()', async () => {
    for (const bad of badTimeouts) {
      assert.throws(() => new BatchQuery({ timeout: bad as never }), configError('timeout'), String(bad));
      assert.throws(() => Thing.objects().timeout(bad as never), configError('timeout'), String(bad));
      await assert.rejects(Thing.create({ id: 1 }, { timeout: bad as never }), configError('timeout'), String(bad));
      await assert.rejects(connection.execute('SELECT 1', [], { timeout: bad as never }), configError('timeout'), String(bad));
    }
    assert.equal(checkTimeout(0.5), 0.5);
    assert.equal(checkTimeout(undefined), undefined);
    // null is none, as cqlengine's timeout(None): the driver's readTimeout of 0.
    assert.equal(checkTimeout(null), 0);
  });

  it('a connection name is a non-blank string: for models, batches, using() and registration', async () => {
    for (const bad of ['', '  ', 42]) {
      assert.throws(
        () => model('t', { id: columns.int().partitionKey() }, { connection: bad as never }),
        configError('connection'),
        String(bad),
      );
      assert.throws(() => new BatchQuery({ connection: bad as never }), configError('connection'), String(bad));
      assert.throws(() => Thing.objects().using({ connection: bad as never }), configError('using.connection'), String(bad));
      await assert.rejects(new ConnectionRegistry().register(bad as never, { lazyConnect: true }), configError('name'), String(bad));
    }
  });

  it("a batch is a BatchQuery, or null for none (cqlengine's batch(None)): for QuerySets and writes", async () => {
    for (const bad of ['b', {}, 1, true]) {
      assert.throws(() => Thing.objects().batch(bad as never), configError('batch'), String(bad));
      await assert.rejects(Thing.create({ id: 1 }, { batch: bad as never }), configError('batch'), String(bad));
      await assert.rejects(new Thing({ id: 1 }).delete({ batch: bad as never }), configError('batch'), String(bad));
    }
    const b = new BatchQuery();
    // Out of its batch again: a QuerySet with a timeout is then allowed, as one never batched is.
    assert.doesNotThrow(() => Thing.objects().batch(b).batch(null).timeout(5));
    assert.throws(() => Thing.objects().batch(b).timeout(5), configError('timeout'));
  });

  it("null for using()'s or contextQuery's connection or keyspace is not given, as cqlengine's None", async () => {
    const plain = Thing.objects().toString();
    assert.equal(
      Thing.objects()
        .using({ keyspace: null as never, connection: null as never })
        .toString(),
      plain,
    );
    assert.equal(
      Thing.objects()
        .using({ keyspace: 'other' })
        .using({ keyspace: null as never })
        .toString(),
      plain.replace('"ks"', '"other"'),
    );
    const seen = await contextQuery([Thing], { keyspace: null as never, connection: null as never }, (T) => T.objects().toString());
    assert.equal(seen, plain);
  });

  it("a model's consistency(), ttl(), timestamp() and batch() start a QuerySet, as cqlengine's class-level ones", async () => {
    for (const qs of [Thing.consistency('ONE'), Thing.ttl(60), Thing.timestamp(new Date()), Thing.batch(null)]) {
      assert.ok(qs instanceof QuerySet);
      assert.equal(qs.model, Thing);
    }
    const b = new BatchQuery();
    await Thing.batch(b).ttl(60).create({ id: 1 });
    assert.equal(b.size, 1);
    assert.throws(() => Thing.consistency('SOMETIMES' as never), configError('consistency'));
    assert.throws(() => Thing.ttl(-1), configError('ttl'));
  });

  it('a registry option must be a ConnectionRegistry', () => {
    assert.throws(() => model('t', { id: columns.int().partitionKey() }, { registry: {} as never }), configError('registry'));
    assert.throws(() => new BatchQuery({ registry: 'default' as never }), configError('registry'));
  });
});
