/** The TCP proxy the lazy and retry tests rely on: the driver really talks through it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, errors, policies } from 'cassandra-driver';
import { ensureCassandra, splitHost } from '../helpers/cassandra.js';
import { TcpProxy } from '../helpers/proxy.js';
import { FAST_FAIL, instanceOf } from '../helpers/util.js';

describe('TcpProxy', () => {
  let proxy: TcpProxy;
  let client: Client | undefined;

  before(async () => {
    const { hosts } = await ensureCassandra();
    const target = splitHost(hosts[0]!);
    proxy = await TcpProxy.start({ targetHost: target.host, targetPort: target.port });
  });

  after(async () => {
    await client?.shutdown();
    await proxy.close();
  });

  it('carries all of a driver Client traffic when given as the only contact point', async () => {
    client = new Client({
      contactPoints: [proxy.contactPoint],
      policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
      ...FAST_FAIL,
    });
    await client.connect();
    assert.ok(proxy.accepted > 0);
    // One node: no peers to learn other addresses from, so the only host is the proxy.
    const peers = await client.execute('SELECT peer FROM system.peers');
    assert.equal(peers.rowLength, 0);
    assert.deepEqual(client.hosts.keys(), [proxy.contactPoint]);
    const local = await client.execute('SELECT release_version FROM system.local');
    assert.equal(local.info.queriedHost, proxy.contactPoint);
    assert.ok(proxy.open > 0);
  });

  it('disable() cuts live connections and refuses new ones; enable() listens on the same port again', async () => {
    const port = proxy.port;
    await proxy.disable();
    assert.equal(proxy.open, 0);
    assert.equal(proxy.listening, false);
    // The first query may still meet the closing socket; once the driver sees it closed, no host is left.
    await assert.rejects(client!.execute('SELECT release_version FROM system.local'));
    await assert.rejects(client!.execute('SELECT release_version FROM system.local'), instanceOf(errors.NoHostAvailableError));
    const probe = new Client({ contactPoints: [proxy.contactPoint], localDataCenter: 'datacenter1', ...FAST_FAIL });
    await assert.rejects(probe.connect(), instanceOf(errors.NoHostAvailableError));
    await probe.shutdown();

    await proxy.enable();
    assert.equal(proxy.port, port);
    proxy.resetCount();
    const again = new Client({
      contactPoints: [proxy.contactPoint],
      policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
      ...FAST_FAIL,
    });
    try {
      await again.execute('SELECT release_version FROM system.local');
      assert.ok(proxy.accepted > 0);
    } finally {
      await again.shutdown();
    }
  });
});
