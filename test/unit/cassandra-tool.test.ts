import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeNodeConfig } from '../../src/tooling/cassandra/config.js';
import { withLock } from '../../src/tooling/cassandra/lock.js';
import { initialToken, nodeAddress } from '../../src/tooling/cassandra/node.js';
import { cacheDir, clusterHome } from '../../src/tooling/cassandra/paths.js';
import { RELEASES, resolveRelease } from '../../src/tooling/cassandra/versions.js';

describe('local Cassandra tool', () => {
  it('resolves a version as users write it, 5.0 by default, and refuses unknown ones', () => {
    assert.equal(resolveRelease('5.0').release, '5.0.9');
    assert.equal(resolveRelease('5.0.9').line, '5.0');
    assert.equal(resolveRelease('2.1').release, '2.1.0');
    assert.equal(resolveRelease('').line, '5.0');
    const saved = process.env.CQLENGINE_CASSANDRA_VERSION;
    try {
      delete process.env.CQLENGINE_CASSANDRA_VERSION;
      assert.equal(resolveRelease().line, '5.0');
      process.env.CQLENGINE_CASSANDRA_VERSION = '2.1';
      assert.equal(resolveRelease().line, '2.1');
    } finally {
      if (saved === undefined) delete process.env.CQLENGINE_CASSANDRA_VERSION;
      else process.env.CQLENGINE_CASSANDRA_VERSION = saved;
    }
    assert.throws(() => resolveRelease('4.1'), /Unknown Cassandra version '4.1'. Known: 5.0 \(5.0.9\), 2.1 \(2.1.0\)/);
  });

  it('pins 5.0 to a checksum', () => {
    const source = RELEASES['5.0'].source;
    assert.equal(source.kind, 'maven');
    assert.match(source.kind === 'maven' ? source.sha256 : '', /^[0-9a-f]{64}$/);
  });

  it('numbers node addresses from the first one, on loopback only', () => {
    assert.equal(nodeAddress(1), '127.0.0.1');
    assert.equal(nodeAddress(3, '127.0.0.11'), '127.0.0.13');
    assert.throws(() => nodeAddress(1, '10.0.0.1'), /loopback/);
    assert.throws(() => nodeAddress(3, '127.0.0.253'), /would need address/);
  });

  it('spaces tokens evenly over the Murmur3 range', () => {
    assert.equal(initialToken(1, 3), '-9223372036854775808');
    assert.equal(BigInt(initialToken(2, 2)), 0n);
  });

  it('keeps downloads and data in a cache outside the checkout, overridable', () => {
    const saved = { ...process.env };
    try {
      delete process.env.CQLENGINE_CASSANDRA_HOME;
      process.env.CQLENGINE_CASSANDRA_CACHE = '/tmp/cqle-cache';
      assert.equal(cacheDir(), '/tmp/cqle-cache');
      assert.equal(clusterHome(RELEASES['5.0']), '/tmp/cqle-cache/cassandra-5.0');
      assert.equal(clusterHome(RELEASES['2.1'], '/data/c'), '/data/c');
      delete process.env.CQLENGINE_CASSANDRA_CACHE;
      process.env.XDG_CACHE_HOME = '/tmp/xdg';
      assert.equal(cacheDir(), '/tmp/xdg/cqlengine');
    } finally {
      process.env = saved;
    }
  });

  it('writes a 5.0 configuration of its own for a small machine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cqle-conf-'));
    try {
      const conf = writeNodeConfig(
        { release: RELEASES['5.0'], classPath: '' },
        { dir, address: '127.0.0.2', seed: '127.0.0.1', initialToken: '0' },
      );
      const yaml = JSON.parse(readFileSync(join(conf, 'cassandra.yaml'), 'utf8')) as Record<string, unknown>;
      assert.equal(yaml.listen_address, '127.0.0.2');
      assert.equal(yaml.rpc_address, '127.0.0.2');
      assert.equal(yaml.auto_snapshot, false);
      assert.equal(yaml.storage_compatibility_mode, 'NONE');
      assert.deepEqual(yaml.data_file_directories, [join(dir, 'data')]);
      assert.match(JSON.stringify(yaml.seed_provider), /"seeds":"127.0.0.1"/);
      assert.match(readFileSync(join(conf, 'logback.xml'), 'utf8'), /system\.log/);
      assert.equal(yaml.commitlog_sync, 'periodic');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('syncs the commit log before acknowledging a write on a node of several (a killed counter leader loses nothing)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cqle-conf-'));
    try {
      const conf = writeNodeConfig(
        { release: RELEASES['5.0'], classPath: '' },
        { dir, address: '127.0.0.12', seed: '127.0.0.11', initialToken: '0', replicated: true },
      );
      const yaml = JSON.parse(readFileSync(join(conf, 'cassandra.yaml'), 'utf8')) as Record<string, unknown>;
      assert.equal(yaml.commitlog_sync, 'group');
      assert.equal(yaml.commitlog_sync_group_window, '15ms');
      assert.equal(yaml.commitlog_sync_period, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('local Cassandra tool: the start lock', () => {
  it('takes over at once the lock of a start that was killed, and leaves none behind', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cqle-lock-'));
    try {
      // A pid that no longer runs: a child that has exited.
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      mkdirSync(join(home, 'start.lock'));
      writeFileSync(join(home, 'start.lock', 'owner'), String(gone));
      const ran = await withLock(home, 3_600_000, async () => {
        assert.equal(readFileSync(join(home, 'start.lock', 'owner'), 'utf8'), String(process.pid));
        return 'ran';
      });
      assert.equal(ran, 'ran');
      assert.equal(existsSync(join(home, 'start.lock')), false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('local Cassandra tool: a port taken by something else', () => {
  it('refuses to reuse it or to seed new nodes to it, and names what it found', async () => {
    const { createServer } = await import('node:net');
    const { start } = await import('../../src/tooling/cassandra/index.js');
    // Accepts connections and never answers: not a Cassandra of ours.
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(9042, '127.0.0.50', resolve));
    const home = mkdtempSync(join(tmpdir(), 'cqle-foreign-'));
    try {
      await assert.rejects(
        start({ home, address: '127.0.0.50', nodes: 2, version: '5.0' }),
        /127\.0\.0\.50:9042 is already taken by a process that does not answer CQL.*will not join a foreign cluster/s,
      );
      await assert.rejects(start({ home, address: '127.0.0.50', nodes: 1, version: '5.0' }), /but Cassandra 5\.0\.9 was asked for/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(home, { recursive: true, force: true });
    }
  });
});
