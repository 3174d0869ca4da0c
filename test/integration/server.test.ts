import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureCassandra, versionAtLeast } from '../helpers/cassandra.js';

// The first line of the report names the server every other test ran against.
const cluster = await ensureCassandra();

test(`server under test: Apache Cassandra ${cluster.version} at ${cluster.hosts.join(', ')}`, () => {
  assert.match(cluster.version, /^\d+\.\d+\.\d+/);
});

test('versionAtLeast compares releases numerically', () => {
  assert.ok(versionAtLeast('5.0.9', '2.2'));
  assert.ok(versionAtLeast('2.1.10', '2.1.3'));
  assert.ok(!versionAtLeast('2.1.0', '2.1.3'));
  assert.ok(versionAtLeast('3.0', '3.0.0'));
});
