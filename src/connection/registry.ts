import type { Client } from 'cassandra-driver';
import { UnknownConnectionError } from '../errors.js';
import { formatLogContext, logger } from '../log.js';
import { validateIdentifier } from '../schema/identifier.js';
import { Connection, type CloseOptions, type ConnectionState } from './connection.js';
import { validateRegisterOptions, type RegisterOptions } from './options.js';
import { checkConnectionName } from './validate.js';

export const DEFAULT_CONNECTION = 'default';

export interface ConnectionInfo {
  name: string;
  isDefault: boolean;
  state: ConnectionState;
  hosts: readonly string[];
  /** Whether the registry created the Client (and shuts it down). */
  ownsClient: boolean;
  lastError: unknown;
}

/**
 * The registry of named connections. The `connection` module functions act on one shared
 * instance; a separate registry can be made for isolation (tests, multi-tenant services).
 */
export class ConnectionRegistry {
  readonly #connections = new Map<string, Connection>();
  #defaultName: string | undefined;
  #defaultKeyspace: string | undefined;
  readonly #connecting = new Set<{ readonly name: string; readonly isDefault: boolean }>();

  /** The mapper's default keyspace (from setup or setSession); never sent as a session keyspace. */
  get defaultKeyspace(): string | undefined {
    return this.#defaultKeyspace;
  }

  set defaultKeyspace(keyspace: string | undefined) {
    this.#defaultKeyspace = keyspace == null ? undefined : validateIdentifier(keyspace, 'keyspace', 'defaultKeyspace');
  }

  get defaultConnectionName(): string | undefined {
    return this.#defaultName;
  }

  /**
   * Registers a connection and, unless lazy, connects it. Every option is checked first; a connect
   * failure registers nothing, unless retryConnect asks to keep the entry for a later attempt.
   */
  async register(name: string, options: RegisterOptions = {}, onInstall?: () => void): Promise<Connection> {
    checkConnectionName(name, 'name');
    const valid = validateRegisterOptions(options);
    const conn = valid.kind === 'session' ? Connection.fromSession(name, valid.session) : Connection.fromSettings(name, valid.settings);
    if (valid.kind === 'settings' && !valid.settings.lazyConnect) {
      // Remembered while connecting, so that a statement sent meanwhile (an un-awaited setup()) says so.
      const pending = { name, isDefault: valid.isDefault };
      this.#connecting.add(pending);
      try {
        await conn.client();
      } catch (err) {
        if (valid.settings.retryConnect) await this.#install(name, conn, valid.isDefault, onInstall);
        throw err;
      } finally {
        this.#connecting.delete(pending);
      }
    }
    await this.#install(name, conn, valid.isDefault, onInstall);
    return conn;
  }

  async #install(name: string, conn: Connection, isDefault: boolean, onInstall?: () => void): Promise<void> {
    const previous = this.#connections.get(name);
    this.#connections.set(name, conn);
    if (isDefault) this.setDefault(name);
    onInstall?.();
    logger().debug(formatLogContext('connection registered', name));
    if (previous && previous !== conn) {
      logger().warn(formatLogContext(`Registering connection '${name}' when it already exists; the old one is replaced`, name));
      // Shuts down only what the registry created; the default keeps pointing at the name.
      await previous.close();
    }
  }

  /** Registers a Client the user owns as the default connection; its keyspace becomes the default keyspace. */
  async setSession(session: Client): Promise<Connection> {
    if (this.#defaultName !== undefined && this.#defaultName !== DEFAULT_CONNECTION) {
      logger().warn(formatLogContext('configuring new default session for cqlengine when one was already set'));
    }
    const conn = await this.register(DEFAULT_CONNECTION, { session, default: true });
    if (conn.sessionKeyspace) this.defaultKeyspace = conn.sessionKeyspace;
    return conn;
  }

  /** Removes a connection (an unknown name is a no-op) and shuts down its Client if the registry created it. */
  async unregister(name: string, options?: CloseOptions): Promise<void> {
    const conn = this.#connections.get(name);
    if (!conn) return;
    this.#connections.delete(name);
    if (this.#defaultName === name) this.#defaultName = undefined;
    await conn.close(options);
    logger().debug(formatLogContext('connection has been removed from the registry', name));
  }

  setDefault(name: string): void {
    if (!this.#connections.has(name)) {
      throw new UnknownConnectionError(`Connection '${name}' doesn't exist.`, name);
    }
    this.#defaultName = name;
    logger().debug(formatLogContext('connection has been set as default', name));
  }

  /** The registered connection, without connecting it. Throws UnknownConnectionError. */
  peek(name?: string): Connection {
    const key = name ?? this.#defaultName;
    const conn = key === undefined ? undefined : this.#connections.get(key);
    if (conn) return conn;
    this.checkNotConnecting(name);
    throw name === undefined
      ? new UnknownConnectionError(
          'No default connection: call connection.setup(), setSession() or registerConnection(name, { default: true }) first.',
          undefined,
        )
      : new UnknownConnectionError(`Connection name '${name}' doesn't exist in the registry.`, name);
  }

  /**
   * Throws when the connection (undefined: the default) is being registered and still connecting:
   * what a statement sent right after an un-awaited setup() should hear, rather than "no connection".
   */
  checkNotConnecting(name?: string): void {
    const connecting = [...this.#connecting].find((p) => (name === undefined ? p.isDefault : p.name === name));
    if (connecting) {
      throw new UnknownConnectionError(
        `Connection '${connecting.name}' is still connecting: await connection.setup() (or registerConnection) before sending statements.`,
        name,
      );
    }
  }

  /** The connection, connected (lazily, on first use). */
  async get(name?: string): Promise<Connection> {
    const conn = this.peek(name);
    if (!conn.connectedClient) await conn.client();
    return conn;
  }

  list(): ConnectionInfo[] {
    return [...this.#connections].map(([name, conn]) => ({
      name,
      isDefault: name === this.#defaultName,
      state: conn.state,
      hosts: conn.hosts,
      ownsClient: conn.ownsClient,
      lastError: conn.lastError,
    }));
  }

  /** Unregisters every connection and forgets the default keyspace, so the process can exit. */
  async shutdown(options?: CloseOptions): Promise<void> {
    const names = [...this.#connections.keys()];
    await Promise.all(names.map((name) => this.unregister(name, options)));
    this.#defaultKeyspace = undefined;
  }
}
