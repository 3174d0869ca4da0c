/**
 * The connection module: a registry of named connections that every model, query, batch and
 * schema operation runs through. These functions act on one shared ConnectionRegistry.
 */
import type { Client, ClientOptions, QueryOptions, types } from 'cassandra-driver';
import { ConfigurationError } from '../errors.js';
import { validateIdentifier } from '../schema/identifier.js';
import { parseConsistency, type Consistency } from './consistency.js';
import type { CloseOptions, Connection, Params } from './connection.js';
import { send } from './funnel.js';
import { checkTimeout } from './validate.js';
import type { RegisterOptions } from './options.js';
import { ConnectionRegistry, DEFAULT_CONNECTION, type ConnectionInfo } from './registry.js';

export {
  Connection,
  RETRY_BACKOFF,
  RECONNECT_DELAY_MS,
  DEFAULT_DRAIN_MS,
  type CloseOptions,
  type ConnectionState,
  type Params,
} from './connection.js';
export { onStatement, STATEMENT_CHANNEL, type StatementEvent, type StatementKind } from './funnel.js';
export { ConnectionRegistry, DEFAULT_CONNECTION, type ConnectionInfo } from './registry.js';
export type { RegisterOptions } from './options.js';
export type { Consistency } from './consistency.js';

/** The registry behind the module functions, and behind every model that names no other. */
export const registry = new ConnectionRegistry();

export interface SetupOptions extends ClientOptions {
  consistency?: Consistency | null;
  lazyConnect?: boolean;
  retryConnect?: boolean;
}

/**
 * Registers the connection 'default' to `hosts` (null: ['127.0.0.1']) and makes it the default;
 * `defaultKeyspace` becomes the mapper's default keyspace. Other options go to `new Client()`.
 *
 * @example
 * ```ts
 * import { connection } from 'cqlengine';
 *
 * await connection.setup(['10.0.0.5', '10.0.0.6'], 'app', { consistency: 'LOCAL_QUORUM' });
 * // … models without a connection or keyspace of their own now use these …
 * await connection.shutdown(); // releases every socket and timer, so the process can exit
 * ```
 */
export async function setup(hosts: string[] | null, defaultKeyspace: string | null, options: SetupOptions = {}): Promise<Connection> {
  const { consistency, lazyConnect, retryConnect, ...clusterOptions } = options;
  // Checked before registering, so that a bad keyspace leaves nothing registered.
  const keyspace = defaultKeyspace == null ? undefined : validateIdentifier(defaultKeyspace, 'keyspace', 'defaultKeyspace');
  return registry.register(
    DEFAULT_CONNECTION,
    { hosts, consistency, lazyConnect, retryConnect, clusterOptions, default: true },
    // Set when the entry is installed: also when retryConnect keeps a connection whose connect failed.
    () => {
      registry.defaultKeyspace = keyspace;
    },
  );
}

/** Registers 'default' to localhost with the driver's defaults and makes it the default. */
export function defaultConnection(): Promise<Connection> {
  return registry.register(DEFAULT_CONNECTION, { default: true });
}

/** Makes a Client the user created (and keeps owning) the default connection. */
export function setSession(session: Client): Promise<Connection> {
  return registry.setSession(session);
}

/**
 * Registers a named connection (replacing one of the same name); models, queries, batches and
 * management functions pick it by name.
 *
 * @example
 * ```ts
 * import { columns, connection, model } from 'cqlengine';
 *
 * await connection.registerConnection('main', { hosts: ['10.0.0.5'], default: true });
 * await connection.registerConnection('analytics', { hosts: ['10.1.0.7'], lazyConnect: true, consistency: 'ONE' });
 *
 * const Hit = model('hits', { page: columns.text().partitionKey(), at: columns.timeuuid().primaryKey() },
 *   { connection: 'analytics', keyspace: 'stats' });
 * ```
 */
export function registerConnection(name: string, options?: RegisterOptions): Promise<Connection> {
  return registry.register(name, options);
}

/** Unregisters `name`, letting its statements in flight finish first (see CloseOptions.drainMs). */
export function unregisterConnection(name: string, options?: CloseOptions): Promise<void> {
  return registry.unregister(name, options);
}

export function setDefaultConnection(name: string): void {
  registry.setDefault(name);
}

/** The connection (default when no name), connected on first use. */
export function getConnection(name?: string): Promise<Connection> {
  return registry.get(name);
}

/** The connected Client; in Node one Client is both the Python Session and Cluster. */
export async function getSession(name?: string): Promise<Client> {
  return (await registry.get(name)).client();
}

/** The connected Client, as getSession. */
export const getCluster = getSession;

export function listConnections(): ConnectionInfo[] {
  return registry.list();
}

/**
 * Unregisters every connection and releases every socket and timer, so the process can exit. Statements
 * in flight may finish first, for up to `drainMs` (default DEFAULT_DRAIN_MS, 5 s); those cut off then
 * fail with ShutdownError.
 */
export function shutdown(options?: CloseOptions): Promise<void> {
  return registry.shutdown(options);
}

export interface ExecuteOptions extends Omit<QueryOptions, 'consistency'> {
  /** Connection name; default: the default connection. */
  connection?: string;
  /** Overrides the connection's default consistency for this statement. */
  consistency?: Consistency;
  /** Client-side timeout in milliseconds (the driver's readTimeout). */
  timeout?: number | null;
  /** The registry to find the connection in; default: the module's. */
  registry?: ConnectionRegistry;
}

function hasValues(params: Params | undefined): boolean {
  if (params == null) return false;
  return Array.isArray(params) ? params.length > 0 : Object.keys(params).length > 0;
}

/**
 * Runs one CQL statement. Values are bound, never interpolated; a statement with values is
 * prepared by default, so that the driver encodes each value with the column's own type.
 */
export async function execute(query: string, params?: Params, options: ExecuteOptions = {}): Promise<types.ResultSet> {
  const { connection, consistency, timeout, registry: own, ...queryOptions } = options;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new ConfigurationError('execute() needs a CQL string', 'query', query);
  }
  const checkedTimeout = checkTimeout(timeout);
  return send(
    (own ?? registry).peek(connection),
    { kind: 'query', cql: query, values: params, keyspace: queryOptions.keyspace },
    {
      consistency: consistency === undefined ? undefined : parseConsistency(consistency),
      timeout: checkedTimeout,
      driver: { prepare: hasValues(params), ...queryOptions },
    },
  );
}

export { defaultConnection as default };
