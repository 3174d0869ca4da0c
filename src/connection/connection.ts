import { Client, policies, type ClientOptions, type QueryOptions, types } from 'cassandra-driver';
import { ConnectionFailedError, CQLEngineError } from '../errors.js';
import { formatLogContext, logger } from '../log.js';
import { codecOf, type Codec } from '../schema/types.js';
import { discoverLocalDataCenter, needsLocalDataCenter } from './datacenter.js';
import { errorForCaller, explainError } from './explain.js';
import { send } from './funnel.js';
import {
  connectWithin,
  drainThenShutdown,
  InFlight,
  shutDownReplacedHosts,
  shutdownClean,
  TrackedReconnectionPolicy,
} from './lifecycle.js';

/** What the mapper reads of a driver Client: its options, and (driver internals) the protocol version it negotiated. */
type DriverClient = { options?: ClientOptions; controlConnection?: { protocolVersion?: number | null } };

export type ConnectionState = 'lazy' | 'connecting' | 'connected' | 'failed' | 'closed';

/**
 * Spacing of connect attempts after failures, with retryConnect: 250 ms, doubling, at most 1 s, so that a
 * retrying connection serves again within about 2 s of a node listening after an outage (one attempt a
 * second at most: attempts never pile up).
 */
export const RETRY_BACKOFF = { initialMs: 250, maxMs: 1_000 } as const;

/**
 * The driver's reconnection schedule for Clients the registry creates, unless `clusterOptions.policies.reconnection`
 * says otherwise: a try every half second for each host down (and for the control connection), so that a
 * connection serves again within 2 s of a node listening after an outage, even on a loaded machine (a
 * refused attempt costs next to nothing). The driver's own
 * default (exponential, 1 s doubling to 10 min) can leave a connection idle for minutes after a restart.
 */
export const RECONNECT_DELAY_MS = 500;

/** The stream ids of one connection under protocol v3 and later. */
const MAX_STREAMS_PER_CONNECTION = 32_768;

/**
 * The protocol version a registry-made Client offers first: v4, the newest the driver speaks to
 * Apache Cassandra, which 2.2 and later accept. Left to itself, the driver offers DSE's v2 first; an
 * Apache node refuses it, and the driver closes the socket and opens another on v4, for every control
 * connection. When that connect gave up meanwhile, the socket reopened was nobody's: the fault suite
 * found one still open after shutdown, keeping the process alive. An older node still gets a lower
 * version the same way. The user's `protocolOptions.maxVersion` wins.
 */
const FIRST_PROTOCOL_VERSION = types.protocolVersion.v4;

/** How long close() (shutdown, unregister) lets statements in flight finish by default. */
export const DEFAULT_DRAIN_MS = 5_000;

export interface CloseOptions {
  /**
   * How long statements in flight may take to finish before the sockets close (default
   * DEFAULT_DRAIN_MS; 0: close at once). Those still running then fail with ShutdownError.
   */
  drainMs?: number;
}

export interface ConnectionSettings {
  readonly hosts: readonly string[];
  /** The driver's consistency number, default of every statement on this connection. */
  readonly consistency: number | undefined;
  readonly lazyConnect: boolean;
  readonly retryConnect: boolean;
  readonly clusterOptions: ClientOptions;
}

/** Parameters of a statement: positional or named values, always bound, never interpolated. */
export type Params = unknown[] | Record<string, unknown>;

/**
 * One named connection: a cassandra-driver Client (in Node the Python Cluster and Session in one),
 * created and connected by the registry, or handed in by the user.
 */
export class Connection {
  #client: Client | undefined;
  #pending: Promise<Client> | undefined;
  #state: ConnectionState;
  #lastError: unknown;
  #failures = 0;
  #nextAttemptAt = 0;
  #codec: Codec = codecOf(undefined);
  #codecOf: unknown;
  #codecVersion: number | null | undefined;
  /** Statements in flight through the funnel, counted so that close() can let them finish. */
  readonly inFlight = new InFlight();
  #cutOff = false;

  private constructor(
    readonly name: string,
    private readonly settings: ConnectionSettings | undefined,
    session: Client | undefined,
  ) {
    this.#client = session;
    this.#state = session ? 'connected' : 'lazy';
  }

  /** A connection whose Client the registry creates, connects and shuts down. */
  static fromSettings(name: string, settings: ConnectionSettings): Connection {
    return new Connection(name, settings, undefined);
  }

  /** A connection around a Client the user owns: it is used as it is and never shut down here. */
  static fromSession(name: string, session: Client): Connection {
    return new Connection(name, undefined, session);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  /** Whether the registry created the Client (and so shuts it down). */
  get ownsClient(): boolean {
    return this.settings !== undefined;
  }

  get hosts(): readonly string[] {
    return this.settings?.hosts ?? (this.#client as { options?: ClientOptions } | undefined)?.options?.contactPoints ?? [];
  }

  get consistency(): number | undefined {
    return this.settings?.consistency;
  }

  get lazyConnect(): boolean {
    return this.settings?.lazyConnect ?? false;
  }

  get retryConnect(): boolean {
    return this.settings?.retryConnect ?? false;
  }

  /** The session keyspace of a user's Client, if it has one. */
  get sessionKeyspace(): string | undefined {
    return this.settings ? undefined : this.#client?.keyspace || undefined;
  }

  /** How the mapper hands values to this connection's Client (from its encoding options). */
  get codec(): Codec {
    const client = this.#client as DriverClient | undefined;
    if (!client) return this.#codec;
    // The protocol version is known once the Client has connected (the driver's own field; a stand-in has none).
    const version = client.controlConnection?.protocolVersion;
    if (this.#codecOf !== client || this.#codecVersion !== version) {
      this.#codec = codecOf(client.options, version);
      this.#codecOf = client;
      this.#codecVersion = version;
    }
    return this.#codec;
  }

  /** The Client when already connected: the mapper's fast path, with no promise in between. */
  get connectedClient(): Client | undefined {
    return this.#state === 'connected' ? this.#client : undefined;
  }

  /** cqlengine's `connection.session`: the Client once connected; undefined before (cqlengine's None while lazy). */
  get session(): Client | undefined {
    return this.connectedClient;
  }

  /** cqlengine's `connection.cluster`: in Node the same Client as `session`. */
  get cluster(): Client | undefined {
    return this.connectedClient;
  }

  /**
   * The connected Client, connecting first if needed. Concurrent callers share one attempt;
   * after a failure, retryConnect decides whether a later call may try again.
   */
  client(): Promise<Client> {
    if (this.#state === 'connected' && this.#client) return Promise.resolve(this.#client);
    // Each caller gets its own error object (the shared one as its cause), never the very same one.
    if (this.#pending) return this.#pending.catch((err: unknown) => Promise.reject(errorForCaller(err, this.name)));
    if (this.#state === 'closed') {
      return Promise.reject(new CQLEngineError(`Connection '${this.name}' has been unregistered`));
    }
    if (this.#state === 'failed') {
      if (!this.retryConnect) {
        return Promise.reject(
          new ConnectionFailedError(
            `Connection '${this.name}' failed to connect and was registered without retryConnect: ${errorText(this.#lastError, this.name)}`,
            this.name,
            this.#lastError,
          ),
        );
      }
      // Within the backoff window a caller fails fast with the last error, so retries never pile up.
      if (Date.now() < this.#nextAttemptAt) return Promise.reject(errorForCaller(this.#lastError, this.name));
    }
    const attempt = this.#connect();
    this.#pending = attempt;
    const clear = () => {
      if (this.#pending === attempt) this.#pending = undefined;
    };
    attempt.then(clear, clear);
    return attempt.catch((err: unknown) => Promise.reject(errorForCaller(err, this.name)));
  }

  async #connect(): Promise<Client> {
    const settings = this.settings;
    if (!settings) {
      // A user's Client: the driver makes connect() idempotent and shares concurrent calls.
      await this.#client!.connect();
      return this.#client!;
    }
    this.#state = 'connecting';
    logger().debug(formatLogContext('connecting', this.name));
    let client: Client | undefined;
    try {
      const options = await this.#clientOptions(settings);
      // Closed during the data-centre probe: no second connect for close() to wait out.
      if (!this.#isClosed()) {
        client = new Client(options);
        shutDownReplacedHosts(client);
        await connectWithin(client, options);
      }
    } catch (err) {
      if (client) await shutdownClean(client).catch(() => undefined);
      return this.#failed(err);
    }
    if (this.#isClosed() || !client) {
      if (client) await shutdownClean(client);
      throw new CQLEngineError(`Connection '${this.name}' was unregistered while connecting`);
    }
    this.#client = client;
    this.#state = 'connected';
    this.#failures = 0;
    this.#lastError = undefined;
    logger().debug(formatLogContext('connection initialized with internally created session', this.name));
    return client;
  }

  #failed(err: unknown): never {
    if (!this.#isClosed()) this.#state = 'failed';
    this.#lastError = err;
    this.#failures++;
    this.#nextAttemptAt = Date.now() + Math.min(RETRY_BACKOFF.initialMs * 2 ** (this.#failures - 1), RETRY_BACKOFF.maxMs);
    logger().warn(
      formatLogContext(
        this.retryConnect
          ? `connect failed, will try again on a use after ${this.#nextAttemptAt - Date.now()} ms: ${errorText(err, this.name)}`
          : `connect failed: ${errorText(err, this.name)}`,
        this.name,
      ),
    );
    throw err;
  }

  // A method, not an inline check, because close() may change the state across an await.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  async #clientOptions(settings: ConnectionSettings): Promise<ClientOptions> {
    const options: ClientOptions = {
      ...settings.clusterOptions,
      policies: {
        ...settings.clusterOptions.policies,
        // Tracked, so that close() can wait out the driver's leftover control-connection timer.
        reconnection: new TrackedReconnectionPolicy(
          settings.clusterOptions.policies?.reconnection ?? new policies.reconnection.ConstantReconnectionPolicy(RECONNECT_DELAY_MS),
        ),
      },
      // A connection reports itself busy only when it has no stream id left (the protocol's 32,768),
      // not at the driver's 2,048: beyond those, Python's driver waits for a free stream, where this
      // one fails the statement with BusyConnectionError. `Promise.all` over a few thousand writes
      // should work here as a loop of futures does there. The user's pooling options win.
      pooling: { maxRequestsPerConnection: MAX_STREAMS_PER_CONNECTION, ...settings.clusterOptions.pooling },
      protocolOptions: { maxVersion: FIRST_PROTOCOL_VERSION, ...settings.clusterOptions.protocolOptions },
      contactPoints: [...settings.hosts],
      // Maps, sets and 64-bit integers as JavaScript has them; the user's own encoding options win.
      encoding: { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true, ...settings.clusterOptions.encoding },
    };
    if (settings.consistency !== undefined) {
      options.queryOptions = { ...options.queryOptions, consistency: settings.consistency };
    }
    if (needsLocalDataCenter(options)) {
      options.localDataCenter = await discoverLocalDataCenter(options);
      logger().debug(formatLogContext(`local data centre is '${options.localDataCenter}'`, this.name));
    }
    return options;
  }

  /** Runs one statement (through the funnel, as every statement); values are always bound. */
  execute(query: string, params?: Params, options: QueryOptions = {}): Promise<types.ResultSet> {
    // Unprepared unless asked, as the driver's own execute().
    return send(
      this,
      { kind: 'query', cql: query, values: params, keyspace: options.keyspace },
      { driver: { prepare: false, ...options } },
    );
  }

  /**
   * Marks the connection closed and shuts down the Client if the registry created it;
   * a Client the user handed in stays open, since the user owns it.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const pending = this.#pending;
    if (pending) await pending.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    if (this.settings && client) {
      await drainThenShutdown(client, this.inFlight, options.drainMs ?? DEFAULT_DRAIN_MS, () => (this.#cutOff = true));
    }
  }

  /** Whether close() has ended the drain and is closing the sockets: a statement failing now was cut off by it. */
  get cutOff(): boolean {
    return this.#cutOff;
  }
}

/** One line for the log: a NoHostAvailableError as the caller will see it, without the driver's inspected inner errors. */
function errorText(err: unknown, connectionName: string): string {
  const explained = explainError(err, connectionName);
  const text = explained instanceof Error ? explained.message : String(explained);
  // The log line names the connection already.
  return text.startsWith(`Connection '${connectionName}': `) ? text.slice(`Connection '${connectionName}': `.length) : text;
}
