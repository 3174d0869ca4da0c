import { ConfigurationError, ValidationError } from '../errors.js';
import { quote, validateIdentifier, validatePropertyName } from './identifier.js';
import type { AnyColumn, IndexTarget } from './columns.js';
import { readsAsIs, type CqlType } from './types.js';
import type { Columns } from './infer.js';

/** A column of a model, resolved: property name, table name, and role in the key. */
export interface ColumnSchema {
  /** Property name on instances and in filters. */
  readonly name: string;
  /** Name in the table (dbField, or the property name). */
  readonly dbName: string;
  /** The quoted dbName, ready for CQL. */
  readonly quoted: string;
  readonly type: CqlType<unknown>;
  readonly column: AnyColumn;
  readonly isPartitionKey: boolean;
  readonly isClusteringKey: boolean;
  readonly isPrimaryKey: boolean;
  readonly isRequired: boolean;
  readonly isStatic: boolean;
  readonly isCounter: boolean;
  readonly isIndexed: boolean;
  /** What the secondary index covers, if there is one. */
  readonly indexOn: IndexTarget | undefined;
  /** The class of a custom index ('sai', …), and its options. */
  readonly indexUsing: string | undefined;
  readonly indexOptions: Readonly<Record<string, string>> | undefined;
  readonly clusteringOrder: 'ASC' | 'DESC' | undefined;
  readonly defaultValue: unknown;
}

export interface ModelDefinition {
  /** Table name; required unless abstract. */
  table?: string;
  /** Keyspace of this model; default: the connection module's default keyspace. */
  keyspace?: string;
  /** Connection name of this model; default: the default connection. */
  connection?: string;
  /** An abstract model has no table: it only lends its columns (and methods) to models that extend it. */
  abstract?: boolean;
  /** Table options for syncTable, by their CQL names: `{ comment: 'users', default_time_to_live: 3600 }`. */
  tableOptions?: Record<string, string | number | Record<string, string | number>>;
  /** The discriminator value of a polymorphic submodel; set by polymorphic(). */
  discriminatorValue?: unknown;
}

export interface ModelSchema<Cs extends Columns = Columns> {
  readonly name: string;
  readonly table: string | undefined;
  readonly keyspace: string | undefined;
  readonly connection: string | undefined;
  readonly abstract: boolean;
  readonly tableOptions: Readonly<Record<string, string | number | Record<string, string | number>>>;
  readonly definitions: Cs;
  readonly columns: readonly ColumnSchema[];
  readonly byName: ReadonlyMap<string, ColumnSchema>;
  readonly byDbName: ReadonlyMap<string, ColumnSchema>;
  readonly partitionKeys: readonly ColumnSchema[];
  readonly clusteringKeys: readonly ColumnSchema[];
  readonly primaryKeys: readonly ColumnSchema[];
  /** Whether some column holds values that can change in place (collections, tuples, UDTs). */
  readonly hasMutableValues: boolean;
  /** The columns that have validators: most have none, and a write should not look at each. */
  readonly validatedColumns: readonly ColumnSchema[];
  /** The columns a write refuses null in (the key, and those required): most columns are not, and a write should not look at each. */
  readonly requiredColumns: readonly ColumnSchema[];
  /**
   * A property per column, in column order, each null: an instance's values start as a copy of it,
   * one allocation of the right size instead of an object grown one property at a time.
   */
  readonly blankValues: Readonly<Record<string, null>>;
  /** Every column's name, in column order: the explicit columns of an instance given them all. */
  readonly columnNames: readonly string[];
  /** The columns whose driver values reading may convert (collections, null as an empty value, …): a row read looks at these only. */
  readonly convertedOnRead: readonly ColumnSchema[];
  /** Whether every column's property name is its name in the table (no `dbName` given). */
  readonly namesAreDbNames: boolean;
  /** Whether some column is static: then a row may be written with its clustering keys null (static columns only). */
  readonly hasStatic: boolean;
  readonly isCounterTable: boolean;
  /** The discriminator column of a polymorphic model (its base and submodels). */
  readonly discriminator: ColumnSchema | undefined;
  /** A polymorphic submodel's discriminator value, coerced; undefined for the base and other models. */
  readonly discriminatorValue: unknown;
}

function fail(message: string, option: string, value: unknown): never {
  throw new ConfigurationError(message, option, value);
}

/** Resolves and checks a model's columns once, when the model is defined. */
export function buildSchema<Cs extends Columns>(name: string, definitions: Cs, def: ModelDefinition): ModelSchema<Cs> {
  const abstract = def.abstract ?? false;
  const table = def.table === undefined ? undefined : validateIdentifier(def.table, 'table');
  if (!abstract && table === undefined) fail(`Model ${name} needs a table name (or abstract: true)`, 'table', def.table);
  if (def.keyspace !== undefined) validateIdentifier(def.keyspace, 'keyspace');
  for (const key of Object.keys(def.tableOptions ?? {})) validateIdentifier(key, 'table option', 'tableOptions');

  const entries = Object.entries(definitions);
  const explicitPartition = entries.some(([, c]) => c.options.partitionKey);
  let firstKey = true;
  const columns: ColumnSchema[] = entries.map(([prop, column]) => {
    validatePropertyName(validateIdentifier(prop, 'column', `${name}.${prop}`), `${name}.${prop}`);
    const dbName = validatePropertyName(
      validateIdentifier(column.options.dbField ?? prop, 'column', `${name}.${prop}.dbField`),
      `${name}.${prop}.dbField`,
    );
    const isPrimaryKey = column.options.primaryKey;
    const isPartitionKey = isPrimaryKey && (explicitPartition ? column.options.partitionKey : firstKey);
    if (isPrimaryKey) firstKey = false;
    return {
      name: prop,
      dbName,
      quoted: quote(dbName),
      type: column.type as CqlType<unknown>,
      column,
      isPartitionKey,
      isClusteringKey: isPrimaryKey && !isPartitionKey,
      isPrimaryKey,
      // A minLength of 1 or more refuses null too, as cqlengine's Text(min_length=…) does.
      isRequired: isPrimaryKey || column.options.required || (column.type.length?.minLength ?? 0) > 0,
      isStatic: column.options.static,
      isCounter: column.type.kind === 'counter',
      isIndexed: column.options.index !== false,
      indexOn: column.options.index || undefined,
      indexUsing: column.options.indexUsing,
      indexOptions: column.options.indexOptions,
      clusteringOrder: column.options.clusteringOrder,
      defaultValue: column.options.default,
    };
  });

  const dbNames = new Set<string>();
  for (const c of columns) {
    if (dbNames.has(c.dbName)) fail(`Model ${name}: two columns share the table name '${c.dbName}'`, `${name}.${c.name}`, c.dbName);
    dbNames.add(c.dbName);
    if (c.clusteringOrder && !c.isClusteringKey)
      fail(`Model ${name}: ${c.name} has a clustering order but is not a clustering key`, `${name}.${c.name}`, c.clusteringOrder);
    if (c.isStatic && c.isPrimaryKey) fail(`Model ${name}: the key column ${c.name} cannot be static`, `${name}.${c.name}`, true);
    if (c.isPrimaryKey && c.type.kind !== 'scalar' && !c.type.frozen)
      fail(`Model ${name}: the key column ${c.name} must be frozen`, `${name}.${c.name}`, c.type.cql);
  }
  const discriminators = columns.filter((c) => c.column.options.discriminator);
  if (discriminators.length > 1)
    fail(
      `Model ${name}: only one discriminator column is allowed (${discriminators.map((c) => c.name).join(', ')})`,
      'discriminator',
      name,
    );
  const discriminator = discriminators[0];
  let discriminatorValue: unknown;
  if (def.discriminatorValue !== undefined) {
    if (!discriminator)
      fail(`Model ${name} has a discriminator value but no discriminator column`, 'discriminatorValue', def.discriminatorValue);
    if (def.discriminatorValue === null) fail(`Model ${name}: a discriminator value cannot be null`, 'discriminatorValue', null);
    try {
      discriminatorValue = discriminator.type.coerce(def.discriminatorValue, `${name}.${discriminator.name}`);
    } catch (err) {
      fail(
        `Model ${name}: the discriminator value does not fit ${discriminator.name}: ${(err as Error).message}`,
        'discriminatorValue',
        def.discriminatorValue,
      );
    }
    // New instances of the submodel hold its value.
    const i = columns.indexOf(discriminator);
    columns[i] = { ...discriminator, defaultValue: discriminatorValue };
  }
  const partitionKeys = columns.filter((c) => c.isPartitionKey);
  const clusteringKeys = columns.filter((c) => c.isClusteringKey);
  if (!abstract && partitionKeys.length === 0) fail(`Model ${name} has no primary key column`, 'primaryKey', name);
  if (columns.some((c) => c.isStatic) && clusteringKeys.length === 0)
    fail(`Model ${name}: static columns need a clustering key`, 'static', name);
  const counters = columns.filter((c) => c.isCounter);
  if (counters.length > 0) {
    const other = columns.find((c) => !c.isCounter && !c.isPrimaryKey);
    if (other)
      fail(
        `Model ${name}: a table with counters can hold only counters besides its key (${other.name} is ${other.type.cql})`,
        `${name}.${other.name}`,
        other.type.cql,
      );
  }
  return {
    name,
    table,
    keyspace: def.keyspace,
    connection: def.connection,
    abstract,
    tableOptions: { ...def.tableOptions },
    definitions,
    columns,
    byName: new Map(columns.map((c) => [c.name, c])),
    byDbName: new Map(columns.map((c) => [c.dbName, c])),
    partitionKeys,
    clusteringKeys,
    primaryKeys: [...partitionKeys, ...clusteringKeys],
    hasMutableValues: columns.some(isMutable),
    validatedColumns: columns.filter((c) => c.column.options.validators.length > 0),
    requiredColumns: columns.filter((c) => c.isRequired),
    convertedOnRead: columns.filter((c) => !readsAsIs(c.type)),
    // Not frozen: V8 copies a frozen object's properties by its slow path, about 70 ns more per instance.
    blankValues: Object.fromEntries(columns.map((c) => [c.name, null])),
    columnNames: Object.freeze(columns.map((c) => c.name)),
    namesAreDbNames: columns.every((c) => c.name === c.dbName),
    hasStatic: columns.some((c) => c.isStatic),
    isCounterTable: counters.length > 0,
    discriminator: discriminator && columns.find((c) => c.name === discriminator.name),
    discriminatorValue,
  };
}

/** Whether a column's values can change in place (collections, tuples, user types, vectors). */
export function isMutable(column: ColumnSchema): boolean {
  return column.type.kind !== 'scalar' && column.type.kind !== 'counter';
}

/** Cassandra refuses an empty value ('' or an empty blob) as a whole partition key ("Key may not be empty"); a composite key's parts may be empty. */
export function checkKeyValue(schema: ModelSchema, column: ColumnSchema, value: unknown, label: string = column.name): void {
  if (column.isPartitionKey && schema.partitionKeys.length === 1 && (value === '' || (Buffer.isBuffer(value) && value.length === 0))) {
    throw new ValidationError(`${label}: the partition key cannot be empty`, label, value);
  }
}
