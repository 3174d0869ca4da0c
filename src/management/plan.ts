/**
 * The schema planner: what a sync would run, and the drift it will not fix, read from the driver's
 * metadata without changing anything. syncTable and syncType are this plan, applied.
 */
import type { Client } from 'cassandra-driver';
import { CQLEngineError, ConfigurationError, describe } from '../errors.js';
import { quote, validateIdentifier } from '../schema/identifier.js';
import { checkRegistry, resolveScope } from '../execution/scope.js';
import { BaseModel, type ModelStatic } from '../model/model.js';
import { selectColumns } from '../model/variants.js';
import type { ColumnSchema, ModelSchema } from '../schema/model-schema.js';
import type { CqlType, UserTypeShape } from '../schema/types.js';
import { userTypesOf, withDependencies } from '../schema/user-type.js';
import { registry as defaultRegistry, type Connection, type ConnectionRegistry } from '../connection/index.js';
import { checkConnectionName } from '../connection/validate.js';
import { send } from '../connection/funnel.js';
import { tableName } from '../statements/compile.js';
import { olderThan, parseVersion } from '../schema/version.js';
import { addColumn, createIndex, createTable, createType, literal, tableOptions, type OptionValue } from '../statements/ddl.js';
import { driverTypeText, modelTypeText, type DriverType } from './type-text.js';

type TableMetadata = NonNullable<Awaited<ReturnType<Client['metadata']['getTable']>>>;

export interface ConnectionsOption {
  /** Connection names to run on; default: the default connection (for tables: the model's). */
  connections?: string[];
  /** The registry whose connections to use; default: the model's (for keyspaces and types: the `connection` module's). */
  registry?: ConnectionRegistry;
}

/** Where one schema statement runs. */
export interface Target {
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

export interface TypeTargets extends ConnectionsOption {
  /** Keyspaces to run in; default: the default keyspace. */
  keyspaces?: string[];
}

/** How plan() creates a keyspace that does not exist: SimpleStrategy or NetworkTopologyStrategy. */
export type KeyspaceCreation =
  | { readonly replicationFactor: number; readonly durableWrites?: boolean }
  | { readonly dataCenters: Readonly<Record<string, number>>; readonly durableWrites?: boolean };

export interface PlanOptions extends ConnectionsOption {
  /** Keyspaces to plan in; default: each model's keyspace, and the default keyspace for user types. */
  keyspaces?: string[];
  /** Plan CREATE KEYSPACE for missing keyspaces; without it a missing keyspace is drift. */
  createKeyspaces?: KeyspaceCreation;
}

export type StatementAction = 'create keyspace' | 'create type' | 'alter type' | 'create table' | 'alter table' | 'create index';

/** A statement a sync would run. */
export interface PlannedStatement {
  /** The registry of its connection (left out of the CLI's JSON; apply() takes a missing one as the default registry). */
  readonly registry: ConnectionRegistry;
  /** The name of the connection it runs on. */
  readonly connection: string;
  readonly keyspace: string;
  /** The model or user type it is for (for a keyspace: the first that needs it). */
  readonly subject: string;
  readonly action: StatementAction;
  readonly cql: string;
  /** Why, in words: "table app.users does not exist". */
  readonly reason: string;
}

export type DriftKind =
  | 'missing-keyspace'
  | 'primary-key'
  | 'clustering-order'
  | 'column-type'
  | 'static'
  | 'extra-column'
  | 'field-type'
  | 'extra-field';

/** A difference between the models and the database that a sync leaves alone: a person decides. */
export interface Drift {
  readonly connection: string;
  readonly keyspace: string;
  /** The model or user type concerned. */
  readonly model: string;
  readonly kind: DriftKind;
  /** The column (or user type field) in the database, where one is concerned. */
  readonly column?: string;
  /** What the model says, e.g. the type `int` or the key `((id), at)`. */
  readonly expected?: string;
  /** What the database has. */
  readonly actual?: string;
  readonly message: string;
}

export interface SchemaPlan {
  readonly statements: readonly PlannedStatement[];
  readonly drift: readonly Drift[];
}

export type Plannable = ModelStatic | UserTypeShape;

export function connectionNames(option: string[] | undefined, fallback: string | undefined): (string | undefined)[] {
  if (option === undefined) return [fallback];
  if (!Array.isArray(option) || option.length === 0)
    throw new ConfigurationError('connections must be a non-empty array of names', 'connections', option);
  return option.map((name) => checkConnectionName(name, 'connections'));
}

/** Each keyspace on each connection, the keyspace names checked first. */
function everyPair(registry: ConnectionRegistry, keyspaces: string[], connections: (string | undefined)[]): Target[] {
  if (!Array.isArray(keyspaces) || keyspaces.length === 0)
    throw new ConfigurationError('keyspaces must be a non-empty array', 'keyspaces', keyspaces);
  for (const k of keyspaces) validateIdentifier(k, 'keyspace', 'keyspaces');
  return connections.flatMap((connection) => keyspaces.map((keyspace) => ({ registry, connection, keyspace })));
}

export function targets(model: ModelStatic, options: TableTargets): Target[] {
  checkModel(model);
  const schema = model.schema;
  if (schema.abstract) throw new CQLEngineError(`${schema.name} is abstract: it has no table`);
  const registry = checkRegistry(options.registry) ?? model.registry;
  const keyspaces = options.keyspaces ?? [resolveScope(schema, undefined, model.scope, registry).keyspace];
  return everyPair(registry, keyspaces, connectionNames(options.connections, model.scope?.connection ?? schema.connection));
}

export function typeTargets(options: TypeTargets): Target[] {
  const registry = checkRegistry(options.registry) ?? defaultRegistry;
  return everyPair(registry, options.keyspaces ?? [resolveDefaultKeyspace(registry)], connectionNames(options.connections, undefined));
}

function resolveDefaultKeyspace(registry: ConnectionRegistry): string {
  const keyspace = registry.defaultKeyspace;
  if (!keyspace) throw new CQLEngineError('No keyspace given and no default keyspace: pass keyspaces, or set one with connection.setup()');
  return keyspace;
}

export function simpleReplication(replicationFactor: number): Record<string, string | number> {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ConfigurationError('replicationFactor must be a positive integer', 'replicationFactor', replicationFactor);
  }
  return { class: 'SimpleStrategy', replication_factor: replicationFactor };
}

export function networkReplication(dcReplicationMap: Readonly<Record<string, number>>): Record<string, string | number> {
  const entries = Object.entries(dcReplicationMap ?? {});
  if (entries.length === 0)
    throw new ConfigurationError('dcReplicationMap needs at least one data centre', 'dcReplicationMap', dcReplicationMap);
  for (const [dc, rf] of entries) {
    if (!Number.isInteger(rf) || rf < 0)
      throw new ConfigurationError(`Replication factor of ${dc} must be a whole number`, `dcReplicationMap.${dc}`, rf);
  }
  return { class: 'NetworkTopologyStrategy', ...dcReplicationMap };
}

export function createKeyspaceCql(name: string, replication: Record<string, string | number>, durableWrites: boolean | undefined): string {
  const durable = durableWrites ?? true;
  if (typeof durable !== 'boolean') throw new ConfigurationError('durableWrites must be a boolean', 'durableWrites', durable);
  return `CREATE KEYSPACE IF NOT EXISTS ${quote(name)} WITH replication = ${literal(replication, 'replication')} AND durable_writes = ${durable}`;
}

function keyspaceCreation(option: KeyspaceCreation | undefined): ((name: string) => string) | undefined {
  if (option === undefined) return undefined;
  if (option === null || typeof option !== 'object')
    throw new ConfigurationError('createKeyspaces must be an object', 'createKeyspaces', option);
  const replication = 'dataCenters' in option ? networkReplication(option.dataCenters) : simpleReplication(option.replicationFactor);
  createKeyspaceCql('checked', replication, option.durableWrites);
  return (name) => createKeyspaceCql(name, replication, option.durableWrites);
}

export async function serverVersion(conn: Connection): Promise<number[]> {
  const row = (
    await send(conn, { kind: 'query', cql: 'SELECT release_version FROM system.local' }, { driver: { prepare: false } })
  ).first();
  return parseVersion(String(row?.['release_version'] ?? '0'));
}

const older = olderThan;

function typeTooNew(type: CqlType<unknown>, version: number[]): string | undefined {
  if (type.since && older(version, type.since)) return type.since;
  for (const inner of [type.element, type.keyType, ...(type.items ?? []), ...(type.userType?.fields.map((f) => f.type) ?? [])]) {
    const found = inner && typeTooNew(inner, version);
    if (found) return found;
  }
  return undefined;
}

/** What an index kind needs of the server, beyond its column's type. */
function indexTooNew(column: ColumnSchema, version: number[]): { what: string; since: string } | undefined {
  const using = column.indexUsing;
  if (using !== undefined && (using.toLowerCase() === 'sai' || using.endsWith('StorageAttachedIndex')) && older(version, '5.0'))
    return { what: 'a storage-attached (SAI) index', since: '5.0' };
  if (using?.endsWith('SASIIndex') && older(version, '3.4')) return { what: 'a SASI index', since: '3.4' };
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

/** Where the table's options as system_schema.tables holds them (3.0+) are kept among the driver's. */
const SYSTEM_ROW = '$systemSchema';

/** Options system_schema.tables holds as null while they have their default (5.0). */
const NULL_DEFAULTS: Record<string, unknown> = { cdc: false, incremental_backups: true, allow_auto_snapshot: true };

/**
 * The table's options as the driver reports them, with 3.0+'s caching read from system_schema: the
 * driver renders that map with JSON.stringify, which loses it under `encoding.map`. An option the
 * driver does not report (read_repair, additional_write_policy, cdc, incremental_backups, …) is
 * read from system_schema.tables too, so that a model's unchanged option is not altered again.
 */
async function currentOptions(
  conn: Connection,
  version: number[],
  keyspace: string,
  schema: ModelSchema,
  table: TableMetadata,
): Promise<Record<string, unknown>> {
  const current = { ...(table as unknown as Record<string, unknown>) };
  const names = Object.keys(schema.tableOptions);
  if (!older(version, '3.0') && names.some((name) => name === 'caching' || OPTION_METADATA[name] === undefined)) {
    const cql = 'SELECT * FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?';
    const row = (await send(conn, { kind: 'query', cql, values: [keyspace, schema.table!] })).first();
    const caching: unknown = row?.['caching'];
    if (schema.tableOptions['caching'] !== undefined) current['caching'] = caching instanceof Map ? Object.fromEntries(caching) : caching;
    current[SYSTEM_ROW] = row ?? undefined;
  }
  return current;
}

/**
 * The table options of the model that differ from the table's (all of them when unknown). A name
 * the existing table has no option of is refused before anything is sent, as cqlengine refuses it
 * there; known where system_schema.tables lists the table's options (3.0+).
 */
function changedOptions(schema: ModelSchema, current: Record<string, unknown>, name: string): Record<string, OptionValue> {
  const system = current[SYSTEM_ROW] as Record<string, unknown> | undefined;
  const changed: Record<string, OptionValue> = {};
  for (const [option, value] of Object.entries(schema.tableOptions)) {
    if (system && OPTION_METADATA[option] === undefined && !Object.hasOwn(system, option)) {
      throw new ConfigurationError(
        `${schema.name}: table ${name} has no option '${option}' (tableOptions); the server's table options are ${tableOptionNames(system)}`,
        'tableOptions',
        option,
      );
    }
    if (!sameOption(option, current, value)) changed[option] = value;
  }
  return changed;
}

/** The option names a system_schema.tables row lists: its columns but the table's own identity. */
function tableOptionNames(row: Record<string, unknown>): string {
  const identity = new Set(['keyspace_name', 'table_name', 'id', 'flags']);
  return Object.keys(row)
    .filter((key) => !identity.has(key))
    .sort()
    .join(', ');
}

/**
 * Whether a table option already has the wanted value, compared in a normal form: servers report
 * full class names, string values, 3.0+ speculative_retry as '99p', and map options with defaults
 * added; only the keys the model sets are compared.
 */
function sameOption(name: string, table: Record<string, unknown>, wanted: OptionValue): boolean {
  switch (name) {
    case 'compaction':
      return typeof wanted === 'object' && sameMap({ class: table['compactionClass'], ...(table['compactionOptions'] as object) }, wanted);
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
  const known = OPTION_METADATA[name];
  // An option the driver does not report: as system_schema.tables holds it (undefined before 3.0, or a name it lacks).
  const system = table[SYSTEM_ROW] as Record<string, unknown> | undefined;
  const current = known === undefined ? (system?.[name] ?? (system ? NULL_DEFAULTS[name] : undefined)) : table[known];
  if (current instanceof Map || (typeof current === 'object' && current !== null)) {
    return typeof wanted === 'object' && sameMap(current instanceof Map ? Object.fromEntries(current) : current, wanted);
  }
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
  const text = String(value ?? '')
    .trim()
    .toUpperCase();
  const m = /^(\d+(?:\.\d+)?)(P|PERCENTILE|MS)$/.exec(text);
  if (!m) return text;
  return `${Number(m[1])}${m[2] === 'MS' ? 'MS' : 'PERCENTILE'}`;
}

/** A table's indexes as 'kind column' ('keys m', 'values tags'): a column indexed the same way under any name counts. */
function indexedColumns(table: TableMetadata | null): Set<string> {
  return new Set((table?.indexes ?? []).map((i) => indexKey(i.target)));
}

/** An index target as the driver reports it ('keys(m)', 'values(tags)', '"Name"') as 'kind column'. */
function indexKey(target: string): string {
  const m = /^(keys|values|entries|full)\((.*)\)$/.exec(target);
  const name = (m ? m[2]! : target).replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
  return `${m ? m[1] : 'values'} ${name}`;
}

function isModel(value: unknown): value is ModelStatic {
  return typeof value === 'function' && value.prototype instanceof BaseModel;
}

function isUserType(value: unknown): value is UserTypeShape {
  const v = value as UserTypeShape | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && Array.isArray(v.fields);
}

const A_MODEL = 'a model (made with model() or extend())';
const A_TYPE = 'a user type (made with userType())';

/** What was given, with a hint when it is the other kind of subject. */
function given(value: unknown): string {
  if (isModel(value)) return `model ${value.schema.name}: use syncTable`;
  if (isUserType(value)) return `user type ${value.name}: use syncType`;
  return describe(value);
}

/** As cqlengine ("Models must be derived from base Model"), but naming what was given. */
export function checkModel(value: unknown): asserts value is ModelStatic {
  if (!isModel(value)) throw new ConfigurationError(`Expected ${A_MODEL}, got ${given(value)}`, 'model', value);
}

export function checkUserType(value: unknown): asserts value is UserTypeShape {
  if (!isUserType(value)) throw new ConfigurationError(`Expected ${A_TYPE}, got ${given(value)}`, 'type', value);
}

/** Refuses what is neither a model class nor a user type, naming it. */
function checkPlannable(value: unknown): asserts value is Plannable {
  if (!isModel(value) && !isUserType(value))
    throw new ConfigurationError(`Expected ${A_MODEL} or ${A_TYPE}, got ${describe(value)}`, 'model', value);
}

/** What the planner knows of one keyspace on one connection. */
interface KeyspaceState {
  /** false: missing, and not to be created. */
  readonly usable: boolean;
  /** Created by this plan: nothing in it exists yet. */
  readonly fresh: boolean;
  readonly types: Set<string>;
}

class Planner {
  readonly statements: PlannedStatement[] = [];
  readonly drift: Drift[] = [];
  // Keyed by Connection, not name: two registries may each have a connection called 'default'.
  readonly #versions = new Map<Connection, number[]>();
  readonly #keyspaces = new Map<Connection, Map<string, KeyspaceState>>();
  readonly #seen = new Map<Connection, Set<string>>();

  /** Each connection with the registry it came from, which apply() sends on. */
  readonly registries = new Map<Connection, ConnectionRegistry>();

  constructor(readonly createKeyspace: ((name: string) => string) | undefined) {}

  statement(conn: Connection, keyspace: string, subject: string, action: StatementAction, cql: string, reason: string): void {
    let seen = this.#seen.get(conn);
    if (!seen) this.#seen.set(conn, (seen = new Set()));
    if (seen.has(cql)) return;
    seen.add(cql);
    this.statements.push({ registry: this.registries.get(conn)!, connection: conn.name, keyspace, subject, action, cql, reason });
  }

  report(
    conn: Connection,
    keyspace: string,
    model: string,
    kind: DriftKind,
    message: string,
    detail: Partial<Pick<Drift, 'column' | 'expected' | 'actual'>> = {},
  ): void {
    this.drift.push({ connection: conn.name, keyspace, model, kind, ...detail, message });
  }

  async version(conn: Connection): Promise<number[]> {
    let version = this.#versions.get(conn);
    if (!version) this.#versions.set(conn, (version = await serverVersion(conn)));
    return version;
  }

  /** The keyspace's state, read once; a missing keyspace is planned or reported for each subject. */
  async keyspace(conn: Connection, keyspace: string, subject: string, what: string): Promise<KeyspaceState> {
    let states = this.#keyspaces.get(conn);
    if (!states) this.#keyspaces.set(conn, (states = new Map()));
    let state = states.get(keyspace);
    if (!state) {
      // A refresh also empties the driver's cache of the keyspace's tables and types, which could be stale.
      const exists = await conn.connectedClient!.metadata.refreshKeyspace(keyspace).catch(() => null);
      const create = !exists && this.createKeyspace;
      if (create) this.statement(conn, keyspace, subject, 'create keyspace', create(keyspace), `keyspace ${keyspace} does not exist`);
      state = { usable: !!exists || !!create, fresh: !exists, types: new Set() };
      states.set(keyspace, state);
    }
    if (!state.usable) {
      this.report(
        conn,
        keyspace,
        subject,
        'missing-keyspace',
        `Keyspace '${keyspace}' for ${what} does not exist (connection '${conn.name}')`,
      );
    }
    return state;
  }

  async type(conn: Connection, state: KeyspaceState, keyspace: string, type: UserTypeShape): Promise<void> {
    if (state.types.has(type.name)) return;
    state.types.add(type.name);
    const existing = state.fresh ? null : await conn.connectedClient!.metadata.getUdt(keyspace, type.name);
    const name = `${keyspace}.${type.name}`;
    if (!existing) {
      this.statement(conn, keyspace, type.name, 'create type', createType(type, keyspace), `type ${name} does not exist`);
      return;
    }
    const have = new Map(existing.fields.map((f) => [f.name, driverTypeText(f.type as DriverType, false)]));
    for (const field of type.fields) {
      const actual = have.get(field.dbName);
      const expected = modelTypeText(field.type, false);
      if (actual === undefined) {
        const cql = `ALTER TYPE ${tableName(keyspace, type.name)} ADD ${field.quoted} ${field.type.cql}`;
        this.statement(conn, keyspace, type.name, 'alter type', cql, `type ${name} has no field ${field.dbName}`);
      } else if (actual !== expected) {
        this.report(
          conn,
          keyspace,
          type.name,
          'field-type',
          `Existing user type ${name} has field "${field.dbName}" with a type (${actual}) differing from the model user type (${expected}); ` +
            'sync leaves it: Cassandra cannot change it, so update the user type or migrate the data',
          { column: field.dbName, expected, actual },
        );
      }
    }
    const known = new Set(type.fields.map((f) => f.dbName));
    for (const [field, actual] of have) {
      if (!known.has(field)) {
        this.report(
          conn,
          keyspace,
          type.name,
          'extra-field',
          `Existing user type ${name} has field "${field}" (${actual}) that the model user type lacks`,
          {
            column: field,
            actual,
          },
        );
      }
    }
  }

  async table(conn: Connection, state: KeyspaceState, keyspace: string, schema: ModelSchema): Promise<void> {
    const existing = state.fresh ? null : await conn.connectedClient!.metadata.getTable(keyspace, schema.table!);
    const name = `${keyspace}.${schema.table}`;
    if (!existing) {
      this.statement(conn, keyspace, schema.name, 'create table', createTable(schema, keyspace), `table ${name} does not exist`);
    } else if (!this.#sameKey(conn, keyspace, schema, existing)) {
      // Nothing else is planned for a table whose key differs: it is the wrong table for the model.
      return;
    } else {
      this.#columns(conn, keyspace, schema, existing);
      const changed = changedOptions(schema, await currentOptions(conn, await this.version(conn), keyspace, schema, existing), name);
      if (Object.keys(changed).length) {
        const cql = `ALTER TABLE ${tableName(keyspace, schema.table!)} WITH ${tableOptions(changed).join(' AND ')}`;
        this.statement(conn, keyspace, schema.name, 'alter table', cql, `options of ${name} differ: ${Object.keys(changed).join(', ')}`);
      }
    }
    const indexed = indexedColumns(existing);
    for (const column of schema.columns.filter((c) => c.isIndexed && !indexed.has(`${c.indexOn} ${c.dbName}`))) {
      const reason = `column ${name}.${column.dbName} has no ${column.indexOn === 'values' ? '' : `${column.indexOn} `}index`;
      this.statement(conn, keyspace, schema.name, 'create index', createIndex(schema, keyspace, column), reason);
    }
  }

  #sameKey(conn: Connection, keyspace: string, schema: ModelSchema, table: TableMetadata): boolean {
    const names = (cols: readonly { name: string }[]) => cols.map((c) => c.name).join(', ');
    const wantPartition = schema.partitionKeys.map((c) => c.dbName).join(', ');
    const wantClustering = schema.clusteringKeys.map((c) => c.dbName).join(', ');
    const havePartition = names(table.partitionKeys);
    const haveClustering = names(table.clusteringKeys);
    if (havePartition !== wantPartition || haveClustering !== wantClustering) {
      this.report(
        conn,
        keyspace,
        schema.name,
        'primary-key',
        `Cannot sync ${schema.name}: the primary key of ${keyspace}.${schema.table} is ((${havePartition}), ${haveClustering}) ` +
          `but the model has ((${wantPartition}), ${wantClustering}); Cassandra cannot change a primary key, so migrate the data to a new table`,
        { expected: `((${wantPartition}), ${wantClustering})`, actual: `((${havePartition}), ${haveClustering})` },
      );
      return false;
    }
    const order = (orders: readonly string[]) => orders.map((o, i) => `${table.clusteringKeys[i]!.name} ${o.toUpperCase()}`).join(', ');
    const want = order(schema.clusteringKeys.map((c) => c.clusteringOrder ?? 'ASC'));
    const have = order(table.clusteringOrder);
    if (want !== have) {
      this.report(
        conn,
        keyspace,
        schema.name,
        'clustering-order',
        `Table ${keyspace}.${schema.table} is clustered by (${have}) but model ${schema.name} by (${want}); ` +
          'Cassandra cannot change a clustering order, so migrate the data to a new table or change the model',
        { expected: want, actual: have },
      );
    }
    return true;
  }

  #columns(conn: Connection, keyspace: string, schema: ModelSchema, table: TableMetadata): void {
    const name = `${keyspace}.${schema.table}`;
    const existing = new Map(table.columns.map((c) => [c.name, c]));
    for (const column of schema.columns) {
      const current = existing.get(column.dbName);
      if (!current) {
        this.statement(
          conn,
          keyspace,
          schema.name,
          'alter table',
          addColumn(schema, keyspace, column),
          `table ${name} has no column ${column.dbName}`,
        );
        continue;
      }
      this.#compareColumn(conn, keyspace, schema, column, current as unknown as { type: DriverType; isStatic?: boolean });
    }
    // A polymorphic family shares its table: a sibling's columns are not drift of this member.
    const family = schema.discriminator ? new Set(selectColumns(schema).map((c) => c.dbName)) : undefined;
    for (const column of table.columns) {
      if (schema.byDbName.has(column.name) || family?.has(column.name)) continue;
      const actual = driverTypeText(column.type as DriverType);
      this.report(
        conn,
        keyspace,
        schema.name,
        'extra-column',
        `Existing table ${name} has column "${column.name}" (${actual}) that model ${schema.name} lacks; sync leaves it: ` +
          'drop the column once nothing uses it, or add it to the model',
        { column: column.name, actual },
      );
    }
  }

  #compareColumn(
    conn: Connection,
    keyspace: string,
    schema: ModelSchema,
    column: ColumnSchema,
    current: { type: DriverType; isStatic?: boolean },
  ): void {
    const name = `${keyspace}.${schema.table}`;
    const expected = modelTypeText(column.type);
    const actual = driverTypeText(current.type);
    if (actual !== expected) {
      this.report(
        conn,
        keyspace,
        schema.name,
        'column-type',
        `Existing table ${name} has column "${column.dbName}" with a type (${actual}) differing from the model type (${expected}) of ${schema.name}.${column.name}; ` +
          'sync leaves it: Cassandra cannot change it, so update the model or migrate the column',
        { column: column.dbName, expected, actual },
      );
    }
    // The driver reports isStatic though its typings do not declare it.
    if (current.isStatic !== undefined && current.isStatic !== column.isStatic) {
      const word = (s: boolean) => (s ? 'static' : 'not static');
      this.report(
        conn,
        keyspace,
        schema.name,
        'static',
        `Column "${column.dbName}" of ${name} is ${word(current.isStatic)} but ${schema.name}.${column.name} is ${word(column.isStatic)}; sync leaves it`,
        { column: column.dbName, expected: word(column.isStatic), actual: word(current.isStatic) },
      );
    }
  }
}

interface Job extends Target {
  readonly model?: ModelSchema;
  readonly types?: readonly UserTypeShape[];
  readonly subject: string;
}

/**
 * What a sync of these models and user types would run, and the drift it would leave, read from
 * the database and changing nothing: the only statements sent are reads.
 */
export async function plan(subjects: readonly Plannable[], options: PlanOptions = {}): Promise<SchemaPlan> {
  if (!Array.isArray(subjects)) throw new ConfigurationError('plan takes an array of models and user types', 'subjects', subjects);
  const planner = new Planner(keyspaceCreation(options.createKeyspaces));
  // Every argument is checked before anything is read.
  const jobs: Job[] = [];
  for (const subject of subjects) {
    checkPlannable(subject);
    if (isModel(subject)) {
      for (const target of targets(subject, options)) jobs.push({ ...target, model: subject.schema, subject: subject.schema.name });
    } else {
      validateIdentifier(subject.name, 'type');
      for (const target of typeTargets(options)) jobs.push({ ...target, types: withDependencies(subject), subject: subject.name });
    }
  }
  for (const job of jobs) {
    const conn = await job.registry.get(job.connection);
    planner.registries.set(conn, job.registry);
    const schema = job.model;
    if (schema) {
      const version = await planner.version(conn);
      for (const column of schema.columns) {
        const since = typeTooNew(column.type, version);
        if (since) {
          throw new CQLEngineError(
            `${schema.name}.${column.name} is ${column.type.cql}, which needs Cassandra ${since} or later; connection '${conn.name}' runs ${version.join('.')}`,
          );
        }
        const index = column.isIndexed ? indexTooNew(column, version) : undefined;
        if (index) {
          throw new CQLEngineError(
            `${schema.name}.${column.name} has ${index.what}, which needs Cassandra ${index.since} or later; connection '${conn.name}' runs ${version.join('.')}`,
          );
        }
      }
    }
    const state = await planner.keyspace(conn, job.keyspace, job.subject, schema ? `model ${schema.name}` : `type ${job.subject}`);
    if (!state.usable) continue;
    const types = job.types ?? schema!.columns.flatMap((c) => userTypesOf(c.type));
    for (const type of types) await planner.type(conn, state, job.keyspace, type);
    if (schema) await planner.table(conn, state, job.keyspace, schema);
  }
  return { statements: planner.statements, drift: planner.drift };
}
