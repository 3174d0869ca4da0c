/** Error shaping (src/connection/explain.ts): the driver's errors made to say what happened, one object per caller. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, types } from 'cassandra-driver';
import { annotate } from '../../src/connection/annotate.js';
import { errorForCaller, explainError, freshCopy } from '../../src/connection/explain.js';

function unavailable(required: number, alive: number): errors.ResponseError {
  const err = new errors.ResponseError(
    types.responseErrorCodes.unavailableException,
    `Not enough replicas available for query at consistency QUORUM (${required} required but only ${alive} alive)`,
  ) as errors.ResponseError & Record<string, unknown>;
  err['consistencies'] = types.consistencies.quorum;
  err['required'] = required;
  err['alive'] = alive;
  return err;
}

describe('explainError', () => {
  it('names the common server cause, its consistency and replicas, and the connection; stays a NoHostAvailableError', () => {
    const cause = unavailable(2, 1);
    const original = new errors.NoHostAvailableError({ '127.0.0.11:9042': cause, '127.0.0.12:9042': unavailable(2, 1) });
    const shaped = explainError(original, 'orders') as errors.NoHostAvailableError & { connectionName: string };
    assert.ok(shaped instanceof errors.NoHostAvailableError);
    assert.notEqual(shaped, original);
    assert.equal(shaped.connectionName, 'orders');
    assert.equal(shaped.cause, cause);
    assert.equal(shaped.innerErrors, original.innerErrors);
    assert.match(shaped.message, /^Connection 'orders': every host tried answered unavailableException: /);
    assert.match(shaped.message, /consistency QUORUM \(2 required but only 1 alive\)/);
    assert.match(shaped.message, /hosts tried: 127\.0\.0\.11:9042, 127\.0\.0\.12:9042/);
    assert.doesNotMatch(shaped.message, /See innerErrors|\n\s+at /);
  });

  it('names the connection once when the funnel adds the statement context', () => {
    const shaped = explainError(new errors.NoHostAvailableError({ a: unavailable(2, 1) }), 'orders') as Error;
    annotate(shaped, { connection: 'orders', keyspace: 'shop', model: 'items' });
    assert.match(shaped.message, /^\[Connection: orders, Keyspace: shop, Model: items\] every host tried answered unavailableException: /);
  });

  it('lists each host when the causes differ, with the original error as cause', () => {
    const original = new errors.NoHostAvailableError({ a: unavailable(2, 1), b: new Error('connect ECONNREFUSED') });
    const shaped = explainError(original, 'c') as Error;
    assert.equal(shaped.cause, original);
    assert.match(
      shaped.message,
      /^Connection 'c': all host\(s\) tried failed: a: unavailableException: .*; b: Error: connect ECONNREFUSED$/,
    );
  });

  it('says when no host could be tried at all', () => {
    const shaped = explainError(new errors.NoHostAvailableError({}), 'c') as Error;
    assert.match(shaped.message, /Connection 'c': no host available/);
  });

  it('gives each call a new object, and leaves other errors and already shaped ones as they are', () => {
    const original = new errors.NoHostAvailableError({ a: unavailable(2, 1) });
    const one = explainError(original, 'c');
    assert.notEqual(one, explainError(original, 'c'));
    assert.equal(explainError(one, 'c'), one);
    const other = new errors.ResponseError(types.responseErrorCodes.invalid, 'bad');
    assert.equal(explainError(other, 'c'), other);
  });
});

describe('errorForCaller and freshCopy', () => {
  it('1,000 callers of one failure get 1,000 objects, each with the shared failure as cause', () => {
    const shared = new errors.NoHostAvailableError({ a: new Error('connect ECONNREFUSED') });
    const got = Array.from({ length: 1000 }, () => errorForCaller(shared, 'lazy') as Error);
    assert.equal(new Set(got).size, 1000);
    assert.ok(got.every((e) => e instanceof errors.NoHostAvailableError && e.cause === shared));
    (got[0] as unknown as Record<string, unknown>)['mutated'] = true;
    assert.equal((got[1] as unknown as Record<string, unknown>)['mutated'], undefined);
  });

  it('copies any error keeping its class, message and fields', () => {
    const shared = new errors.OperationTimedOutError('timed out', '127.0.0.1:9042');
    const copy = freshCopy(shared) as errors.OperationTimedOutError;
    assert.ok(copy instanceof errors.OperationTimedOutError);
    assert.notEqual(copy, shared);
    assert.equal(copy.message, 'timed out');
    assert.equal(copy.host, '127.0.0.1:9042');
    assert.equal(copy.cause, shared);
    assert.equal(errorForCaller('text', 'c'), 'text');
  });
});
