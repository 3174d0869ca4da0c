/**
 * Column builders. Each call returns a new Column, so a definition can be shared and refined
 * without surprise; the TypeScript types of rows, inserts and filters are inferred from them.
 */
import type { UserType } from './user-type.js';
import { ConfigurationError } from '../errors.js';
import {
  cqlTypes,
  list as listType,
  map as mapType,
  set as setType,
  tuple as tupleType,
  vector as vectorType,
  withLength,
  requiredType,
  type CqlType,
  type LengthBounds,
} from './types.js';

export interface ColumnOptions {
  readonly primaryKey: boolean;
  readonly partitionKey: boolean;
  readonly clusteringOrder: 'ASC' | 'DESC' | undefined;
  /** A secondary index: on the values (of a collection), the keys or entries of a map, or a frozen collection whole. */
  readonly index: false | IndexTarget;
  /** The index class of a custom index: 'sai' (Cassandra 5.0's storage-attached index) or a class name. */
  readonly indexUsing: string | undefined;
  /** WITH OPTIONS of a custom index: `{ similarity_function: 'cosine' }`, `{ mode: 'CONTAINS' }`. */
  readonly indexOptions: Readonly<Record<string, string>> | undefined;
  readonly dbField: string | undefined;
  readonly default: unknown;
  readonly required: boolean;
  readonly static: boolean;
  /** The column naming each row's submodel in a polymorphic model (see model/polymorphic.ts). */
  readonly discriminator: boolean;
  /** Checks run on the column's non-null value before an instance is written. */
  readonly validators: readonly ColumnValidator<never>[];
}

/**
 * A check of a column's value: true (or nothing) accepts it; false refuses it, with the message
 * given to validate(); a string refuses it with that reason. It runs on the coerced value (a Set
 * for a set column, a bigint for a bigint), and only when the value is not null or empty.
 */
export type ColumnValidator<R> = (value: R) => boolean | string | void;

/** Type-level facts about a column that shape the inferred row, insert and filter types. */
export interface ColumnFlags {
  key: boolean;
  required: boolean;
  hasDefault: boolean;
}

type Set1<F extends ColumnFlags, K extends keyof ColumnFlags> = Omit<F, K> & { [P in K]: true };

const NO_OPTIONS: ColumnOptions = {
  primaryKey: false,
  partitionKey: false,
  clusteringOrder: undefined,
  index: false,
  indexUsing: undefined,
  indexOptions: undefined,
  dbField: undefined,
  default: undefined,
  required: false,
  static: false,
  discriminator: false,
  validators: [],
};

export class Column<R, W = R, F extends ColumnFlags = { key: false; required: false; hasDefault: false }> {
  /** Phantom, for inference only. */
  declare readonly $flags: F;

  constructor(
    readonly type: CqlType<R, W>,
    readonly options: ColumnOptions = NO_OPTIONS,
  ) {}

  #with<G extends ColumnFlags>(changes: Partial<ColumnOptions>): Column<R, W, G> {
    return new Column<R, W, G>(this.type, { ...this.options, ...changes });
  }

  /** Part of the primary key: the first such column is the partition key unless partitionKey() names others. */
  primaryKey(): Column<R, W, Set1<F, 'key'>> {
    if (this.type.kind === 'counter')
      throw new ConfigurationError('A counter column cannot be part of the primary key', 'primaryKey', this.type.cql);
    return this.#with({ primaryKey: true });
  }

  /** Part of the partition key (several make a composite partition key). */
  partitionKey(): Column<R, W, Set1<F, 'key'>> {
    return this.primaryKey().#with({ primaryKey: true, partitionKey: true });
  }

  /** Clustering order of a clustering column. */
  clusteringOrder(order: 'asc' | 'desc' | 'ASC' | 'DESC'): Column<R, W, F> {
    const upper = String(order).toUpperCase();
    if (upper !== 'ASC' && upper !== 'DESC')
      throw new ConfigurationError(`clusteringOrder must be 'asc' or 'desc'`, 'clusteringOrder', order);
    return this.#with({ clusteringOrder: upper });
  }

  /**
   * A secondary index on this column: on its values (for a collection, what `__contains` looks
   * for), with 'keys' on a map's keys (`__contains_key`), with 'entries' on a map's entries
   * (`__entry: [key, value]`), or with `{ full: true }` on a frozen collection whole (`=`).
   * `using` makes it a custom index ('sai', or a class name) with its `options`.
   */
  index(spec: IndexTarget | IndexSpec = 'values'): Column<R, W, F> {
    const given = typeof spec === 'string' ? { on: spec } : spec;
    if (given === null || typeof given !== 'object')
      throw new ConfigurationError(`index() takes 'values', 'keys', 'entries' or an object`, 'index', spec);
    const on = given.full ? 'full' : (given.on ?? 'values');
    if (!INDEX_TARGETS.includes(on))
      throw new ConfigurationError(`index() takes 'values', 'keys', 'entries' or { full: true }, not ${String(on)}`, 'index', on);
    if ((on === 'keys' || on === 'entries') && this.type.kind !== 'map')
      throw new ConfigurationError(`A ${on} index needs a map column, not ${this.type.cql}`, 'index', on);
    const collection = this.type.kind === 'list' || this.type.kind === 'set' || this.type.kind === 'map';
    if (on === 'full' && !(collection && this.type.frozen))
      throw new ConfigurationError(`A full index needs a frozen collection, not ${this.type.cql}`, 'index', on);
    if (given.using !== undefined && (typeof given.using !== 'string' || !/^[A-Za-z0-9_.$]+$/.test(given.using))) {
      throw new ConfigurationError('index using must be an index class name or alias (letters, digits, _ . $)', 'index.using', given.using);
    }
    if (
      given.options !== undefined &&
      (given.using === undefined ||
        typeof given.options !== 'object' ||
        given.options === null ||
        Object.values(given.options).some((v) => typeof v !== 'string'))
    ) {
      throw new ConfigurationError('index options need `using` and string values', 'index.options', given.options);
    }
    return this.#with({ index: on, indexUsing: given.using, indexOptions: given.options && { ...given.options } });
  }

  /** The column's name in the table, when it differs from the property name. */
  dbField(name: string): Column<R, W, F> {
    return this.#with({ dbField: name });
  }

  /** A default for inserts: a value, or a function called for each new row. */
  default(value: W | (() => W)): Column<R, W, Set1<F, 'hasDefault'>> {
    return this.#with({ default: value });
  }

  /**
   * The column may not be null (primary key columns always are required). As in cqlengine, a
   * required text column also refuses an empty string, unless it was given a minLength.
   */
  required(): Column<R, W, Set1<F, 'required'>> {
    return new Column(requiredType(this.type), { ...this.options, required: true });
  }

  /**
   * Adds a check run before an instance is written (save, update, create) and on the plain values
   * of a QuerySet's update(); several run in order. A refusal raises ValidationError naming the column:
   * `columns.text().validate((v) => v.includes('@'), 'must be an email address')`.
   */
  validate(check: ColumnValidator<R>, message?: string): Column<R, W, F> {
    if (typeof check !== 'function') throw new ConfigurationError('validate() takes a function', 'validate', check);
    if (message !== undefined && typeof message !== 'string')
      throw new ConfigurationError('validate() takes its message as a string', 'validate', message);
    const validator: ColumnValidator<R> =
      message === undefined
        ? check
        : (value) => {
            const verdict = check(value);
            return verdict === false ? message : verdict;
          };
    return this.#with({ validators: [...this.options.validators, validator as ColumnValidator<never>] });
  }

  /** A static column: one value per partition. */
  static(): Column<R, W, F> {
    return this.#with({ static: true });
  }

  /**
   * The discriminator of a polymorphic model (cqlengine's discriminator_column): each row's value
   * names the submodel it is read as. A scalar column; index() it (or make it part of the
   * partition key) so that queries on a submodel select only its rows.
   */
  // Typed as having a default: a submodel fills in its value, and the base model is never saved.
  discriminator(): Column<R, W, Set1<F, 'hasDefault'>> {
    if (this.type.kind !== 'scalar')
      throw new ConfigurationError(`A discriminator column must be of a scalar type, not ${this.type.cql}`, 'discriminator', this.type.cql);
    return this.#with({ discriminator: true });
  }
}

export type IndexTarget = 'values' | 'keys' | 'entries' | 'full';
const INDEX_TARGETS: readonly string[] = ['values', 'keys', 'entries', 'full'];

export interface IndexSpec {
  readonly on?: IndexTarget;
  /** An index on a frozen collection whole, for `=` on it. */
  readonly full?: boolean;
  /** A custom index: 'sai' (Cassandra 5.0) or an index class ('org.apache.cassandra.index.sasi.SASIIndex'). */
  readonly using?: string;
  readonly options?: Readonly<Record<string, string>>;
}

// biome-ignore lint/suspicious/noExplicitAny: any column, whatever its read and write types
export type AnyColumn = Column<any, any, ColumnFlags>;

const column = <R, W>(type: CqlType<R, W>) => new Column<R, W>(type);

/** Column constructors, one per CQL type. */
export const columns = {
  /** `{ minLength, maxLength }` bound the length in characters, as cqlengine's Text(min_length, max_length). */
  ascii: (bounds: LengthBounds = {}) => column(withLength(cqlTypes.ascii, bounds)),
  text: (bounds: LengthBounds = {}) => column(withLength(cqlTypes.text, bounds)),
  varchar: (bounds: LengthBounds = {}) => column(withLength(cqlTypes.varchar, bounds)),
  int: () => column(cqlTypes.int),
  smallint: () => column(cqlTypes.smallint),
  tinyint: () => column(cqlTypes.tinyint),
  bigint: () => column(cqlTypes.bigint),
  /** Flagged `counter` for inference: only counters take `__incr` / `__decr` (bigint columns read as bigint too). */
  counter: () => new Column<bigint, bigint | number, { key: false; required: false; hasDefault: false; counter: true }>(cqlTypes.counter),
  varint: () => column(cqlTypes.varint),
  float: () => column(cqlTypes.float),
  double: () => column(cqlTypes.double),
  decimal: () => column(cqlTypes.decimal),
  boolean: () => column(cqlTypes.boolean),
  blob: (): Column<Buffer, Buffer | Uint8Array> => column(cqlTypes.blob), // annotated: see cqlTypes.blob
  inet: () => column(cqlTypes.inet),
  timestamp: () => column(cqlTypes.timestamp),
  uuid: () => column(cqlTypes.uuid),
  timeuuid: () => column(cqlTypes.timeuuid),
  date: () => column(cqlTypes.date),
  time: () => column(cqlTypes.time),
  duration: () => column(cqlTypes.duration),
  list: <R, W>(of: Column<R, W, ColumnFlags>, options: { frozen?: boolean } = {}) => column(listType(of.type, options.frozen)),
  set: <R, W>(of: Column<R, W, ColumnFlags>, options: { frozen?: boolean } = {}) => column(setType(of.type, options.frozen)),
  map: <KR, KW, VR, VW>(key: Column<KR, KW, ColumnFlags>, value: Column<VR, VW, ColumnFlags>, options: { frozen?: boolean } = {}) =>
    column(mapType(key.type, value.type, options.frozen)),
  /** A vector (Cassandra 5.0): `columns.vector(columns.float(), 384)` reads as a Float32Array. */
  vector: <R, W>(of: Column<R, W, ColumnFlags>, dimension: number) => column(vectorType(of.type, dimension)),
  /** A user-defined type (always frozen): `columns.udt(Address)`. */
  udt: <Fs extends Record<string, AnyColumn>>(type: UserType<Fs>) => column(type.cqlType),
  tuple: <const T extends readonly Column<unknown, unknown, ColumnFlags>[]>(...items: T) =>
    column(tupleType(...(items.map((c) => c.type) as { [I in keyof T]: T[I]['type'] }))),
};
