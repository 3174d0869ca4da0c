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

/** A registration or removal of one name: settled (whatever its outcome), and done. */
interface Turn {
  settled: Promise<void>;
  done: boolean;
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
  /** Per name, the registration or removal last called, while it runs (see #inTurn). */
  readonly #turns = new Map<string, Turn>();

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
    return this.#inTurn(name, async () => {
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
    });
  }

  /**
   * Runs the registrations and removals of one name in the order they were called: an
   * unregister() (or shutdown()) while a registration of the name is still connecting waits for
   * that connect to end and removes what it installs, and of two registrations of one name the
   * later call wins. With nothing still running on the name, `change` starts at once, so a lazy
   * registration is in place when its call returns.
   */
  #inTurn<T>(name: string, change: () => Promise<T>): Promise<T> {
    const previous = this.#turns.get(name);
    const turn: Turn = { settled: Promise.resolve(), done: false };
    const run = async (): Promise<T> => {
      try {
        return await change();
      } finally {
        // Done before its caller resumes: a change called right after awaiting this one starts at once.
        turn.done = true;
        if (this.#turns.get(name) === turn) this.#turns.delete(name);
      }
    };
    const result = previous && !previous.done ? previous.settled.then(run) : run();
    turn.settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#turns.set(name, turn);
    return result;
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

  /**
   * Registers a Client the user owns as the default connection, under the current default's name
   * (replacing it, as cqlengine's set_session() does), else as 'default'. Its keyspace becomes the
   * default keyspace.
   */
  async setSession(session: Client): Promise<Connection> {
    // Checked before anything changes: a keyspace refused afterwards would leave the session half set.
    const keyspace = session.keyspace ? validateIdentifier(session.keyspace, 'keyspace', 'session.keyspace') : undefined;
    const name = this.#defaultName ?? DEFAULT_CONNECTION;
    if (this.#defaultName !== undefined) {
      logger().warn(formatLogContext('configuring new default session for cqlengine when one was already set', name));
    }
    const conn = await this.register(name, { session, default: true });
    if (keyspace) this.#defaultKeyspace = keyspace;
    return conn;
  }

  /** Removes a connection (an unknown name is a no-op) and shuts down its Client if the registry created it. */
  unregister(name: string, options?: CloseOptions): Promise<void> {
    return this.#inTurn(name, async () => {
      const conn = this.#connections.get(name);
      if (!conn) return;
      this.#connections.delete(name);
      if (this.#defaultName === name) this.#defaultName = undefined;
      await conn.close(options);
      logger().debug(formatLogContext('connection has been removed from the registry', name));
    });
  }

  setDefault(name: string): void {
    if (!this.#connections.has(name)) {
      this.checkNotConnecting(name);
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
          "The default connection doesn't exist in the registry: call connection.setup(), setSession() or registerConnection(name, { default: true }) first.",
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
    // Names still being registered too: what they install is removed in turn.
    const names = new Set([...this.#connections.keys(), ...this.#turns.keys()]);
    await Promise.all([...names].map((name) => this.unregister(name, options)));
    this.#defaultKeyspace = undefined;
  }
}
