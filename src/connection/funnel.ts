/**
 * The one road to the wire: every statement cqlengine sends (reads, pages, writes, batches, DDL and
 * connection.execute) leaves through send(), so that options, logging, observation and the
 * lightweight-transaction check are applied once, the same way for all.
 *
 * The connection's default consistency is not applied here: the registry puts it in the Client's
 * own `queryOptions`, where the driver also lets an execution profile override it.
 */
import { subscribe, unsubscribe, channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { Client, QueryOptions, types } from 'cassandra-driver';
import { CQLEngineError, LWTError, ShutdownError } from '../errors.js';
import { FRESH_WILDCARD_SINCE, olderThan, parseVersion, type Requirement } from '../schema/version.js';
import { annotate } from './annotate.js';
import { debugEnabled, formatLogContext, logger, logValues } from '../log.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { readValue, sentAsIs, type Codec } from '../schema/types.js';
import type { CompiledStatement, StatementTemplate } from '../statements/nodes.js';
import type { Connection, Params } from './connection.js';
import { explainError } from './explain.js';

/** query: one statement (mapper or connection.execute); page: a page of a QuerySet's rows. */
export type StatementKind = 'query' | 'page' | 'batch' | 'ddl';

/** What the `cqlengine:statement` channel publishes once per statement, after it completes. */
export interface StatementEvent {
  /** Connection name. */
  readonly connection: string;
  /** The keyspace the statement targets, where the mapper knows it. */
  readonly keyspace: string | undefined;
  /**
   * The model's table, where a model sent the statement (for a batch: its tables, comma-separated);
   * for DDL from management, the model or user type it is for.
   */
  readonly model: string | undefined;
  readonly kind: StatementKind;
  /** The CQL text; for a batch, its statements joined by '; '. */
  readonly cql: string;
  /** How many values were bound. */
  readonly params: number;
  readonly durationMs: number;
  /** The driver's error, when the statement failed. */
  readonly error?: unknown;
}

export const STATEMENT_CHANNEL = 'cqlengine:statement';
// Held here so that the channel (and its hasSubscribers flag) lives as long as the module.
const statements = channel(STATEMENT_CHANNEL);

/**
 * Calls `listener` after every statement cqlengine sends, on any registry; returns the function
 * that stops it. The same events go to any `diagnostics_channel` subscriber of 'cqlengine:statement'.
 */
export function onStatement(listener: (event: StatementEvent) => void): () => void {
  const handler = (message: unknown): void => {
    // A subscriber's throw would surface as an uncaught exception: report it instead.
    try {
      listener(message as StatementEvent);
    } catch (err) {
      logger().warn(`statement listener threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  subscribe(STATEMENT_CHANNEL, handler);
  return () => void unsubscribe(STATEMENT_CHANNEL, handler);
}

export interface Outgoing {
  readonly kind: StatementKind;
  /** The CQL text (for a batch, unused: see `batch`). */
  readonly cql: string;
  /** The values bound: as they are (connection.execute), or converted by `types`. */
  readonly values?: Params | readonly unknown[] | undefined;
  /** A compiled statement's template, whose types convert its values with the connection's codec once connected. */
  readonly template?: StatementTemplate | undefined;
  /** The statements of a batch. */
  readonly batch?: readonly CompiledStatement[] | undefined;
  readonly keyspace?: string | undefined;
  /** The model behind the statement: names it in events, and maps an LWT's returned row. */
  readonly schema?: ModelSchema | undefined;
  /** Tables of a batch's models, for events. */
  readonly tables?: readonly string[] | undefined;
  /** Safe to retry; undefined leaves the driver's choice (or the caller's `driver.isIdempotent`). */
  readonly idempotent?: boolean | undefined;
  /** A lightweight transaction: a result with `[applied] = false` throws LWTError. */
  readonly conditional?: boolean | undefined;
  /** Features the server must have (a batch's come from its statements). */
  readonly requires?: readonly Requirement[] | undefined;
}

export interface SendOptions {
  /** The driver's consistency number; undefined: the connection's default. */
  readonly consistency?: number | undefined;
  /** Client-side timeout in milliseconds (the driver's readTimeout); validated by the caller. */
  readonly timeout?: number | undefined;
  readonly fetchSize?: number | undefined;
  readonly pageState?: string | Buffer | undefined;
  /** Other driver options (connection.execute's own, a batch's logged/counter/timestamp). */
  readonly driver?: QueryOptions | undefined;
}

function driverOptions(out: Outgoing, options: SendOptions): QueryOptions {
  if (options.driver === undefined) {
    // One shape for every statement of the mapper's own, options absent or not: the driver reads
    // some twenty options of each (most absent), and objects of varying shapes made those reads
    // polymorphic. The driver treats an undefined option as one not given.
    return {
      prepare: out.kind !== 'ddl',
      isIdempotent: out.idempotent,
      consistency: options.consistency,
      readTimeout: options.timeout,
      fetchSize: options.fetchSize,
      pageState: options.pageState,
    };
  }
  // Mapper statements are prepared; DDL cannot be, and connection.execute says so itself.
  const result: QueryOptions = { prepare: out.kind !== 'ddl', ...options.driver };
  if (out.idempotent !== undefined) result.isIdempotent = out.idempotent;
  if (options.consistency !== undefined) result.consistency = options.consistency;
  if (options.timeout !== undefined) result.readTimeout = options.timeout;
  if (options.fetchSize !== undefined) result.fetchSize = options.fetchSize;
  if (options.pageState !== undefined) result.pageState = options.pageState;
  return result;
}

/** What goes to the driver: the text and values of a statement, or the statements of a batch. */
interface Wire {
  readonly cql: string;
  readonly values: Params | undefined;
  readonly batch: { query: string; params: unknown[] }[] | undefined;
}

/**
 * Values as the driver takes them, converted by their CQL types. The array itself when no value
 * changes (the usual case: text, numbers, Sets and Maps go as they are), else a converted copy:
 * the statement's own values are never changed, since a QuerySet sends one statement per page.
 */
function driverValues(values: readonly unknown[], template: StatementTemplate, codec: Codec): unknown[] {
  if (template.asIsFor === codec) return values as unknown[];
  const types = template.types;
  if (types.every((type) => sentAsIs(type, codec))) {
    template.asIsFor = codec;
    return values as unknown[];
  }
  let out: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value == null) continue;
    const converted = types[i]!.toDriver(value, codec);
    if (converted !== value) (out ??= values.slice())[i] = converted;
  }
  return out ?? (values as unknown[]);
}

/** A statement's text for this Client: a wildcard SELECT goes by its column names to a server that keeps stale `*` lists. */
function textFor(template: StatementTemplate, client: Client): string {
  if (template.namedCql === undefined) return template.cql;
  return serverOf(client)?.namesColumns ? template.namedCql : template.cql;
}

function wireOf(out: Outgoing, codec: Codec, client: Client): Wire {
  if (out.batch) {
    const batch = new Array<{ query: string; params: unknown[] }>(out.batch.length);
    for (let i = 0; i < batch.length; i++) {
      const { template, values } = out.batch[i]!;
      batch[i] = { query: template.cql, params: driverValues(values, template, codec) };
    }
    return { cql: '', values: undefined, batch };
  }
  const values = out.template ? driverValues(out.values as readonly unknown[], out.template, codec) : (out.values as Params | undefined);
  return { cql: out.template ? textFor(out.template, client) : out.cql, values, batch: undefined };
}

function countValues(wire: Wire): number {
  if (wire.batch) return wire.batch.reduce((n, q) => n + q.params.length, 0);
  const v = wire.values;
  if (v == null) return 0;
  return Array.isArray(v) ? v.length : Object.keys(v).length;
}

function textOf(wire: Wire): string {
  return wire.batch ? wire.batch.map((q) => q.query).join('; ') : wire.cql;
}

function modelOf(out: Outgoing): string | undefined {
  return out.tables?.length ? out.tables.join(',') : out.schema?.table;
}

/** A value as a log line shows it: bigints with their `n`, Sets as arrays, Maps as objects (JSON shows both as `{}`). */
function logged(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

function logLine(conn: Connection, out: Outgoing, wire: Wire): string {
  const n = countValues(wire);
  let line = `${out.kind}: ${textOf(wire)} (${n} value${n === 1 ? '' : 's'})`;
  if (logValues() && n > 0) {
    // The statement's own values: the wire's may hold collections already serialized (see pack.ts).
    const shown = out.batch ? out.batch.map((q) => q.values) : out.values;
    line += ` ${JSON.stringify(shown, logged)}`;
  }
  return formatLogContext(line, conn.name, out.keyspace);
}

/**
 * Sends one statement (or batch) on a connection, connecting it first if needed. Not async: a
 * statement on a connected Client settles through one promise of the driver's and one of ours,
 * without an async function's state and the extra turns of its awaits.
 */
export function send(conn: Connection, out: Outgoing, options: SendOptions = {}): Promise<types.ResultSet> {
  const client = conn.connectedClient;
  if (client === undefined) return conn.client().then((connected) => sendOn(conn, connected, out, options));
  try {
    return sendOn(conn, client, out, options);
  } catch (err) {
    return Promise.reject(err);
  }
}

function sendOn(conn: Connection, client: Client, out: Outgoing, options: SendOptions): Promise<types.ResultSet> {
  const requires = out.batch ? batchRequires(out.batch) : out.requires;
  if (requires?.length) checkServer(conn, client, requires);
  const wire = wireOf(out, conn.codec, client);
  const queryOptions = driverOptions(out, options);
  if (debugEnabled()) logger().debug(logLine(conn, out, wire));
  // Timed only while someone listens: unobserved, a statement costs no clock reads.
  const observed = statements.hasSubscribers;
  const start = observed ? performance.now() : 0;
  conn.inFlight.begin();
  let pending: Promise<types.ResultSet>;
  try {
    pending = wire.batch ? client.batch(wire.batch, queryOptions) : client.execute(wire.cql, wire.values, queryOptions);
  } catch (error) {
    // The driver refused it at once (a bad argument): settled as a failure from the wire.
    pending = Promise.reject(error);
  }
  return pending.then(
    (result) => {
      conn.inFlight.end();
      if (observed) publish(conn, out, wire, start, undefined);
      if (out.conditional) checkApplied(result, conn.codec, out.schema);
      return result;
    },
    (error: unknown) => {
      if (observed) publish(conn, out, wire, start, error);
      const explained = annotate(failure(conn, error), { connection: conn.name, keyspace: out.keyspace, model: modelOf(out) });
      conn.inFlight.end();
      throw explained;
    },
  );
}

/** What a batch's statements need of the server, gathered without an array per statement. */
function batchRequires(batch: readonly CompiledStatement[]): Requirement[] | undefined {
  let all: Requirement[] | undefined;
  for (const s of batch) if (s.template.requires) (all ??= []).push(...s.template.requires);
  return all;
}

/** The error the caller sees: cut off by shutdown, or the driver's, explained (see explain.ts). */
function failure(conn: Connection, error: unknown): unknown {
  if (conn.cutOff) {
    return new ShutdownError(
      `Statement on connection '${conn.name}' was cut off by shutdown: it was still running when the drain time ended and the connection closed`,
      conn.name,
      error,
    );
  }
  return explainError(error, conn.name);
}

function publish(conn: Connection, out: Outgoing, wire: Wire, start: number, error: unknown): void {
  const event: StatementEvent = {
    connection: conn.name,
    keyspace: out.keyspace,
    model: modelOf(out),
    kind: out.kind,
    cql: textOf(wire),
    params: countValues(wire),
    durationMs: performance.now() - start,
    ...(error !== undefined && { error }),
  };
  statements.publish(event);
}

/** Throws LWTError when a conditional statement was not applied, with the row Cassandra returned. */
function checkApplied(result: types.ResultSet, codec: Codec, schema: ModelSchema | undefined): void {
  const row = result.first();
  if (row?.['[applied]'] !== false) return;
  const existing: Record<string, unknown> = {};
  for (const key of row.keys()) {
    if (key === '[applied]') continue;
    const column = schema?.byDbName.get(key);
    const value: unknown = row[key];
    existing[column?.name ?? key] = column ? readValue(column.type, value, codec) : value;
  }
  throw new LWTError(`Lightweight transaction not applied${schema ? ` on ${schema.name}` : ''}`, existing);
}

/** What the funnel needs to know of a Client's servers, worked out from its hosts. */
interface ServerFacts {
  /** How many hosts it was worked out over: again when hosts join (a cluster being upgraded can gain an older one). */
  readonly hosts: number;
  /** The oldest release among them. */
  readonly oldest: number[];
  /** Whether a SELECT of every column names its columns (a host older than FRESH_WILDCARD_SINCE). */
  readonly namesColumns: boolean;
}

const servers = new WeakMap<Client, ServerFacts>();

/** The facts of a Client's servers, or undefined before the driver knows any host's release. */
function serverOf(client: Client): ServerFacts | undefined {
  // A stand-in Client (tests' fakes) may have no host map: nothing known then.
  const hosts = client.hosts?.length ?? 0;
  const known = servers.get(client);
  if (known?.hosts === hosts) return known;
  let oldest: number[] | undefined;
  for (const host of client.hosts?.values() ?? []) {
    if (!host.cassandraVersion) continue;
    const version = parseVersion(host.cassandraVersion);
    if (!oldest || olderThan(version, oldest.join('.'))) oldest = version;
  }
  if (!oldest) return undefined;
  const facts = { hosts, oldest, namesColumns: olderThan(oldest, FRESH_WILDCARD_SINCE) };
  servers.set(client, facts);
  return facts;
}

/** The oldest release among a connection's servers, once its Client knows them; undefined before it has connected. */
export function oldestRelease(conn: Connection): readonly number[] | undefined {
  const client = conn.connectedClient;
  return client ? serverOf(client)?.oldest : undefined;
}

/** Refuses a statement that uses a feature some host of the connection is too old for, before it is sent. */
function checkServer(conn: Connection, client: Client, requires: readonly Requirement[]): void {
  const version = serverOf(client)?.oldest;
  if (!version) return;
  const missing = requires.find((r) => olderThan(version, r.since));
  if (missing) {
    throw new CQLEngineError(
      `${missing.feature} needs Cassandra ${missing.since} or later; connection '${conn.name}' runs ${version.join('.')}`,
    );
  }
}
