/** CQL text for schema statements. DDL cannot bind values, so every name is validated and quoted and every literal escaped. */
import { ConfigurationError, describe } from '../errors.js';
import { validateIdentifier } from '../schema/identifier.js';
import type { ColumnSchema, ModelSchema } from '../schema/model-schema.js';
import type { UserTypeShape } from '../schema/types.js';
import { tableName } from './compile.js';

export type OptionValue = string | number | boolean | Record<string, string | number>;

function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function literal(value: OptionValue, option: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigurationError(`${option} must be a finite number`, option, value);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return stringLiteral(value);
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${stringLiteral(k)}: ${typeof v === 'number' ? literal(v, option) : stringLiteral(String(v))}`)
      .join(', ')}}`;
  }
  throw new ConfigurationError(`${option} has an unsupported value ${describe(value)}`, option, value);
}

function columnDefinition(column: ColumnSchema): string {
  return `${column.quoted} ${column.type.cql}${column.isStatic ? ' static' : ''}`;
}

export function createTable(schema: ModelSchema, keyspace: string): string {
  const partition = schema.partitionKeys.map((c) => c.quoted).join(', ');
  const key = [`(${partition})`, ...schema.clusteringKeys.map((c) => c.quoted)].join(', ');
  let cql = `CREATE TABLE IF NOT EXISTS ${tableName(keyspace, schema.table!)} (${schema.columns.map(columnDefinition).join(', ')}, PRIMARY KEY (${key}))`;
  const withs: string[] = [];
  const ordered = schema.clusteringKeys.filter((c) => c.clusteringOrder);
  if (ordered.length) {
    withs.push(`CLUSTERING ORDER BY (${schema.clusteringKeys.map((c) => `${c.quoted} ${c.clusteringOrder ?? 'ASC'}`).join(', ')})`);
  }
  withs.push(...tableOptions(schema.tableOptions));
  if (withs.length) cql += ` WITH ${withs.join(' AND ')}`;
  return cql;
}

export function tableOptions(options: Readonly<Record<string, OptionValue>>): string[] {
  return Object.entries(options).map(
    ([name, value]) => `${validateIdentifier(name, 'table option', 'tableOptions')} = ${literal(value, `tableOptions.${name}`)}`,
  );
}

export function addColumn(schema: ModelSchema, keyspace: string, column: ColumnSchema): string {
  return `ALTER TABLE ${tableName(keyspace, schema.table!)} ADD ${columnDefinition(column)}`;
}

/**
 * `<table>_<column>_idx`, with the kind for an index on a collection's keys, entries or whole value,
 * so that a second index on the same column never takes the first one's name (IF NOT EXISTS would
 * then skip it without a word). Cut to 48 characters before the suffix, never through it.
 */
function indexName(schema: ModelSchema, column: ColumnSchema): string {
  const suffix = column.indexOn === undefined || column.indexOn === 'values' ? '_idx' : `_${column.indexOn}_idx`;
  return validateIdentifier(`${schema.table}_${column.dbName}`.slice(0, 48 - suffix.length) + suffix, 'index');
}

/** The index target as CQL writes it: `KEYS(c)`, `ENTRIES(c)`, `FULL(c)` or the column. */
export function indexTarget(column: ColumnSchema): string {
  switch (column.indexOn) {
    case 'keys':
      return `KEYS(${column.quoted})`;
    case 'entries':
      return `ENTRIES(${column.quoted})`;
    case 'full':
      return `FULL(${column.quoted})`;
    default:
      return column.quoted;
  }
}

export function createIndex(schema: ModelSchema, keyspace: string, column: ColumnSchema): string {
  // Unquoted (so lower case): Cassandra 2.1's grammar takes an index name only as a plain identifier.
  const name = indexName(schema, column).toLowerCase();
  const on = `${tableName(keyspace, schema.table!)} (${indexTarget(column)})`;
  if (column.indexUsing === undefined) return `CREATE INDEX IF NOT EXISTS ${name} ON ${on}`;
  const options =
    column.indexOptions && Object.keys(column.indexOptions).length
      ? ` WITH OPTIONS = ${literal(column.indexOptions, 'index.options')}`
      : '';
  return `CREATE CUSTOM INDEX IF NOT EXISTS ${name} ON ${on} USING ${stringLiteral(column.indexUsing)}${options}`;
}

export function createType(type: UserTypeShape, keyspace: string): string {
  validateIdentifier(type.name, 'type');
  return `CREATE TYPE IF NOT EXISTS ${tableName(keyspace, type.name)} (${type.fields.map((f) => `${f.quoted} ${f.type.cql}`).join(', ')})`;
}
