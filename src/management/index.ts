/**
 * Schema management: keyspaces and tables, on one or more connections. Each function resolves when
 * its statements have run; the driver waits for schema agreement after each schema change.
 */
import { CQLEngineError, ConfigurationError } from '../errors.js';
import { quote, validateIdentifier } from '../schema/identifier.js';
import { resolveScope } from '../execution/scope.js';
import type { ModelStatic } from '../model/model.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { UserTypeShape } from '../schema/types.js';
import { userTypesOf, withDependencies } from '../schema/user-type.js';
import { registry, type Connection } from '../connection/index.js';
import { send } from '../connection/funnel.js';
import { addColumn, createIndex, createTable, createType, literal, tableName, tableOptions, type OptionValue } from '../statements/ddl.js';
import { olderThan, parseVersion } from '../schema/version.js';

export interface ConnectionsOption {
  /** Connection names to run on; default: the default connection (for tables: the model's). */
  connections?: string[];
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
  return option;
}

async function ddl(connection: string | undefined, cql: string, keyspace?: string): Promise<void> {
  await send(registry.peek(connection), { kind: 'ddl', cql, keyspace });
}

/** CREATE KEYSPACE IF NOT EXISTS with SimpleStrategy. */
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
  for (const connection of connectionNames(options.connections, undefined)) await ddl(connection, cql, name);
}

export async function dropKeyspace(name: string, options: ConnectionsOption = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  for (const connection of connectionNames(options.connections, undefined)) await ddl(connection, `DROP KEYSPACE IF EXISTS ${quote(name)}`, name);
}

function targets(model: ModelStatic, options: TableTargets): { connection: string | undefined; keyspace: string }[] {
  const schema = model.schema;
  if (schema.abstract) throw new CQLEngineError(`${schema.name} is abstract: it has no table`);
  const keyspaces = options.keyspaces ?? [resolveScope(schema, undefined, model.scope).keyspace];
  return everyPair(keyspaces, connectionNames(options.connections, model.scope?.connection ?? schema.connection));
}

/** Each keyspace on each connection, the keyspace names checked first. */
function everyPair(keyspaces: string[], connections: (string | undefined)[]): { connection: string | undefined; keyspace: string }[] {
  if (!Array.isArray(keyspaces) || keyspaces.length === 0) throw new ConfigurationError('keyspaces must be a non-empty array', 'keyspaces', keyspaces);
  keyspaces.forEach((k) => validateIdentifier(k, 'keyspace', 'keyspaces'));
  return connections.flatMap((connection) => keyspaces.map((keyspace) => ({ connection, keyspace })));
}

/**
 * Creates the model's table, or brings an existing one up to the model: adds new columns, creates
 * missing indexes and updates changed table options. A changed primary key is refused.
 */
export async function syncTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  for (const { connection, keyspace } of targets(model, options)) await syncOne(model.schema, connection, keyspace);
}

export interface TypeTargets extends ConnectionsOption {
  /** Keyspaces to run in; default: the default keyspace. */
  keyspaces?: string[];
}

function typeTargets(options: TypeTargets): { connection: string | undefined; keyspace: string }[] {
  return everyPair(options.keyspaces ?? [resolveDefaultKeyspace()], connectionNames(options.connections, undefined));
}

function resolveDefaultKeyspace(): string {
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
  for (const { connection, keyspace } of typeTargets(options)) {
    const conn = await registry.get(connection);
    await checkKeyspace(conn, keyspace, `type ${type.name}`);
    for (const t of all) await syncOneType(conn, t, keyspace);
  }
}

async function checkKeyspace(conn: Connection, keyspace: string, what: string): Promise<void> {
  const ks = await conn.connectedClient!.metadata.refreshKeyspace(keyspace).catch(() => null);
  if (!ks) throw new CQLEngineError(`Keyspace '${keyspace}' for ${what} does not exist (connection '${conn.name}')`);
}

export async function dropType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  validateIdentifier(type.name, 'type');
  for (const { connection, keyspace } of typeTargets(options)) {
    await ddl(connection, `DROP TYPE IF EXISTS ${tableName(keyspace, type.name)}`, keyspace);
  }
}

/** Creates the type in a keyspace known to exist, or adds the fields it lacks. */
async function syncOneType(conn: Connection, type: UserTypeShape, keyspace: string): Promise<void> {
  const existing = await conn.connectedClient!.metadata.getUdt(keyspace, type.name);
  if (!existing) {
    await ddl(conn.name, createType(type, keyspace), keyspace);
    return;
  }
  const have = new Set(existing.fields.map((f) => f.name));
  for (const field of type.fields) {
    if (!have.has(field.dbName)) await ddl(conn.name, `ALTER TYPE ${tableName(keyspace, type.name)} ADD ${field.quoted} ${field.type.cql}`, keyspace);
  }
}

export async function dropTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  for (const { connection, keyspace } of targets(model, options)) {
    await ddl(connection, `DROP TABLE IF EXISTS ${tableName(keyspace, model.schema.table!)}`, keyspace);
  }
}

async function serverVersion(conn: Connection): Promise<number[]> {
  const row = (await send(conn, { kind: 'query', cql: 'SELECT release_version FROM system.local' }, { driver: { prepare: false } })).first();
  return parseVersion(String(row?.['release_version'] ?? '0'));
}

const older = olderThan;

/** What an index kind needs of the server, beyond its column's type. */
function indexTooNew(column: ModelSchema['columns'][number], version: number[]): { what: string; since: string } | undefined {
  const using = column.indexUsing;
  if (using !== undefined && (using.toLowerCase() === 'sai' || using.endsWith('StorageAttachedIndex')) && older(version, '5.0')) return { what: 'a storage-attached (SAI) index', since: '5.0' };
  if (using !== undefined && using.endsWith('SASIIndex') && older(version, '3.4')) return { what: 'a SASI index', since: '3.4' };
  if (column.indexOn === 'entries' && older(version, '2.2')) return { what: 'an index on map entries', since: '2.2' };
  if (column.indexOn === 'full' && older(version, '2.1.3')) return { what: 'an index on a whole frozen collection', since: '2.1.3' };
  return undefined;
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
  crc_check_chance: 'crcCheckChance',
  min_index_interval: 'minIndexInterval',
  max_index_interval: 'maxIndexInterval',
  compaction: 'compaction',
  compression: 'compression',
  caching: 'caching',
};

async function syncOne(schema: ModelSchema, connection: string | undefined, keyspace: string): Promise<void> {
  const conn = await registry.get(connection);
  const client = conn.connectedClient!;
  const version = await serverVersion(conn);
  for (const column of schema.columns) {
    const since = typeTooNew(column.type, version);
    if (since) {
      throw new CQLEngineError(
        `${schema.name}.${column.name} is ${column.type.cql}, which needs Cassandra ${since} or later; connection '${conn.name}' runs ${version.join('.')}`,
      );
    }
    const index = column.isIndexed ? indexTooNew(column, version) : undefined;
    if (index) {
      throw new CQLEngineError(`${schema.name}.${column.name} has ${index.what}, which needs Cassandra ${index.since} or later; connection '${conn.name}' runs ${version.join('.')}`);
    }
  }
  await checkKeyspace(conn, keyspace, `model ${schema.name}`);
  const types: UserTypeShape[] = [];
  for (const column of schema.columns) userTypesOf(column.type, types);
  for (const type of types) await syncOneType(conn, type, keyspace);
  const table = await client.metadata.getTable(keyspace, schema.table!);
  if (!table) {
    await ddl(connection, createTable(schema, keyspace), keyspace);
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
      if (!current) await ddl(connection, addColumn(schema, keyspace, column), keyspace);
    }
    const changed: Record<string, OptionValue> = {};
    const current = { ...(table as unknown as Record<string, unknown>) };
    if (schema.tableOptions['caching'] !== undefined && !older(version, '3.0')) {
      // The driver renders 3.0+'s caching map with JSON.stringify, which loses it under `encoding.map`: read it from system_schema.
      const row = (
        await send(conn, { kind: 'query', cql: 'SELECT caching FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', values: [keyspace, schema.table!] })
      ).first();
      const caching: unknown = row?.['caching'];
      current['caching'] = caching instanceof Map ? Object.fromEntries(caching) : caching;
    }
    for (const [name, value] of Object.entries(schema.tableOptions)) {
      const field = OPTION_METADATA[name];
      if (field === undefined || !sameOption(name, current, value)) changed[name] = value;
    }
    if (Object.keys(changed).length) {
      await ddl(connection, `ALTER TABLE ${tableName(keyspace, schema.table!)} WITH ${tableOptions(changed).join(' AND ')}`, keyspace);
    }
  }
  // Only the indexes the table lacks: a column already indexed the same way (under any name) is left alone.
  const indexed = new Set((table?.indexes ?? []).map((i) => indexKey(i.target)));
  for (const column of schema.columns.filter((c) => c.isIndexed && !indexed.has(`${c.indexOn} ${c.dbName}`))) {
    await ddl(connection, createIndex(schema, keyspace, column), keyspace);
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

/** An index target as the driver reports it ('keys(m)', 'values(tags)', '"Name"') as 'kind column'. */
function indexKey(target: string): string {
  const m = /^(keys|values|entries|full)\((.*)\)$/.exec(target);
  const name = (m ? m[2]! : target).replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
  return `${m ? m[1] : 'values'} ${name}`;
}

/**
 * Whether a table option already has the wanted value, compared in a normal form: servers report
 * full class names, string values, 3.0+ speculative_retry as '99p', and map options with defaults
 * added; only the keys the model sets are compared.
 */
function sameOption(name: string, table: Record<string, unknown>, wanted: OptionValue): boolean {
  switch (name) {
    case 'compaction': {
      if (typeof wanted !== 'object') return false;
      return sameMap({ class: table['compactionClass'], ...(table['compactionOptions'] as object) }, wanted);
    }
    case 'compression':
      return typeof wanted === 'object' && sameMap(table['compression'], wanted);
    case 'caching': {
      if (typeof wanted !== 'object') return false;
      const current = table['caching'];
      try {
        return sameMap(typeof current === 'string' ? JSON.parse(current) : current, wanted);
      } catch {
        return false;
      }
    }
    case 'speculative_retry':
      return normalRetry(table['speculativeRetry']) === normalRetry(wanted);
  }
  const current = table[OPTION_METADATA[name]!];
  if (current === undefined || current === null) return false;
  if (typeof wanted === 'number') return Number(current) === wanted;
  return String(current) === String(wanted);
}

/** 2.x names of map options, as 3.0+ calls them. */
const OPTION_ALIASES: Record<string, string> = { sstable_compression: 'class', chunk_length_kb: 'chunk_length_in_kb' };

function sameMap(current: unknown, wanted: Record<string, string | number>): boolean {
  if (!current || typeof current !== 'object') return false;
  const have = new Map(Object.entries(current as Record<string, unknown>).map(([k, v]) => [OPTION_ALIASES[k] ?? k, v]));
  return Object.entries(wanted).every(([k, v]) => {
    const key = OPTION_ALIASES[k] ?? k;
    const value = have.get(key);
    if (value === undefined || value === null) return false;
    // Classes are reported by their full name: 'LeveledCompactionStrategy' is 'org.apache.cassandra.db.compaction.LeveledCompactionStrategy'.
    if (key === 'class') return String(value) === String(v) || String(value).endsWith(`.${String(v)}`);
    return String(value).toLowerCase() === String(v).toLowerCase() || (typeof v === 'number' && Number(value) === v);
  });
}

function normalRetry(value: unknown): string {
  const text = String(value ?? '').trim().toUpperCase();
  const m = /^(\d+(?:\.\d+)?)(P|PERCENTILE|MS)$/.exec(text);
  if (!m) return text;
  return `${Number(m[1])}${m[2] === 'MS' ? 'MS' : 'PERCENTILE'}`;
}
