/**
 * Schema management: keyspaces and tables, on one or more connections. Each function resolves when
 * its statements have run; the driver waits for schema agreement after each schema change.
 */
import { CQLEngineError, ConfigurationError, describe } from '../errors.js';
import { quote, validateIdentifier } from '../schema/identifier.js';
import { checkRegistry, resolveScope } from '../execution/scope.js';
import { BaseModel, type ModelStatic } from '../model/model.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { UserTypeShape } from '../schema/types.js';
import { userTypesOf, withDependencies } from '../schema/user-type.js';
import { registry as defaultRegistry, type Connection, type ConnectionRegistry } from '../connection/index.js';
import { checkConnectionName } from '../connection/validate.js';
import { send } from '../connection/funnel.js';
import { tableName } from '../statements/compile.js';
import { addColumn, createIndex, createTable, createType, literal, tableOptions, type OptionValue } from '../statements/ddl.js';

export interface ConnectionsOption {
  /** Connection names to run on; default: the default connection (for tables: the model's). */
  connections?: string[];
  /** The registry whose connections to use; default: the model's (for keyspaces and types: the `connection` module's). */
  registry?: ConnectionRegistry;
}

/** Where one schema statement runs. */
interface Target {
  readonly registry: ConnectionRegistry;
  readonly connection: string | undefined;
  readonly keyspace: string;
}

export interface KeyspaceOptions extends ConnectionsOption {
  /** Default true. */
  durableWrites?: boolean;
}

export interface TableTargets extends ConnectionsOption {
  /** Keyspaces to run in; default: the model's keyspace (or the default keyspace). */
  keyspaces?: string[];
}

function connectionNames(option: string[] | undefined, fallback: string | undefined): (string | undefined)[] {
  if (option === undefined) return [fallback];
  if (!Array.isArray(option) || option.length === 0) throw new ConfigurationError('connections must be a non-empty array of names', 'connections', option);
  return option.map((name) => checkConnectionName(name, 'connections'));
}

async function ddl(target: Target, cql: string): Promise<void> {
  await send(target.registry.peek(target.connection), { kind: 'ddl', cql, keyspace: target.keyspace });
}

/**
 * CREATE KEYSPACE IF NOT EXISTS with SimpleStrategy.
 *
 * @example
 * ```ts
 * import { management } from 'cqlengine';
 *
 * await management.createKeyspaceSimple('app', 3);
 * await management.createKeyspaceSimple('stats', 1, { connections: ['analytics'] });
 * ```
 */
export async function createKeyspaceSimple(name: string, replicationFactor: number, options: KeyspaceOptions = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ConfigurationError('replicationFactor must be a positive integer', 'replicationFactor', replicationFactor);
  }
  await createKeyspace(name, { class: 'SimpleStrategy', replication_factor: replicationFactor }, options);
}

/** CREATE KEYSPACE IF NOT EXISTS with NetworkTopologyStrategy: `{ dc1: 3, dc2: 2 }`. */
export async function createKeyspaceNetworkTopology(name: string, dcReplicationMap: Record<string, number>, options: KeyspaceOptions = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  const entries = Object.entries(dcReplicationMap ?? {});
  if (entries.length === 0) throw new ConfigurationError('dcReplicationMap needs at least one data centre', 'dcReplicationMap', dcReplicationMap);
  for (const [dc, rf] of entries) {
    if (!Number.isInteger(rf) || rf < 0) throw new ConfigurationError(`Replication factor of ${dc} must be a whole number`, `dcReplicationMap.${dc}`, rf);
  }
  await createKeyspace(name, { class: 'NetworkTopologyStrategy', ...dcReplicationMap }, options);
}

async function createKeyspace(name: string, replication: Record<string, string | number>, options: KeyspaceOptions): Promise<void> {
  const durable = options.durableWrites ?? true;
  if (typeof durable !== 'boolean') throw new ConfigurationError('durableWrites must be a boolean', 'durableWrites', durable);
  const cql = `CREATE KEYSPACE IF NOT EXISTS ${quote(name)} WITH replication = ${literal(replication, 'replication')} AND durable_writes = ${durable}`;
  const registry = checkRegistry(options.registry) ?? defaultRegistry;
  for (const connection of connectionNames(options.connections, undefined)) await ddl({ registry, connection, keyspace: name }, cql);
}

export async function dropKeyspace(name: string, options: ConnectionsOption = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  const registry = checkRegistry(options.registry) ?? defaultRegistry;
  for (const connection of connectionNames(options.connections, undefined)) await ddl({ registry, connection, keyspace: name }, `DROP KEYSPACE IF EXISTS ${quote(name)}`);
}

function targets(model: ModelStatic, options: TableTargets): Target[] {
  // As cqlengine ("Models must be derived from base Model"), but naming what was given.
  if (typeof model !== 'function' || !(model.prototype instanceof BaseModel)) {
    throw new ConfigurationError(`Expected a model (made with model() or extend()), got ${describe(model)}`, 'model', model);
  }
  const schema = model.schema;
  if (schema.abstract) throw new CQLEngineError(`${schema.name} is abstract: it has no table`);
  const registry = checkRegistry(options.registry) ?? model.registry;
  const keyspaces = options.keyspaces ?? [resolveScope(schema, undefined, model.scope, registry).keyspace];
  return everyPair(registry, keyspaces, connectionNames(options.connections, model.scope?.connection ?? schema.connection));
}

/** Each keyspace on each connection, the keyspace names checked first. */
function everyPair(registry: ConnectionRegistry, keyspaces: string[], connections: (string | undefined)[]): Target[] {
  if (!Array.isArray(keyspaces) || keyspaces.length === 0) throw new ConfigurationError('keyspaces must be a non-empty array', 'keyspaces', keyspaces);
  keyspaces.forEach((k) => validateIdentifier(k, 'keyspace', 'keyspaces'));
  return connections.flatMap((connection) => keyspaces.map((keyspace) => ({ registry, connection, keyspace })));
}

/**
 * Creates the model's table, or brings an existing one up to the model: adds new columns, creates
 * missing indexes and updates changed table options. A changed primary key is refused.
 *
 * @example
 * ```ts
 * import { management } from 'cqlengine';
 *
 * await management.syncTable(User); // in the model's keyspace, on its connection
 * await management.syncTable(Note, { keyspaces: ['tenant_acme', 'tenant_globex'] });
 * ```
 */
export async function syncTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  for (const target of targets(model, options)) await syncOne(model.schema, target);
}

export interface TypeTargets extends ConnectionsOption {
  /** Keyspaces to run in; default: the default keyspace. */
  keyspaces?: string[];
}

function typeTargets(options: TypeTargets): Target[] {
  const registry = checkRegistry(options.registry) ?? defaultRegistry;
  return everyPair(registry, options.keyspaces ?? [resolveDefaultKeyspace(registry)], connectionNames(options.connections, undefined));
}

function resolveDefaultKeyspace(registry: ConnectionRegistry): string {
  const keyspace = registry.defaultKeyspace;
  if (!keyspace) throw new CQLEngineError('No keyspace given and no default keyspace: pass keyspaces, or set one with connection.setup()');
  return keyspace;
}

/**
 * Creates a user-defined type (and the types its fields use), or adds the fields an existing one
 * lacks. Changed field types are left alone: Cassandra allows few of them.
 */
export async function syncType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  const all = withDependencies(type);
  for (const target of typeTargets(options)) {
    const conn = await target.registry.get(target.connection);
    await checkKeyspace(conn, target.keyspace, `type ${type.name}`);
    for (const t of all) await syncOneType(conn, t, target);
  }
}

async function checkKeyspace(conn: Connection, keyspace: string, what: string): Promise<void> {
  const ks = await conn.connectedClient!.metadata.refreshKeyspace(keyspace).catch(() => null);
  if (!ks) throw new CQLEngineError(`Keyspace '${keyspace}' for ${what} does not exist (connection '${conn.name}')`);
}

export async function dropType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  validateIdentifier(type.name, 'type');
  for (const target of typeTargets(options)) {
    await ddl(target, `DROP TYPE IF EXISTS ${tableName(target.keyspace, type.name)}`);
  }
}

/** Creates the type in a keyspace known to exist, or adds the fields it lacks. */
async function syncOneType(conn: Connection, type: UserTypeShape, target: Target): Promise<void> {
  const keyspace = target.keyspace;
  const existing = await conn.connectedClient!.metadata.getUdt(keyspace, type.name);
  if (!existing) {
    await ddl(target, createType(type, keyspace));
    return;
  }
  const have = new Set(existing.fields.map((f) => f.name));
  for (const field of type.fields) {
    if (!have.has(field.dbName)) await ddl(target, `ALTER TYPE ${tableName(keyspace, type.name)} ADD ${field.quoted} ${field.type.cql}`);
  }
}

export async function dropTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  for (const target of targets(model, options)) {
    await ddl(target, `DROP TABLE IF EXISTS ${tableName(target.keyspace, model.schema.table!)}`);
  }
}

async function serverVersion(conn: Connection): Promise<number[]> {
  const row = (await send(conn, { kind: 'query', cql: 'SELECT release_version FROM system.local' }, { driver: { prepare: false } })).first();
  return String(row?.['release_version'] ?? '0').split(/[.-]/).slice(0, 3).map((n) => Number(n) || 0);
}

function older(version: number[], since: string): boolean {
  const wanted = since.split('.').map(Number);
  for (let i = 0; i < wanted.length; i++) {
    const have = version[i] ?? 0;
    if (have !== wanted[i]) return have < wanted[i]!;
  }
  return false;
}

/** Table option names whose current value the driver's metadata reports, to skip needless ALTERs. */
const OPTION_METADATA: Record<string, string> = {
  comment: 'comment',
  default_time_to_live: 'defaultTtl',
  gc_grace_seconds: 'gcGraceSeconds',
  bloom_filter_fp_chance: 'bloomFilterFalsePositiveChance',
  read_repair_chance: 'readRepairChance',
  dclocal_read_repair_chance: 'localReadRepairChance',
  memtable_flush_period_in_ms: 'memtableFlushPeriod',
  speculative_retry: 'speculativeRetry',
};

async function syncOne(schema: ModelSchema, target: Target): Promise<void> {
  const keyspace = target.keyspace;
  const conn = await target.registry.get(target.connection);
  const client = conn.connectedClient!;
  const version = await serverVersion(conn);
  for (const column of schema.columns) {
    const since = typeTooNew(column.type, version);
    if (since) {
      throw new CQLEngineError(
        `${schema.name}.${column.name} is ${column.type.cql}, which needs Cassandra ${since} or later; connection '${conn.name}' runs ${version.join('.')}`,
      );
    }
  }
  await checkKeyspace(conn, keyspace, `model ${schema.name}`);
  const types: UserTypeShape[] = [];
  for (const column of schema.columns) userTypesOf(column.type, types);
  for (const type of types) await syncOneType(conn, type, target);
  const table = await client.metadata.getTable(keyspace, schema.table!);
  if (!table) {
    await ddl(target, createTable(schema, keyspace));
  } else {
    const names = (cols: { name: string }[]) => cols.map((c) => c.name).join(', ');
    const wantPartition = schema.partitionKeys.map((c) => c.dbName).join(', ');
    const wantClustering = schema.clusteringKeys.map((c) => c.dbName).join(', ');
    if (names(table.partitionKeys) !== wantPartition || names(table.clusteringKeys) !== wantClustering) {
      throw new CQLEngineError(
        `Cannot sync ${schema.name}: the primary key of ${keyspace}.${schema.table} is ((${names(table.partitionKeys)}), ${names(table.clusteringKeys)}) ` +
          `but the model has ((${wantPartition}), ${wantClustering}); Cassandra cannot change a primary key, so migrate the data to a new table`,
      );
    }
    const existing = new Map(table.columns.map((c) => [c.name, c]));
    for (const column of schema.columns) {
      const current = existing.get(column.dbName);
      // A changed type is left alone, as cqlengine does: Cassandra allows few type changes.
      if (!current) await ddl(target, addColumn(schema, keyspace, column));
    }
    const changed: Record<string, OptionValue> = {};
    for (const [name, value] of Object.entries(schema.tableOptions)) {
      const field = OPTION_METADATA[name];
      const current = field ? (table as unknown as Record<string, unknown>)[field] : undefined;
      if (field === undefined || !sameOption(current, value)) changed[name] = value;
    }
    if (Object.keys(changed).length) {
      await ddl(target, `ALTER TABLE ${tableName(keyspace, schema.table!)} WITH ${tableOptions(changed).join(' AND ')}`);
    }
  }
  // Only the indexes the table lacks: a column already indexed (under any name) is left alone.
  const indexed = new Set((table?.indexes ?? []).map((i) => i.target.replace(/^(values|keys)\((.*)\)$/, '$2').replace(/^"(.*)"$/, '$1')));
  for (const column of schema.columns.filter((c) => c.isIndexed && !indexed.has(c.dbName))) {
    await ddl(target, createIndex(schema, keyspace, column));
  }
}

function typeTooNew(type: ModelSchema['columns'][number]['type'], version: number[]): string | undefined {
  if (type.since && older(version, type.since)) return type.since;
  for (const inner of [type.element, type.keyType, ...(type.items ?? []), ...(type.userType?.fields.map((f) => f.type) ?? [])]) {
    const found = inner && typeTooNew(inner, version);
    if (found) return found;
  }
  return undefined;
}

function sameOption(current: unknown, wanted: OptionValue): boolean {
  if (current === undefined || current === null) return false;
  if (typeof wanted === 'number') return Number(current) === wanted;
  return String(current) === String(wanted);
}
