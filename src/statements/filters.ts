/** Parses cqlengine-style filter and update keys (`age__gte`, `tags__add`) against a model's columns. */
import { ConfigurationError, UnknownColumnError, ValidationError, describe } from '../errors.js';
import { checkKeyValue, type ColumnSchema, type ModelSchema } from '../schema/model-schema.js';
import { isInt64 } from '../schema/bounds.js';
import { isNullish, isPlainObject, isTextType } from '../schema/types.js';
import type { TokenValue } from '../schema/infer.js';
import { isFunctionValue, parseFunctionValue } from './functions.js';
import type { Assignment, ColumnValue, Condition, ConditionOp, Where, WhereOp } from './nodes.js';

const OPERATORS: Record<string, WhereOp> = {
  eq: '=',
  in: 'IN',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  contains: 'CONTAINS',
  contains_key: 'CONTAINS KEY',
  entry: 'ENTRY',
  like: 'LIKE',
};

/** A token() bound, for paging through partitions: `{ pk__token__gt: token(lastId) }`. */
export function token(...values: unknown[]): TokenValue {
  return { $token: values };
}

export function columnOf(schema: ModelSchema, name: string, option: string): ColumnSchema {
  // `pk` names the first primary key column (cqlengine's instances have such an alias), unless a
  // column of the model is named `pk`: then it is that column, as in cqlengine's filters.
  const column = schema.byName.get(name) ?? (name === 'pk' ? schema.primaryKeys[0] : undefined);
  if (!column) {
    throw new UnknownColumnError(
      `${schema.name} has no column '${name}' (columns: ${schema.columns.map((c) => c.name).join(', ')})`,
      option,
      name,
    );
  }
  return column;
}

/** `age__startswith` where `age` is a column: the operator, not the column, is unknown. */
function unknownOperator(schema: ModelSchema, key: string, split: number, known: readonly string[], value: unknown): void {
  const name = key.slice(0, split);
  if (schema.byName.has(name) || name === 'pk') {
    throw new UnknownColumnError(`${key}: unknown operator '${key.slice(split + 2)}' (operators: ${known.join(', ')})`, key, value);
  }
}

function coerce(column: ColumnSchema, value: unknown, label = column.name): unknown {
  if (value == null) throw new ValidationError(`${label}: a filter value cannot be null`, label, value);
  return column.type.coerce(value, label);
}

/** The value of a `column = ?` clause: coerced, and not empty where the partition key cannot be. */
function equalTo(schema: ModelSchema, column: ColumnSchema, value: unknown, key: string): unknown {
  const bound = coerce(column, value, key);
  checkKeyValue(schema, column, bound, key);
  return bound;
}

/**
 * The values of a filter that is the whole primary key by equality, its keys in the key's order
 * (`{ id }`, `{ userId, at }`), as `parseFilter` would bind them, plus a free slot at the end;
 * undefined for any other filter. A get() by key is the mapper's most common read.
 */
export function primaryKeyValues(schema: ModelSchema, filter: unknown): unknown[] | undefined {
  if (filter === null || typeof filter !== 'object') return undefined;
  const given = filter as Record<string, unknown>;
  const keys = Object.keys(given);
  const columns = schema.primaryKeys;
  if (keys.length !== columns.length) return undefined;
  const values = new Array<unknown>(keys.length + 1);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = given[key];
    // `__` is read as an operator by parseFilter, even in a column's name.
    if (key !== columns[i]!.name || key.includes('__')) return undefined;
    if (value === undefined || isFunctionValue(value)) return undefined;
    values[i] = equalTo(schema, columns[i]!, value, key);
  }
  return values;
}

/** Turns one filter object into WHERE clauses, validating every value with its column's type. */
export function parseFilter(schema: ModelSchema, filter: Record<string, unknown>): Where[] {
  if (filter === null || typeof filter !== 'object') throw new ConfigurationError('filter() takes an object', 'filter', filter);
  // By key, then value: Object.entries made a [key, value] array for each. Sized by the keys and
  // written by index: grown by push from empty, the array cost three times the memory.
  const keys = Object.keys(filter);
  const wheres = new Array<Where>(keys.length);
  let n = 0;
  for (const key of keys) {
    const value = filter[key];
    if (value === undefined) continue;
    const tokenMatch = key.includes('__token') ? /^(.+)__token(?:__(gt|gte|lt|lte))?$/.exec(key) : null;
    if (tokenMatch) {
      if (tokenMatch[1] !== 'pk')
        throw new ConfigurationError(`${key}: token() comparisons apply to the virtual column pk__token only`, key, value);
      const values = (value as { $token?: unknown[] })?.$token;
      const partition = schema.partitionKeys;
      if (!Array.isArray(values) || values.length !== partition.length) {
        throw new ValidationError(`${key}: expected token(${partition.map((k) => k.name).join(', ')}), got ${describe(value)}`, key, value);
      }
      wheres[n++] = {
        column: partition[0]!,
        op: OPERATORS[tokenMatch[2] ?? 'eq']!,
        tokenKeys: partition,
        value: values.map((v, i) => coerce(partition[i]!, v)),
      };
      continue;
    }
    const split = key.lastIndexOf('__');
    let name = key;
    let op: WhereOp = '=';
    if (split > 0 && OPERATORS[key.slice(split + 2)] !== undefined) {
      name = key.slice(0, split);
      op = OPERATORS[key.slice(split + 2)]!;
    } else if (split > 0 && !schema.byName.has(key)) unknownOperator(schema, key, split, Object.keys(OPERATORS), value);
    const column = columnOf(schema, name, key);
    if (isFunctionValue(value)) {
      wheres[n++] = { column, op, ...parseFunctionValue(column, op, value, key) };
      continue;
    }
    let bound: unknown;
    switch (op) {
      case 'IN':
        if (!Array.isArray(value) && !(value instanceof Set)) throw new ValidationError(`${key}: expected an array`, key, value);
        bound = [...(value as Iterable<unknown>)].map((v) => coerce(column, v, key));
        for (const v of bound as unknown[]) checkKeyValue(schema, column, v, key);
        break;
      case 'CONTAINS':
        if (!column.type.element) throw new ConfigurationError(`${key}: contains needs a collection column`, key, column.type.cql);
        bound = value == null ? coerce(column, value, key) : column.type.element.coerce(value, key);
        break;
      case 'CONTAINS KEY':
        if (!column.type.keyType) throw new ConfigurationError(`${key}: contains_key needs a map column`, key, column.type.cql);
        bound = value == null ? coerce(column, value, key) : column.type.keyType.coerce(value, key);
        break;
      case 'ENTRY': {
        if (!column.type.keyType) throw new ConfigurationError(`${key}: entry needs a map column`, key, column.type.cql);
        if (!Array.isArray(value) || value.length !== 2)
          throw new ValidationError(`${key}: expected [key, value], got ${describe(value)}`, key, value);
        const [k, v] = value as unknown[];
        if (k == null || v == null) throw new ValidationError(`${key}: a map entry's key and value cannot be null`, key, value);
        bound = [column.type.keyType.coerce(k, `${key} key`), column.type.element!.coerce(v, `${key} value`)];
        break;
      }
      case 'LIKE':
        // A pattern ('%ppl%'), for a SASI or SAI index on a text column: not a value of the column, so no length bounds.
        if (!isTextType(column.type)) throw new ConfigurationError(`${key}: like needs a text column`, key, column.type.cql);
        if (typeof value !== 'string')
          throw new ValidationError(`${key}: a LIKE pattern must be a string, got ${describe(value)}`, key, value);
        bound = value;
        break;
      default:
        bound = op === '=' ? equalTo(schema, column, value, key) : coerce(column, value, key);
    }
    wheres[n++] = { column, op, value: bound };
  }
  if (n < wheres.length) wheres.length = n;
  return wheres;
}

/**
 * cqlengine's check of a SELECT's WHERE clauses: unless allowFiltering() is set, they need an
 * equality (=, IN, CONTAINS) on the partition key or on an indexed column, or a token() bound. A
 * custom index (SAI, SASI, a class of its own) counts with any operator, as cqlengine's
 * custom_index does: SAI serves ranges, and the server knows what its index serves.
 */
export function checkSelectWheres(schema: ModelSchema, wheres: readonly Where[], allowFiltering: boolean): void {
  if (allowFiltering || wheres.length === 0) return;
  // Loops, not array methods with closures: this runs for every get and page.
  for (const w of wheres) if (w.tokenKeys) return;
  for (const w of wheres) {
    // LIKE counts as an equality, as in cqlengine: the server says whether the column's index serves it.
    const equal = w.op === '=' || w.op === 'IN' || w.op === 'CONTAINS' || w.op === 'CONTAINS KEY' || w.op === 'ENTRY' || w.op === 'LIKE';
    if (equal && (w.column.isPartitionKey || isServed(w))) return;
    if (w.column.indexUsing !== undefined) return;
  }
  refuseFiltering(schema, wheres);
}

// Each index kind serves its own operator: keys CONTAINS KEY, entries m[k] = v, full = on the
// whole frozen collection, values the rest (=, IN, CONTAINS).
const isServed = (w: Where): boolean => w.column.indexOn === servingIndex(w);

function refuseFiltering(schema: ModelSchema, wheres: readonly Where[]): never {
  const culprit = wheres.find((w) => !w.column.isPrimaryKey && !isServed(w)) ?? wheres[0]!;
  const what = culprit.column.isPrimaryKey
    ? `filtering on the clustering key ${culprit.column.name} without the partition key`
    : culprit.column.isIndexed
      ? `${culprit.column.name} ${culprit.op}, which its ${culprit.column.indexOn} index does not serve,`
      : `filtering on ${culprit.column.name}, which is neither a key nor indexed,`;
  throw new ConfigurationError(
    `${schema.name}: ${what} needs allowFiltering() (a query needs =, IN or CONTAINS on the partition key or an indexed column)`,
    culprit.column.name,
    culprit.op,
  );
}

function servingIndex(w: Where): string {
  if (w.op === 'CONTAINS KEY') return 'keys';
  if (w.op === 'ENTRY') return 'entries';
  const collection = w.column.type.kind === 'list' || w.column.type.kind === 'set' || w.column.type.kind === 'map';
  return (w.op === '=' || w.op === 'IN') && collection ? 'full' : 'values';
}

const CONDITION_OPERATORS: Record<string, ConditionOp> = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=', in: 'IN' };

/** Conditions for iff(): `{ state: 'open' }`, `{ count__gt: 3, state__ne: 'closed', kind__in: [...] }`, on non-key columns. */
export function parseConditions(schema: ModelSchema, conditions: Record<string, unknown>): Condition[] {
  if (conditions === null || typeof conditions !== 'object') throw new ConfigurationError('iff takes an object', 'iff', conditions);
  return Object.entries(conditions).flatMap(([key, value]): Condition[] => {
    if (value === undefined) return [];
    const split = key.lastIndexOf('__');
    const op = split > 0 ? CONDITION_OPERATORS[key.slice(split + 2)] : undefined;
    const name = op ? key.slice(0, split) : key;
    const column = columnOf(schema, name, `iff.${key}`);
    if (column.isPrimaryKey)
      throw new ConfigurationError(`iff(): ${name} is a key column; conditions are on other columns`, `iff.${key}`, value);
    if (!op || op === '=') return [{ column, value: value === null ? null : column.type.coerce(value, key) }];
    if (op === 'IN') {
      if (!Array.isArray(value) && !(value instanceof Set)) throw new ValidationError(`${key}: expected an array`, key, value);
      return [{ column, op, value: [...(value as Iterable<unknown>)].map((v) => coerce(column, v, key)) }];
    }
    if (value === null && op !== '!=') throw new ValidationError(`${key}: only = and != compare with null`, key, value);
    return [{ column, op, value: value === null ? null : column.type.coerce(value, key) }];
  });
}

/**
 * A write's conditions as CQL can take them, checked before anything is sent: `IF EXISTS` or `IF`
 * conditions, never both (dropping either would write what the caller meant to guard), and none
 * on a counter table, whose writes Cassandra cannot make conditional.
 */
export function checkConditional(schema: ModelSchema, conditions: readonly Condition[], ifExists: boolean): void {
  if (ifExists && conditions.length > 0) {
    throw new ConfigurationError(
      `${schema.name}: ifExists and iff cannot be combined (Cassandra takes IF EXISTS or IF conditions, not both)`,
      'ifExists',
      true,
    );
  }
  if (schema.isCounterTable && (ifExists || conditions.length > 0)) {
    const option = ifExists ? 'ifExists' : 'iff';
    throw new ConfigurationError(
      `${schema.name}: ${option} on a counter table (Cassandra makes no counter write conditional)`,
      option,
      ifExists ? true : conditions.map((c) => c.column.name),
    );
  }
}

const UPDATE_OPS = ['add', 'remove', 'append', 'prepend', 'update', 'incr', 'decr'] as const;
type UpdateOp = (typeof UPDATE_OPS)[number];

export interface ParsedUpdate {
  assignments: Assignment[];
  /** Map keys to delete (`m__remove`), which CQL writes as DELETE m[key]. */
  mapKeyRemovals: ColumnValue[];
}

/** A plain value assignment; null (or an empty collection) deletes the value. */
function setAssignment(column: ColumnSchema, value: unknown): Assignment {
  if (column.isPrimaryKey) throw new ValidationError(`Cannot apply update to primary key '${column.name}'`, column.name, value);
  // Cassandra refuses `c = null` on a counter; cqlengine sends a DELETE of the column instead.
  if (value === null && column.isCounter)
    throw new ValidationError(
      `${column.name}: a counter cannot be set to null in an update(); decrement it, or delete the row`,
      column.name,
      value,
    );
  if (value === null) return { column, op: 'set', value: null };
  const coerced = column.type.coerce(value, column.name);
  // As cqlengine's blind update: a counter given a value moves by it (`c = c + ?`), a counter cannot be set.
  if (column.isCounter) return { column, op: 'add', value: coerced };
  return { column, op: 'set', value: isNullish(coerced) ? null : coerced };
}

/** Parses a blind update: plain values and the collection and counter operations. */
export function parseUpdate(schema: ModelSchema, values: Record<string, unknown>): ParsedUpdate {
  const assignments: Assignment[] = [];
  const mapKeyRemovals: ColumnValue[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const split = key.lastIndexOf('__');
    const op = split > 0 ? (key.slice(split + 2) as UpdateOp) : undefined;
    if (!op || !UPDATE_OPS.includes(op)) {
      if (split > 0 && !schema.byName.has(key)) unknownOperator(schema, key, split, UPDATE_OPS, value);
      assignments.push(setAssignment(columnOf(schema, key, key), value));
      continue;
    }
    const column = columnOf(schema, key.slice(0, split), key);
    // A frozen collection is written whole: no operation applies to it.
    const kind = column.isCounter ? 'counter' : column.type.frozen ? 'frozen' : column.type.kind;
    const allowed: Record<string, readonly UpdateOp[]> = {
      set: ['add', 'remove'],
      list: ['append', 'prepend', 'remove'],
      map: ['update', 'remove'],
      counter: ['incr', 'decr'],
    };
    if (!allowed[kind]?.includes(op)) {
      throw new ConfigurationError(`${key}: ${op} does not apply to ${column.name} (${column.type.cql})`, key, value);
    }
    if (value === null) throw new ValidationError(`${key}: value cannot be null`, key, value);
    if (kind === 'counter') {
      const delta = column.type.coerce(value, key) as bigint;
      // -(2^63) is a 64-bit integer, its negation is not: the server would wrap it.
      if (op === 'decr' && !isInt64(-delta))
        throw new ValidationError(`${key}: expected a 64-bit integer whose negation fits, got ${describe(value)}`, key, value);
      assignments.push({ column, op: 'add', value: op === 'decr' ? -delta : delta });
    } else if (kind === 'map' && op === 'remove') {
      if (typeof value !== 'object' || !(Symbol.iterator in (value as object)))
        throw new ValidationError(`${key}: expected keys to remove`, key, value);
      for (const k of value as Iterable<unknown>) mapKeyRemovals.push({ column, value: column.type.keyType!.coerce(k, key) });
    } else if (kind === 'map' && op === 'update') {
      // As cqlengine: a key given null is deleted from the map, the others are written.
      const entries = value instanceof Map ? [...value] : isPlainObject(value) ? Object.entries(value) : undefined;
      if (!entries) throw new ValidationError(`${key}: expected a Map or a plain object`, key, value);
      const kept = entries.filter(([, v]) => v != null);
      for (const [k, v] of entries) if (v == null) mapKeyRemovals.push({ column, value: column.type.keyType!.coerce(k, `${key} key`) });
      const coerced = column.type.coerce(new Map(kept), key);
      if (!isNullish(coerced)) assignments.push({ column, op: 'add', value: coerced });
    } else {
      const coerced = column.type.coerce(value, key);
      if (!isNullish(coerced)) {
        assignments.push({ column, op: op === 'prepend' ? 'prepend' : op === 'remove' ? 'remove' : 'add', value: coerced });
      }
    }
  }
  return { assignments, mapKeyRemovals };
}
