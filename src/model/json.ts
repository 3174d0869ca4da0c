/**
 * The plain JSON form of column values (what an instance's toJSON gives), and the readable form
 * util.inspect prints. JSON has no bigint, Set, Map or Buffer: each CQL type gets a fixed JSON
 * shape, chosen by the column's type so that a column always serializes the same way.
 */
import { types } from 'cassandra-driver';
import type { Columns, Row } from '../schema/infer.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { decimalText, integerToBigInt, isPlainObject, type CqlType } from '../schema/types.js';

type TextLike =
  | types.Uuid
  | types.InetAddress
  | types.BigDecimal
  | types.LocalDate
  | types.LocalTime
  | types.Duration
  | types.Long
  | types.Integer;

/** The JSON form of a value of TypeScript type T. */
export type JsonOf<T> = T extends null | undefined
  ? null
  : T extends bigint | Date | Buffer | TextLike
    ? string
    : T extends string | number | boolean
      ? T
      : T extends ArrayBufferView
        ? number[]
        : T extends Set<infer E>
          ? JsonOf<E>[]
          : T extends Map<infer K, infer V>
            ? [K] extends [string]
              ? Record<string, JsonOf<V>>
              : [JsonOf<K>, JsonOf<V>][]
            : T extends readonly unknown[]
              ? { -readonly [I in keyof T]: JsonOf<T[I]> }
              : T extends object
                ? { -readonly [K in keyof T]: JsonOf<T[K]> }
                : unknown;

/** What toJSON() gives for a row of columns Cs. */
export type JsonRow<Cs extends Columns> = { [K in keyof Row<Cs>]: JsonOf<Row<Cs>[K]> };

const TEXT_KEYS = new Set(['text', 'varchar', 'ascii']);

/**
 * The JSON form of one value; `type` (the column's CQL type) decides the shape of maps and of the
 * fields of tuples and user types, and without it the value alone does.
 */
export function jsonValue(value: unknown, type?: CqlType<unknown>): unknown {
  if (value == null) return null;
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (ArrayBuffer.isView(value))
    return value instanceof DataView
      ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
      : Array.from(value as unknown as ArrayLike<number | bigint>, (n) => jsonValue(n));
  if (value instanceof types.BigDecimal) return decimalText(value);
  if (value instanceof types.Integer) return integerToBigInt(value).toString();
  if (value instanceof types.Tuple) return jsonValue(value.values(), type);
  if (value instanceof Set) return Array.from(value, (item) => jsonValue(item, type?.element));
  if (Array.isArray(value)) return value.map((item, i) => jsonValue(item, type?.items ? type.items[i] : type?.element));
  if (value instanceof Map) return mapJson(value, type);
  if (isPlainObject(value)) return objectJson(value, type);
  // Uuid, TimeUuid, InetAddress, LocalDate, LocalTime, Duration, Long: their canonical CQL text.
  return String(value);
}

function mapJson(value: Map<unknown, unknown>, type: CqlType<unknown> | undefined): unknown {
  const textKeys = type?.keyType ? TEXT_KEYS.has(type.keyType.cql) : [...value.keys()].every((k) => typeof k === 'string');
  const entries = Array.from(value, ([k, v]) => [jsonValue(k, type?.keyType), jsonValue(v, type?.element)] as [unknown, unknown]);
  // fromEntries defines properties, so that a '__proto__' key is a key like any other.
  return textKeys ? Object.fromEntries(entries) : entries;
}

function objectJson(value: Record<string, unknown>, type: CqlType<unknown> | undefined): Record<string, unknown> {
  const fields = type?.userType?.fields as readonly { name?: string; dbName: string; type: CqlType<unknown> }[] | undefined;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = fields?.find((f) => (f.name ?? f.dbName) === key);
    Object.defineProperty(result, key, { value: jsonValue(value[key], field?.type), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** The JSON form of a row of a model's columns. */
export function jsonRow(schema: ModelSchema, values: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const column of schema.columns) result[column.name] = jsonValue(values[column.name], column.type);
  return result;
}

const displays = new WeakMap<object, new () => object>();

/**
 * An object util.inspect prints as `User { id: …, email: … }`: the column values under an empty
 * class named after the model (one per model class, made once).
 */
export function displayOf(ctor: { readonly name: string }, values: Record<string, unknown>): object {
  let Display = displays.get(ctor);
  if (!Display) {
    Display = class {};
    Object.defineProperty(Display, 'name', { value: ctor.name });
    displays.set(ctor, Display);
  }
  return Object.assign(new Display(), values);
}
