/** Driver errors annotated with their statement's context, and where the default logger sends each level. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from 'cassandra-driver';
import { annotate } from '../../src/connection/annotate.js';
import { CQLEngineError } from '../../src/errors.js';
import { logger } from '../../src/log.js';

describe('annotate', () => {
  it("prefixes the message in place, keeps the driver's class and code, adds properties", () => {
    const err = new errors.ResponseError(0x2200, 'unconfigured columnfamily users');
    const same = annotate(err, { connection: 'main', keyspace: 'app', model: 'users' });
    assert.equal(same, err);
    assert.ok(err instanceof errors.ResponseError);
    assert.equal(err.code, 0x2200);
    assert.equal(
      err.message,
      '[Connection: main, Keyspace: app, Model: users] unconfigured columnfamily users: model users needs it in keyspace app; management.syncTable(model) creates it',
    );
    assert.deepEqual(
      [
        (err as unknown as Record<string, unknown>)['connection'],
        (err as unknown as Record<string, unknown>)['keyspace'],
        (err as unknown as Record<string, unknown>)['model'],
      ],
      ['main', 'app', 'users'],
    );
  });

  it('annotates an error once, however often it is passed on', () => {
    const err = new Error('boom');
    annotate(err, { connection: 'a', keyspace: undefined, model: undefined });
    annotate(err, { connection: 'b', keyspace: 'k', model: 'm' });
    assert.equal(err.message, '[Connection: a] boom');
    assert.ok(err.stack!.startsWith('Error: [Connection: a] boom\n'));
  });

  it("leaves cqlengine's own errors and non-errors alone", () => {
    const own = new CQLEngineError('mine');
    annotate(own, { connection: 'a', keyspace: 'k', model: 'm' });
    assert.equal(own.message, 'mine');
    assert.equal(annotate('text', { connection: 'a', keyspace: 'k', model: 'm' }), 'text');
  });

  it('tells how to create a missing keyspace', () => {
    const err = annotate(new errors.ResponseError(0x2200, "Keyspace 'nope' does not exist"), {
      connection: 'a',
      keyspace: 'nope',
      model: 'users',
    }) as Error;
    assert.match(err.message, /does not exist: management\.createKeyspaceSimple\('nope', replicationFactor\)/);
  });
});

describe('default logger', () => {
  it('prints warnings and errors without NODE_DEBUG; debug and info stay silent', (t) => {
    const warn = t.mock.method(console, 'warn', () => undefined);
    const error = t.mock.method(console, 'error', () => undefined);
    const log = t.mock.method(console, 'log', () => undefined);
    logger().warn('w');
    logger().error('e');
    logger().debug('d');
    logger().info('i');
    assert.deepEqual(
      warn.mock.calls.map((c) => c.arguments),
      [['cqlengine WARN w']],
    );
    assert.deepEqual(
      error.mock.calls.map((c) => c.arguments),
      [['cqlengine ERROR e']],
    );
    assert.equal(log.mock.callCount(), 0);
  });
});
