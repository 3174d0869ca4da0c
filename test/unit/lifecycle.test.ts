/** The workarounds for the driver's lifecycle gaps (src/connection/lifecycle.ts), on the driver's own objects. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from 'cassandra-driver';
import { shutDownReplacedHosts } from '../../src/connection/lifecycle.js';

interface HostMapLike {
  set(key: string, host: unknown): void;
  remove(key: string): void;
}

function fakeHost(name: string, shut: string[]) {
  return { address: name, shutdown: async (waitForPending: boolean) => void shut.push(`${name}:${waitForPending}`) };
}

describe('shutDownReplacedHosts', () => {
  it("shuts down a Host the control connection replaces in the Client's map, and one removed from it", async () => {
    // Never connected: only its HostMap is used.
    const client = new Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1' });
    shutDownReplacedHosts(client);
    const shut: string[] = [];
    const hosts = (client as unknown as { hosts: HostMapLike }).hosts;
    hosts.set('127.0.0.11:9042', fakeHost('old', shut));
    assert.deepEqual(shut, []);
    // What the driver does when it reconnects after a whole-cluster outage: a new Host under the same key.
    hosts.set('127.0.0.11:9042', fakeHost('new', shut));
    assert.deepEqual(shut, ['old:false']);
    hosts.remove('127.0.0.11:9042');
    assert.deepEqual(shut, ['old:false', 'new:false']);
  });
});
