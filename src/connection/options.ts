import type { Client, ClientOptions } from 'cassandra-driver';
import { ConfigurationError, describe } from '../errors.js';
import { parseConsistency, type Consistency } from './consistency.js';
import type { ConnectionSettings } from './connection.js';

export const DEFAULT_HOSTS: readonly string[] = ['127.0.0.1'];

export interface RegisterOptions {
  /** Contact points, 'host' or 'host:port'. Default ['127.0.0.1']. */
  hosts?: string[] | null;
  /** Default consistency of every statement on this connection. */
  consistency?: Consistency | null;
  /** Open no socket until the first use. */
  lazyConnect?: boolean;
  /** After a failed connect, let a later use try again (see RETRY_BACKOFF). */
  retryConnect?: boolean;
  /** Passed to `new Client(...)` as they are. */
  clusterOptions?: ClientOptions | null;
  /** Make this the default connection. */
  default?: boolean;
  /** A Client the user created and owns; excludes every option above but `default`. */
  session?: Client | null;
}

export type Validated =
  | { kind: 'session'; session: Client; isDefault: boolean }
  | { kind: 'settings'; settings: ConnectionSettings; isDefault: boolean };

function fail(message: string, option: string, value: unknown): never {
  throw new ConfigurationError(`${message} (${option} = ${describe(value)})`, option, value);
}

function optionalBoolean(options: RegisterOptions, key: 'lazyConnect' | 'retryConnect' | 'default'): boolean {
  const value = options[key];
  if (value !== undefined && typeof value !== 'boolean') fail(`${key} must be a boolean`, key, value);
  return value ?? false;
}

/** Checks every option before anything is created, so a bad call registers nothing. */
export function validateRegisterOptions(options: RegisterOptions): Validated {
  if (options === null || typeof options !== 'object') fail('Options must be an object', 'options', options);
  const isDefault = optionalBoolean(options, 'default');
  const lazyConnect = optionalBoolean(options, 'lazyConnect');
  const retryConnect = optionalBoolean(options, 'retryConnect');

  if (options.session != null) {
    // As in Python, false booleans and null settings count as absent.
    const conflicting = (['hosts', 'consistency', 'clusterOptions'] as (keyof RegisterOptions)[])
      .filter((key) => options[key] != null)
      .concat(lazyConnect ? ['lazyConnect'] : [], retryConnect ? ['retryConnect'] : []);
    if (conflicting.length > 0) {
      fail(
        `Session configuration arguments and 'session' argument are mutually exclusive: drop ${conflicting.join(', ')}`,
        conflicting[0]!,
        options[conflicting[0] as keyof RegisterOptions],
      );
    }
    const session = options.session;
    if (typeof session.execute !== 'function' || typeof session.shutdown !== 'function') {
      fail('session must be a cassandra-driver Client', 'session', session);
    }
    return { kind: 'session', session, isDefault };
  }

  const clusterOptions = options.clusterOptions ?? {};
  if (typeof clusterOptions !== 'object' || Array.isArray(clusterOptions)) {
    fail('clusterOptions must be an object of cassandra-driver ClientOptions', 'clusterOptions', clusterOptions);
  }
  let hosts: readonly string[];
  if (options.hosts != null) {
    if (clusterOptions.contactPoints) {
      fail(
        'Give the contact points once, as hosts or as clusterOptions.contactPoints',
        'clusterOptions.contactPoints',
        clusterOptions.contactPoints,
      );
    }
    hosts = options.hosts;
  } else {
    hosts = clusterOptions.contactPoints ?? DEFAULT_HOSTS;
  }
  if (!Array.isArray(hosts) || hosts.length === 0) fail('hosts must be a non-empty array of strings', 'hosts', hosts);
  for (const host of hosts) {
    if (typeof host !== 'string' || host.trim() === '') fail('Each host must be a non-empty string', 'hosts', host);
  }
  const consistency = options.consistency != null ? parseConsistency(options.consistency) : undefined;
  return {
    kind: 'settings',
    isDefault,
    settings: { hosts: [...hosts], consistency, lazyConnect, retryConnect, clusterOptions: { ...clusterOptions } },
  };
}
