import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogContext, logger, setLogger, type Logger } from '../../src/log.js';

describe('formatLogContext', () => {
  it('prefixes the connection name, as Python cqlengine does', () => {
    assert.equal(formatLogContext('hello', 'cluster1'), '[Connection: cluster1] hello');
  });

  it('names DEFAULT_CONNECTION when no connection is given', () => {
    assert.equal(formatLogContext('hello'), '[Connection: DEFAULT_CONNECTION] hello');
    assert.equal(formatLogContext('hello', undefined, 'ks'), '[Connection: DEFAULT_CONNECTION, Keyspace: ks] hello');
  });

  it('adds the keyspace when there is one', () => {
    assert.equal(formatLogContext('msg', 'c', 'ks1'), '[Connection: c, Keyspace: ks1] msg');
    assert.equal(formatLogContext('msg', 'c', ''), '[Connection: c] msg');
  });
});

describe('setLogger', () => {
  it('plugs a logger in and restores the default with no argument', () => {
    const original = logger();
    const seen: string[] = [];
    const mine: Logger = {
      debug: (m) => seen.push(`debug ${m}`),
      info: (m) => seen.push(`info ${m}`),
      warn: (m) => seen.push(`warn ${m}`),
      error: (m) => seen.push(`error ${m}`),
    };
    try {
      setLogger(mine);
      assert.equal(logger(), mine);
      logger().warn('w');
      logger().debug('d');
      assert.deepEqual(seen, ['warn w', 'debug d']);
    } finally {
      setLogger();
    }
    assert.equal(logger(), original);
    // The default logger never throws (debug is silent without NODE_DEBUG=cqlengine; errors go to stderr).
    logger().debug('x');
    logger().error('y');
  });
});
