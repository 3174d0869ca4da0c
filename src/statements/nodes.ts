/**
 * Statement nodes: what a query means, kept apart from its CQL text (compile.ts) and from running
 * it (execution/). Values are carried with their CQL type, to be bound, never interpolated.
 */
import type { ColumnSchema } from '../schema/model-schema.js';
import type { Codec, CqlType } from '../schema/types.js';
import type { Requirement } from '../schema/version.js';

export interface TableRef {
  readonly keyspace: string;
  readonly table: string;
}

/** ENTRY: a map entry, `m[?] = ?` (value: [key, value]). */
export type WhereOp = '=' | 'IN' | '>' | '>=' | '<' | '<=' | 'CONTAINS' | 'CONTAINS KEY' | 'ENTRY' | 'LIKE';

/** The operator of an IF condition. */
export type ConditionOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'IN';

export interface Condition {
  readonly column: ColumnSchema;
  /** Default '='. */
  readonly op?: ConditionOp;
  readonly value: unknown;
}

/** Approximate-nearest-neighbour order: `ORDER BY column ANN OF ?`. */
export interface AnnOrder {
  readonly column: ColumnSchema;
  readonly vector: unknown;
}

export type SimilarityFunction = 'cosine' | 'euclidean' | 'dot_product';

export interface Where {
  readonly column: ColumnSchema;
  readonly op: WhereOp;
  /** A bound on token(partition key): these are the key columns, and value holds one value for each. */
  readonly tokenKeys?: readonly ColumnSchema[];
  /** A CQL function the value is bound into: `"at" > minTimeuuid(?)`. */
  readonly fn?: 'minTimeuuid' | 'maxTimeuuid';
  readonly value: unknown;
}

export interface OrderBy {
  readonly column: ColumnSchema;
  readonly descending: boolean;
}

export interface SelectNode {
  readonly kind: 'select';
  readonly table: TableRef;
  /** The columns to read; 'count': COUNT(*). */
  readonly fields: readonly ColumnSchema[] | 'count';
  /**
   * `fields` are every column the model reads: the text says `SELECT *`, as cqlengine's does (on
   * 5.0, the benchmark's 10,000-row read measured about 5% more time and client CPU with the
   * columns named; see the README). The template keeps the named text too, for servers on which a
   * prepared `SELECT *` keeps the columns it was prepared with after an ALTER TABLE (before
   * 2.1.3, CASSANDRA-7910).
   */
  readonly wildcard?: boolean | undefined;
  readonly distinct: boolean;
  readonly wheres: readonly Where[];
  readonly orderBy: readonly OrderBy[];
  readonly limit: number | undefined;
  readonly perPartitionLimit?: number | undefined;
  readonly ann?: AnnOrder | undefined;
  /** Selects `similarity_<fn>(ann column, ann vector)` as "similarity". */
  readonly similarity?: SimilarityFunction | undefined;
  readonly allowFiltering: boolean;
}

export interface ColumnValue {
  readonly column: ColumnSchema;
  readonly value: unknown;
}

export interface WriteOptions {
  /** Seconds. */
  readonly ttl?: number | undefined;
  /** Microseconds since the epoch. */
  readonly timestamp?: bigint | undefined;
}

export interface InsertNode extends WriteOptions {
  readonly kind: 'insert';
  readonly table: TableRef;
  /** The columns written, and beside them (same index) their values: no object per value. */
  readonly columns: readonly ColumnSchema[];
  readonly values: readonly unknown[];
  readonly ifNotExists: boolean;
}

/**
 * set: c = v; add: c = c + v (set, map, list append, counter increment); prepend: c = v + c;
 * remove: c = c - v (set elements, list elements); removeKey: c[v] = null (deletes map key v; Cassandra 2.1 has no map - keys).
 */
export type AssignmentOp = 'set' | 'add' | 'prepend' | 'remove' | 'removeKey';

export interface Assignment {
  readonly column: ColumnSchema;
  readonly op: AssignmentOp;
  readonly value: unknown;
}

export interface UpdateNode extends WriteOptions {
  readonly kind: 'update';
  readonly table: TableRef;
  readonly assignments: readonly Assignment[];
  readonly wheres: readonly Where[];
  readonly conditions: readonly Condition[];
  readonly ifExists: boolean;
}

export interface DeleteNode extends WriteOptions {
  readonly kind: 'delete';
  readonly table: TableRef;
  /** Whole columns to delete; none means the row(s). */
  readonly columns: readonly ColumnSchema[];
  /** Map entries to delete: `DELETE m[?]`. */
  readonly mapKeys: readonly ColumnValue[];
  readonly wheres: readonly Where[];
  readonly conditions: readonly Condition[];
  readonly ifExists: boolean;
}

/**
 * What a statement's shape alone decides, built once per shape (compile.ts caches it): the text,
 * the CQL type that converts each bound value for the driver, and what kind of statement it is.
 */
export interface StatementTemplate {
  readonly cql: string;
  /** For a `SELECT *`: the same statement naming its columns (see SelectNode's wildcard). */
  readonly namedCql: string | undefined;
  /** One per marker in the text, in order. */
  readonly types: readonly CqlType<unknown>[];
  /** Safe for the driver to retry: no counter, list append/prepend or condition. */
  readonly idempotent: boolean;
  /** A lightweight transaction, whose `[applied]` column must be checked. */
  readonly conditional: boolean;
  /** Features a server must have for this statement, checked before it is sent. */
  readonly requires: readonly Requirement[] | undefined;
  /**
   * The codec under which every value goes to the driver as it is, once the funnel has found so:
   * a memo, so that a statement of text, numbers, Sets and Maps converts nothing, not even a call.
   */
  asIsFor: Codec | undefined;
}

/**
 * A statement to send: its shape's template and its values, in marker order. Two objects per
 * statement at most (this and the values array, which an INSERT shares with its node), where a
 * value-and-type pair per marker made one more object for every value bound.
 */
export interface CompiledStatement {
  readonly template: StatementTemplate;
  readonly values: readonly unknown[];
}
