import type { QueryOptions, types } from 'cassandra-driver';
import { registry, type Connection } from '../connection/index.js';
import { LWTError } from '../errors.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { readValue, type Codec } from '../schema/types.js';
import type { CompiledStatement, Param } from '../statements/nodes.js';

export interface RunOptions {
  /** The driver's consistency number. */
  consistency?: number | undefined;
  /** Milliseconds. */
  timeout?: number | undefined;
  fetchSize?: number | undefined;
  pageState?: string | Buffer | undefined;
}

export function driverValues(params: readonly Param[], codec: Codec): unknown[] {
  const values = new Array<unknown>(params.length);
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    values[i] = p.type === undefined || p.value == null ? p.value : p.type.toDriver(p.value, codec);
  }
  return values;
}

export function queryOptions(conn: Connection, stmt: { idempotent: boolean }, options: RunOptions): QueryOptions {
  const result: QueryOptions = { prepare: true, isIdempotent: stmt.idempotent };
  const consistency = options.consistency ?? conn.consistency;
  if (consistency !== undefined) result.consistency = consistency;
  if (options.timeout !== undefined) result.readTimeout = options.timeout;
  if (options.fetchSize !== undefined) result.fetchSize = options.fetchSize;
  if (options.pageState !== undefined) result.pageState = options.pageState;
  return result;
}

/** The connection, connected; the fast path has no await when it already is. */
export async function connected(name: string | undefined): Promise<Connection> {
  const conn = registry.peek(name);
  if (!conn.connectedClient) await conn.client();
  return conn;
}

/** Runs one compiled statement on a named connection (undefined: the default). */
export async function run(
  connection: string | undefined,
  stmt: CompiledStatement,
  options: RunOptions,
  schema?: ModelSchema,
): Promise<types.ResultSet> {
  const conn = await connected(connection);
  const result = await conn.connectedClient!.execute(stmt.cql, driverValues(stmt.params, conn.codec), queryOptions(conn, stmt, options));
  if (stmt.conditional) checkApplied(result, conn.codec, schema);
  return result;
}

/** Throws LWTError when a conditional statement was not applied, with the row Cassandra returned. */
export function checkApplied(result: types.ResultSet, codec: Codec, schema?: ModelSchema): void {
  const row = result.first();
  if (!row || row['[applied]'] !== false) return;
  const existing: Record<string, unknown> = {};
  for (const key of row.keys()) {
    if (key === '[applied]') continue;
    const column = schema?.byDbName.get(key);
    const value: unknown = row[key];
    existing[column?.name ?? key] = column ? readValue(column.type, value, codec) : value;
  }
  throw new LWTError(`Lightweight transaction not applied${schema ? ` on ${schema.name}` : ''}`, existing);
}
