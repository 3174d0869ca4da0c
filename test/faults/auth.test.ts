/**
 * A locked-down node (PasswordAuthenticator, CassandraAuthorizer, client-to-node TLS required) of its own
 * at 127.0.0.21, started by the repository's tool with a throwaway keystore: registerConnection with
 * credentials and TLS works, wrong credentials fail at registration naming the connection, and the
 * password shows up nowhere (errors, logs, listConnections()).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { errors } from 'cassandra-driver';
import { connection, setLogger } from '../../src/index.js';
import { cacheDir, certificate, clear, start, stop } from '../../src/tooling/cassandra/index.js';
import { captureLogs } from '../helpers/util.js';

const HOME = join(cacheDir(), 'auth-5.0');
const ADDRESS = '127.0.0.21';
const cluster = { version: '5.0', home: HOME, address: ADDRESS } as const;
const SECRET = 'cassandra';
const WRONG = 'not-the-Password-42';
const LOCAL = 'SELECT release_version FROM system.local';

let tls: { ca: string[]; host: string };

before(async () => {
  await clear(cluster);
  await start({
    ...cluster,
    nodes: 1,
    heapMb: 400,
    auth: true,
    tls: true,
    timeoutMs: 240_000,
    progress: (l) => process.stderr.write(`  [auth node] ${l}\n`),
  });
  // The certificate names the node's address: verified, not merely accepted.
  tls = { ca: [certificate(cluster)], host: ADDRESS };
});

after(async () => {
  await connection.shutdown();
  await stop(cluster);
});

const sslOptions = () => ({ ca: tls.ca });

describe('a cluster with password authentication and client-to-node TLS', () => {
  it('registerConnection with credentials and TLS options connects and serves', async () => {
    const log = captureLogs();
    try {
      const conn = await connection.registerConnection('locked', {
        hosts: [ADDRESS],
        clusterOptions: { credentials: { username: 'cassandra', password: SECRET }, sslOptions: sslOptions() },
      });
      assert.equal(conn.state, 'connected');
      const rs = await connection.execute(LOCAL, [], { connection: 'locked' });
      assert.match(String(rs.first()['release_version']), /^5\.0\./);
      // The password appears in nothing cqlengine shows.
      const listed = inspect(connection.listConnections(), { depth: 8 });
      assert.ok(!listed.includes(SECRET) && !/password|credentials/i.test(listed), listed);
      assert.ok(!log.entries.some((e) => e.message.includes(SECRET) || /password/i.test(e.message)));
      await connection.unregisterConnection('locked');
    } finally {
      log.restore();
    }
  });

  it('wrong credentials fail at registration with an error naming the connection, and never show the password', async () => {
    const log = captureLogs();
    try {
      const err = await connection
        .registerConnection('locked', {
          hosts: [ADDRESS],
          clusterOptions: { credentials: { username: 'cassandra', password: WRONG }, sslOptions: sslOptions() },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof errors.NoHostAvailableError, String(err));
      assert.match(err.message, /Connection 'locked'/);
      assert.match(err.message, /AuthenticationError|username and\/or password are incorrect/i);
      for (const text of [
        err.message,
        inspect(err, { depth: 8 }),
        inspect(connection.listConnections(), { depth: 8 }),
        ...log.entries.map((e) => e.message),
      ]) {
        assert.ok(!text.includes(WRONG), `the password shows in: ${text.slice(0, 200)}`);
      }
      assert.deepEqual(connection.listConnections(), []);
    } finally {
      log.restore();
      setLogger();
    }
  });

  it('without TLS the node refuses the client, and the error names the connection', async () => {
    const err = await connection
      .registerConnection('plain', {
        hosts: [ADDRESS],
        clusterOptions: { credentials: { username: 'cassandra', password: SECRET }, socketOptions: { connectTimeout: 3_000 } },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof errors.NoHostAvailableError, String(err));
    assert.match(err.message, /Connection 'plain'/);
    assert.ok(!err.message.includes(`${SECRET} `), 'no password in the message');
  });
});
