import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Distribution } from './distribution.js';

export interface NodeLayout {
  readonly dir: string;
  readonly address: string;
  readonly seed: string;
  readonly initialToken: string;
  /** PasswordAuthenticator and CassandraAuthorizer (default superuser cassandra/cassandra). */
  readonly auth?: boolean | undefined;
  /** Client-to-node TLS, required, with this keystore (PKCS12). */
  readonly tls?: { readonly keystore: string; readonly password: string } | undefined;
  /** One node of several: its acknowledged writes are synced to its commit log before the ack. */
  readonly replicated?: boolean | undefined;
}

/** The settings that lock a node down: password authentication, client-to-node TLS. */
function lockdown(node: NodeLayout): Record<string, unknown> {
  return {
    ...(node.auth && { authenticator: 'PasswordAuthenticator', authorizer: 'CassandraAuthorizer' }),
    ...(node.tls && {
      client_encryption_options: {
        enabled: true,
        optional: false,
        keystore: node.tls.keystore,
        keystore_password: node.tls.password,
        store_type: 'PKCS12',
      },
    }),
  };
}

/**
 * Settings for a development node on a small machine (2 cores, a heap of a few hundred MB): one token
 * per node, no snapshots on DROP or TRUNCATE (tests drop many keyspaces), short waits at start-up.
 * Everything not named keeps the server's own default.
 */
function settings(dist: Distribution, node: NodeLayout): Record<string, unknown> {
  const dirs = {
    data_file_directories: [join(node.dir, 'data')],
    commitlog_directory: join(node.dir, 'commitlog'),
    saved_caches_directory: join(node.dir, 'saved_caches'),
  };
  const common = {
    cluster_name: 'cqlengine',
    num_tokens: 1,
    initial_token: node.initialToken,
    listen_address: node.address,
    rpc_address: node.address,
    seed_provider: [{ class_name: 'org.apache.cassandra.locator.SimpleSeedProvider', parameters: [{ seeds: node.seed }] }],
    ...dirs,
  };
  if (dist.release.line === '2.1') {
    // 2.1 fails on unknown keys, so its own packaged defaults are the base.
    const defaults = JSON.parse(readFileSync(dist.defaultsFile!, 'utf8')) as Record<string, unknown>;
    return { ...defaults, ...common, ...lockdown(node), auto_bootstrap: false, start_rpc: false };
  }
  return {
    ...common,
    partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
    endpoint_snitch: 'SimpleSnitch',
    native_transport_port: 9042,
    storage_port: 7000,
    hints_directory: join(node.dir, 'hints'),
    cdc_raw_directory: join(node.dir, 'cdc_raw'),
    // A node of several can be killed while the others serve (the fault suite does): a write is on its
    // disk before it is acknowledged. With the periodic default a killed counter leader comes back
    // with older shard clocks than its replicas hold, and later increments it leads are lost to
    // reconciliation (acknowledged ones included). A lone development node keeps the faster default.
    ...(node.replicated
      ? { commitlog_sync: 'group', commitlog_sync_group_window: '15ms' }
      : { commitlog_sync: 'periodic', commitlog_sync_period: '10000ms' }),
    commitlog_segment_size: '8MiB',
    auto_bootstrap: false,
    auto_snapshot: false,
    // A new cluster with nothing to stay compatible with: the 5.0 storage formats and features.
    storage_compatibility_mode: 'NONE',
    materialized_views_enabled: true,
    sasi_indexes_enabled: true,
    concurrent_reads: 8,
    concurrent_writes: 8,
    concurrent_counter_writes: 8,
    memtable_heap_space: '64MiB',
    memtable_offheap_space: '64MiB',
    key_cache_size: '8MiB',
    prepared_statements_cache_size: '8MiB',
    ...lockdown(node),
  };
}

const LOGBACK = `<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${cassandra.logdir}/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter"><level>INFO</level></filter>
    <encoder><pattern>%-5level %date{HH:mm:ss.SSS} %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/><appender-ref ref="STDOUT"/></root>
</configuration>
`;

/** Writes cassandra.yaml and logback.xml into the node's conf folder; returns that folder. */
export function writeNodeConfig(dist: Distribution, node: NodeLayout): string {
  for (const sub of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw', 'logs', 'conf']) {
    mkdirSync(join(node.dir, sub), { recursive: true });
  }
  const conf = join(node.dir, 'conf');
  // JSON is valid YAML; undefined values drop out.
  writeFileSync(join(conf, 'cassandra.yaml'), JSON.stringify(settings(dist, node), null, 2));
  writeFileSync(join(conf, 'logback.xml'), LOGBACK);
  return conf;
}
