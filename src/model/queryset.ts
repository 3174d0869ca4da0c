/**
 * QuerySet: an immutable description of a query on one model. Every step returns a new QuerySet;
 * nothing runs until a terminal method (get, first, count, all, iteration, update, delete).
 */
import type { Consistency } from '../connection/consistency.js';
import { parseConsistency } from '../connection/consistency.js';
import { CQLEngineError, ConfigurationError, ValidationError, describe } from '../errors.js';
import { checkBatch, type BatchQuery } from '../execution/batch.js';
import { run, write, type RunOptions } from '../execution/run.js';
import { mergeScope, resolveScope, validateScope, type ResolvedScope, type Scope } from '../execution/scope.js';
import type { Condition, Filter, Insert, Update } from '../schema/infer.js';
import type { BaseModel, ColumnsOf, InstanceOf, ModelStatic } from './model.js';
import { checkBatchTimeout, type SaveOptions } from '../execution/options.js';
import { checkTimeout, checkTtl, toMicros, type TimestampInput } from '../connection/validate.js';
import { checkColumn, runAfterLoad } from './hooks.js';
import { selectColumns } from './variants.js';
import { FROM_OWN_ROW, OWN_ROW_READER } from './own-row.js';
import { same } from './tracking.js';
import type { ColumnSchema, ModelSchema } from '../schema/model-schema.js';
import type { Codec } from '../schema/types.js';
import type { types } from 'cassandra-driver';
import { isDeepStrictEqual } from 'node:util';
import { compileDelete, compileSelect, compileUpdate } from '../statements/compile.js';
import {
  checkConditional,
  checkSelectWheres,
  columnOf,
  parseConditions,
  parseFilter,
  parseUpdate,
  primaryKeyValues,
} from '../statements/filters.js';
import type {
  AnnOrder,
  CompiledStatement,
  Condition as ConditionNode,
  OrderBy,
  SelectNode,
  SimilarityFunction,
  StatementTemplate,
  Where,
} from '../statements/nodes.js';

interface QueryState {
  readonly wheres: readonly Where[];
  readonly scope: Scope | undefined;
  readonly limit: number | undefined;
  readonly orderBy: readonly OrderBy[];
  readonly allowFiltering: boolean;
  /** Columns to read; undefined: all. */
  readonly fields: readonly ColumnSchema[] | undefined;
  /** What only() and defer() named, which `fields` is worked out from (calls combine, as in cqlengine). */
  readonly only: ReadonlySet<string> | undefined;
  readonly deferred: ReadonlySet<string> | undefined;
  readonly distinct: boolean;
  readonly fetchSize: number | undefined;
  readonly consistency: number | undefined;
  readonly timeout: number | undefined;
  readonly ttl: number | undefined;
  readonly timestamp: bigint | undefined;
  readonly ifExists: boolean;
  /** create() only if the row does not exist (INSERT … IF NOT EXISTS). */
  readonly ifNotExists: boolean;
  readonly conditions: readonly ConditionNode[];
  readonly batch: BatchQuery | undefined;
  readonly perPartitionLimit: number | undefined;
  readonly ann: AnnOrder | undefined;
}

const EMPTY: QueryState = {
  wheres: [],
  scope: undefined,
  limit: undefined,
  orderBy: [],
  allowFiltering: false,
  fields: undefined,
  only: undefined,
  deferred: undefined,
  distinct: false,
  fetchSize: undefined,
  consistency: undefined,
  timeout: undefined,
  ttl: undefined,
  timestamp: undefined,
  ifExists: false,
  ifNotExists: false,
  conditions: [],
  batch: undefined,
  perPartitionLimit: undefined,
  ann: undefined,
};

/** Columns of a model that hold vectors, for annOf(). */
type VectorColumnOf<M extends ModelStatic> = {
  [K in keyof ColumnsOf<M> & string]: ReadOfColumn<ColumnsOf<M>[K]> extends Float32Array | unknown[] ? K : never;
}[keyof ColumnsOf<M> & string];
type ReadOfColumn<C> = C extends { type: { $read?: infer R } } ? R : never;
type WriteOfColumn<C> = C extends { type: { $write?: infer W } } ? W : never;

/** A row of an ANN query with its similarity to the query vector (1 is the closest for cosine). */
export interface Scored<T> {
  readonly row: T;
  readonly similarity: number;
}

/** The discriminator filters QuerySets of polymorphic submodels start with, which writes leave out. */
const implicit = new WeakSet<Where>();

const NO_OVERRIDES: Partial<SelectNode> = Object.freeze({});
const NO_OPTIONS: RunOptions = Object.freeze({});

/**
 * A SELECT node's field from the overrides when they name it (even as undefined), else from the
 * QuerySet's state: field by field, since spreading the overrides into the node built it the slow way.
 */
function pick<K extends keyof SelectNode & keyof QueryState>(overrides: Partial<SelectNode>, state: QueryState, key: K): SelectNode[K] {
  return (key in overrides ? overrides[key] : state[key]) as SelectNode[K];
}

/**
 * A polymorphic submodel's queries select its rows, as cqlengine does, when the server can filter
 * on the discriminator without ALLOW FILTERING: it is part of the partition key, or indexed.
 */
function initialState(model: ModelStatic): QueryState {
  const { discriminator: column, discriminatorValue: value } = model.schema;
  if (!column || value === undefined || !(column.isPartitionKey || column.indexOn === 'values')) return EMPTY;
  const where: Where = { column, op: '=', value };
  if (!column.isPrimaryKey) implicit.add(where);
  return { ...EMPTY, wheres: [where] };
}

/**
 * The columns only() and defer() leave to read: the primary key, so that an instance read can be
 * saved or deleted, and the others only() named (all, without it) that defer() did not.
 */
function selectedFields(
  schema: ModelSchema,
  only: ReadonlySet<string> | undefined,
  deferred: ReadonlySet<string> | undefined,
): ColumnSchema[] {
  if (only && deferred && [...only].every((name) => deferred.has(name) && !schema.byName.get(name)!.isPrimaryKey)) {
    throw new ConfigurationError(
      `No columns left to select: only() named ${[...only].join(', ')}, and defer() ${[...deferred].join(', ')}`,
      'defer',
      [...deferred],
    );
  }
  return schema.columns.filter((c) => c.isPrimaryKey || ((!only || only.has(c.name)) && !deferred?.has(c.name)));
}

/** A get()'s limit: two rows are enough to tell one from many. */
const GET_LIMIT = 2;

/**
 * The template of each model's last get() by its whole primary key, with the keyspace it names:
 * one per model, so that keyspaces chosen at run time cannot grow it.
 */
const keyReads = new WeakMap<ModelSchema, { readonly keyspace: string; readonly template: StatementTemplate }>();

/** One page of rows, and the state to fetch the next (undefined on the last page). */
export interface Page<T> {
  readonly rows: T[];
  readonly pageState: string | undefined;
}

// LIMIT and the page size are 32-bit on the wire.
const INT32_MAX = 2 ** 31 - 1;
const isPositiveInt32 = (n: unknown): boolean => Number.isInteger(n) && (n as number) > 0 && (n as number) <= INT32_MAX;

/**
 * An iterator over the items of pages, reading one page ahead: once a page has arrived, the next is
 * requested while this one's items are handed out, so that the server's work on it overlaps the
 * caller's on these. `open` readies a page when its turn comes (its rows, or a promise of them: an
 * afterLoad hook runs then, not ahead); `item` makes what is handed out of each row. A throw of
 * either rejects that next(). At most one page is held beyond the current one.
 */
function pageByPage<P extends { readonly pageState: string | undefined }, T, R>(
  fetch: (pageState: string | undefined) => Promise<P>,
  open: (page: P) => readonly T[] | Promise<readonly T[]>,
  item: (raw: T) => R,
): AsyncIterator<R> {
  let rows: readonly T[] = [];
  let i = 0;
  let started = false;
  // The next page, requested; undefined once the last has arrived, or the iteration was ended.
  let ahead: Promise<P> | undefined;
  const request = (pageState: string | undefined): Promise<P> => {
    let fetching: Promise<P>;
    try {
      fetching = fetch(pageState);
    } catch (err) {
      fetching = Promise.reject(err);
    }
    // A page read ahead whose turn never comes (the caller stopped) must not reject unhandled;
    // next() still sees its error when it does come.
    fetching.catch(() => {});
    return fetching;
  };
  const opened = (list: readonly T[]): Promise<IteratorResult<R>> => {
    rows = list;
    i = 0;
    return next();
  };
  const next = (): Promise<IteratorResult<R>> => {
    if (i < rows.length) {
      try {
        return Promise.resolve({ value: item(rows[i++]!), done: false });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (!started) {
      started = true;
      ahead = request(undefined);
    }
    const pending = ahead;
    if (!pending) return Promise.resolve({ value: undefined, done: true });
    ahead = undefined;
    return pending.then((page) => {
      const list = open(page);
      const begin = Array.isArray(list) ? () => opened(list) : () => (list as Promise<readonly T[]>).then(opened);
      if (!page.pageState) return begin();
      ahead = request(page.pageState);
      // The driver writes a request to its socket from a tick of its own, after the promise jobs
      // queued before it, and a loop over the page's rows is such jobs to the page's end: one turn
      // of the event loop first lets the request go before the rows are handed out.
      return new Promise<void>((resolve) => setImmediate(resolve)).then(begin);
    });
  };
  // Ended early (a break, a stream destroyed): nothing more is requested, and what was read is let go.
  const end = (): Promise<IteratorResult<R>> => {
    started = true;
    ahead = undefined;
    rows = [];
    return Promise.resolve({ value: undefined, done: true });
  };
  return { next, return: end };
}

export class QuerySet<M extends ModelStatic> implements AsyncIterable<InstanceOf<M>> {
  readonly #state: QueryState;
  #keptPageSelect: { readonly keyspace: string; readonly stmt: CompiledStatement } | undefined;

  constructor(
    readonly model: M,
    state: QueryState = initialState(model),
  ) {
    if (model.schema.abstract) throw new CQLEngineError(`${model.schema.name} is abstract: it cannot be queried`);
    this.#state = state;
  }

  #with(changes: Partial<QueryState>): QuerySet<M> {
    return new QuerySet(this.model, { ...this.#state, ...changes });
  }

  // ---- building ----

  /**
   * Adds WHERE clauses: `{ id }`, `{ age__gte: 18 }`, `{ tags__contains: 'x' }`, `{ pk__token__gt: token(id) }`.
   *
   * @example
   * ```ts
   * const recent = await PageView.filter({ userId: id, at__gt: types.TimeUuid.fromDate(since) }).all();
   * ```
   */
  filter(filter: Filter<ColumnsOf<M>>): QuerySet<M> {
    return this.#with({ wheres: [...this.#state.wheres, ...parseFilter(this.model.schema, filter as Record<string, unknown>)] });
  }

  /** Runs on an explicit connection and/or keyspace (above any ContextQuery and the model's own). */
  using(scope: Scope): QuerySet<M> {
    return this.#with({ scope: mergeScope(this.#state.scope, validateScope(scope)) });
  }

  /**
   * At most this many rows. `0`, `null` and `undefined` remove the limit, as cqlengine's `limit(0)`
   * and `limit(None)` do.
   *
   * @example
   * ```ts
   * const latest = await PageView.filter({ userId: id }).limit(10).all();
   * ```
   */
  limit(limit: number | null | undefined): QuerySet<M> {
    if (limit === 0 || limit == null) return this.#with({ limit: undefined });
    if (!isPositiveInt32(limit))
      throw new ConfigurationError(`limit must be a positive integer up to ${INT32_MAX}, or 0 for none`, 'limit', limit);
    return this.#with({ limit });
  }

  /**
   * Orders by clustering columns: `orderBy('-created')` for descending; calls add to the order, and
   * `orderBy()` with no names clears it, as in cqlengine.
   *
   * @example
   * ```ts
   * const oldestFirst = await PageView.filter({ userId: id }).orderBy('at').limit(5).all();
   * ```
   */
  orderBy(...names: string[]): QuerySet<M> {
    if (names.length === 0) return this.#with({ orderBy: [] });
    const orderBy = names.map((name) => {
      const descending = name.startsWith('-');
      const column = columnOf(this.model.schema, descending ? name.slice(1) : name, 'orderBy');
      if (!column.isClusteringKey)
        throw new ConfigurationError(`Can't order on '${column.name}': only clustering columns can be ordered`, 'orderBy', name);
      return { column, descending };
    });
    return this.#with({ orderBy: [...this.#state.orderBy, ...orderBy] });
  }

  /** At most n rows from each partition (PER PARTITION LIMIT, Cassandra 3.6+). */
  perPartitionLimit(n: number): QuerySet<M> {
    if (!isPositiveInt32(n))
      throw new ConfigurationError(`perPartitionLimit must be a positive integer up to ${INT32_MAX}`, 'perPartitionLimit', n);
    return this.#with({ perPartitionLimit: n });
  }

  /**
   * Orders by approximate nearest neighbour to `vector` (`ORDER BY column ANN OF ?`, Cassandra 5.0):
   * the column needs a SAI index, and the query a limit().
   */
  annOf<K extends VectorColumnOf<M>>(name: K, vector: WriteOfColumn<ColumnsOf<M>[K]>): QuerySet<M> {
    const column = columnOf(this.model.schema, name, 'annOf');
    if (column.type.kind !== 'vector')
      throw new ConfigurationError(`annOf: ${column.name} is ${column.type.cql}, not a vector`, 'annOf', name);
    if (vector == null) throw new ValidationError(`annOf: the query vector cannot be null`, column.name, vector);
    return this.#with({ ann: { column, vector: column.type.coerce(vector, `annOf(${column.name})`) } });
  }

  allowFiltering(): QuerySet<M> {
    return this.#with({ allowFiltering: true });
  }

  /**
   * Reads only these columns (and the primary key); the others read as null (or empty collections).
   * Combines with defer(), as in cqlengine; a second only() is refused.
   */
  only(...names: (keyof ColumnsOf<M> & string)[]): QuerySet<M> {
    const schema = this.model.schema;
    if (this.#state.only) throw new ConfigurationError(`only() was already given: ${[...this.#state.only].join(', ')}`, 'only', names);
    const only = new Set(names.map((n) => columnOf(schema, n, 'only').name));
    return this.#with({ only, fields: selectedFields(schema, only, this.#state.deferred) });
  }

  /** Reads every column but these (the primary key is always read); calls add up, and combine with only(). */
  defer(...names: (keyof ColumnsOf<M> & string)[]): QuerySet<M> {
    const schema = this.model.schema;
    const deferred = new Set([...(this.#state.deferred ?? []), ...names.map((n) => columnOf(schema, n, 'defer').name)]);
    return this.#with({ deferred, fields: selectedFields(schema, this.#state.only, deferred) });
  }

  /** SELECT DISTINCT of the partition key (or the given columns). */
  distinct(...names: (keyof ColumnsOf<M> & string)[]): QuerySet<M> {
    const schema = this.model.schema;
    const fields = names.length ? names.map((n) => columnOf(schema, n, 'distinct')) : schema.partitionKeys;
    return this.#with({ distinct: true, fields });
  }

  /** Rows per page when iterating. */
  fetchSize(size: number): QuerySet<M> {
    if (!isPositiveInt32(size)) throw new ConfigurationError(`fetchSize must be a positive integer up to ${INT32_MAX}`, 'fetchSize', size);
    return this.#with({ fetchSize: size });
  }

  consistency(consistency: Consistency): QuerySet<M> {
    return this.#with({ consistency: parseConsistency(consistency) });
  }

  /** Client-side timeout in milliseconds; null: none. Not with batch(): a batch runs with its own. */
  timeout(ms: number | null): QuerySet<M> {
    const timeout = checkTimeout(ms);
    checkBatchTimeout({ batch: this.#state.batch, timeout });
    return this.#with({ timeout });
  }

  /** TTL in seconds for update() and create(); 0 or null: none of their own (the table's default applies), as in cqlengine. */
  ttl(seconds: number | null): QuerySet<M> {
    return this.#with({ ttl: checkTtl(seconds) });
  }

  /** Write time for update(), delete() and create(). */
  timestamp(value: TimestampInput): QuerySet<M> {
    return this.#with({ timestamp: toMicros(value) });
  }

  /** update()/delete() only if the row exists. */
  ifExists(): QuerySet<M> {
    // Checked as the state is built (here and in iff()): update() and delete() take it as it is.
    checkConditional(this.model.schema, this.#state.conditions, true);
    return this.#with({ ifExists: true });
  }

  /** create() only if the row does not exist (INSERT … IF NOT EXISTS), as cqlengine's if_not_exists(). */
  ifNotExists(): QuerySet<M> {
    if (this.model.schema.isCounterTable)
      throw new ConfigurationError(
        `${this.model.schema.name}: ifNotExists on a counter table (its rows are written by UPDATE)`,
        'ifNotExists',
        true,
      );
    return this.#with({ ifNotExists: true });
  }

  /** ifNotExists() applies to create(): an update() or delete() refuses it rather than drop it. */
  #onlyCreate(what: string): void {
    if (this.#state.ifNotExists) throw new ConfigurationError(`ifNotExists applies to create(), not to ${what}()`, 'ifNotExists', true);
  }

  /** update()/delete() only if these columns hold these values. */
  iff(conditions: Condition<ColumnsOf<M>>): QuerySet<M> {
    const all = [...this.#state.conditions, ...parseConditions(this.model.schema, conditions as Record<string, unknown>)];
    checkConditional(this.model.schema, all, this.#state.ifExists);
    return this.#with({ conditions: all });
  }

  /** Adds update(), delete() and create() to a batch instead of running them; null takes the QuerySet out of its batch. */
  batch(batch: BatchQuery | null): QuerySet<M> {
    const checked = checkBatch(batch, 'batch');
    checkBatchTimeout({ batch: checked, timeout: this.#state.timeout });
    return this.#with({ batch: checked });
  }

  // ---- inspecting ----

  #resolved(): ResolvedScope {
    return resolveScope(this.model.schema, this.#state.scope, this.model.scope, this.model.registry);
  }

  /** Where a read runs. A QuerySet given a batch() only writes, as in cqlengine: a read would run at once, outside the batch, and not see its writes. */
  #readTarget(): ResolvedScope {
    if (this.#state.batch) {
      throw new ConfigurationError(
        `${this.model.schema.name}: a QuerySet with a batch() only writes (update(), delete(), create()); read from one without it`,
        'batch',
        this.#state.batch,
      );
    }
    return this.#resolved();
  }

  #selectNode(overrides: Partial<SelectNode> = NO_OVERRIDES, target: ResolvedScope = this.#resolved()): SelectNode {
    const s = this.#state;
    const limit = pick(overrides, s, 'limit');
    if (s.ann && limit === undefined)
      throw new ConfigurationError('annOf() needs a limit(): Cassandra returns the n nearest rows', 'limit', undefined);
    if (s.ann && s.orderBy.length)
      throw new ConfigurationError(
        'annOf() is the order of its query: it cannot be combined with orderBy()',
        'orderBy',
        s.orderBy.map((o) => o.column.name),
      );
    const wheres = pick(overrides, s, 'wheres');
    checkSelectWheres(this.model.schema, wheres, s.allowFiltering || s.ann !== undefined);
    return {
      kind: 'select',
      table: { keyspace: target.keyspace, table: this.model.schema.table! },
      fields: overrides.fields ?? s.fields ?? selectColumns(this.model.schema),
      wildcard: overrides.fields === undefined && s.fields === undefined,
      distinct: pick(overrides, s, 'distinct'),
      wheres,
      orderBy: pick(overrides, s, 'orderBy'),
      limit,
      perPartitionLimit: pick(overrides, s, 'perPartitionLimit'),
      ann: pick(overrides, s, 'ann'),
      similarity: overrides.similarity,
      allowFiltering: pick(overrides, s, 'allowFiltering'),
    };
  }

  /** The SELECT this QuerySet runs, with its bind values (Python's str(query)). */
  toCQL(): { cql: string; params: unknown[] } {
    const stmt = this.#compiledSelect();
    return { cql: stmt.template.cql, params: [...stmt.values] };
  }

  toString(): string {
    return this.toCQL().cql;
  }

  #compiledSelect(): CompiledStatement {
    return compileSelect(this.#selectNode());
  }

  #runOptions(pageState?: string): RunOptions {
    const s = this.#state;
    if (s.consistency === undefined && s.timeout === undefined && s.fetchSize === undefined && pageState === undefined) return NO_OPTIONS;
    return { consistency: s.consistency, timeout: s.timeout, fetchSize: s.fetchSize, pageState };
  }

  // ---- reading ----

  /** Fetches one page; pass the previous page's pageState to continue. */
  page(pageState?: string): Promise<Page<InstanceOf<M>>> {
    try {
      const target = this.#readTarget();
      return this.#page(this.#pageSelect(target), pageState, target);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * page()'s SELECT, compiled by its first call in a keyspace and kept with the QuerySet (which never
   * changes): a query read page by page compiles it once, as `for await` does. Not for a polymorphic
   * family, whose members (and so the columns selected) can be added between pages.
   */
  #pageSelect(target: ResolvedScope): CompiledStatement {
    const kept = this.#keptPageSelect;
    if (kept?.keyspace === target.keyspace) return kept.stmt;
    const stmt = compileSelect(this.#selectNode(NO_OVERRIDES, target));
    if (!this.model.schema.discriminator) this.#keptPageSelect = { keyspace: target.keyspace, stmt };
    return stmt;
  }

  /** Runs a SELECT for one page of instances. */
  #page(stmt: CompiledStatement, pageState: string | undefined, target?: ResolvedScope): Promise<Page<InstanceOf<M>>> {
    return this.#fetch(stmt, pageState, target).then((page) => this.#instances(page.rows, page.pageState, page.codec));
  }

  /** A page of driver rows as instances, once their afterLoad hooks (if any) have run. */
  #instances(driverRows: types.Row[], pageState: string | undefined, codec: Codec): Page<InstanceOf<M>> | Promise<Page<InstanceOf<M>>> {
    const scope = this.#state.scope;
    const read = this.model[OWN_ROW_READER](driverRows[0], codec, scope);
    const rows = new Array<InstanceOf<M>>(driverRows.length);
    for (let i = 0; i < rows.length; i++) rows[i] = read(driverRows[i]!) as InstanceOf<M>;
    const page = { rows, pageState };
    const loaded = runAfterLoad(rows, this.model.prototype);
    return loaded ? loaded.then(() => page) : page;
  }

  /** The codec that reads a statement's rows: asked once it has run, since connecting may have made the Client it describes. */
  #codec(target: ResolvedScope): Codec {
    return target.registry.peek(target.connection).codec;
  }

  /** One page of driver rows, with the codec that reads them. */
  #fetch(stmt: CompiledStatement, pageState: string | undefined, target = this.#readTarget()): Promise<Page<types.Row> & { codec: Codec }> {
    return run(target, stmt, this.#runOptions(pageState), this.model.schema, 'page').then((result) => ({
      rows: result.rows,
      pageState: result.pageState ?? undefined,
      codec: this.#codec(target),
    }));
  }

  /**
   * Every matching row, page by page: `for await (const user of User.objects())`. Once a page has
   * arrived the next is requested, one page ahead, while this one's rows are handed out; no further
   * page until they have been taken, so `Readable.from(querySet)` is a stream with backpressure that
   * holds about two pages (see examples/stream-large-query.ts).
   *
   * @example
   * ```ts
   * for await (const view of PageView.filter({ userId: id }).fetchSize(500)) console.log(view.path);
   *
   * await pipeline(Readable.from(PageView.objects()), toNdjson, createWriteStream('views.ndjson'));
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<InstanceOf<M>> {
    // Hand-made rather than an async generator: rows of a fetched page are handed out without
    // generator machinery, a third of the cost per row.
    const stmt = this.#compiledSelect();
    // Without afterLoad hooks (which run on a whole page before its first row is handed out) or
    // a polymorphic family (whose rows are mapped up front, so a bad discriminator fails the
    // page), each row becomes an instance only when it is handed out: a page of instances is never
    // held at once, and they die young.
    if (typeof this.model.prototype.afterLoad !== 'function' && !this.model.schema.discriminator) {
      const scope = this.#state.scope;
      let read: (row: types.Row) => BaseModel;
      return pageByPage(
        (pageState) => this.#fetch(stmt, pageState),
        (page) => {
          read = this.model[OWN_ROW_READER](page.rows[0], page.codec, scope);
          return page.rows;
        },
        (row) => read(row) as InstanceOf<M>,
      );
    }
    return pageByPage(
      (pageState) => this.#fetch(stmt, pageState),
      (page) => {
        const instances = this.#instances(page.rows, page.pageState, page.codec);
        return 'then' in instances ? instances.then((p) => p.rows) : instances.rows;
      },
      (instance: InstanceOf<M>) => instance,
    );
  }

  /**
   * Every matching row, all pages read.
   *
   * @example
   * ```ts
   * const admins = await User.filter({ tags__contains: 'admin' }).allowFiltering().all();
   * ```
   */
  async all(): Promise<InstanceOf<M>[]> {
    const rows: InstanceOf<M>[] = [];
    for await (const row of this) rows.push(row);
    return rows;
  }

  /** The first matching row, or undefined. */
  async first(): Promise<InstanceOf<M> | undefined> {
    const page = await this.#page(compileSelect(this.#selectNode({ limit: 1 })), undefined);
    return page.rows[0];
  }

  /**
   * The one matching row: throws the model's DoesNotExist or MultipleObjectsReturned.
   *
   * @example
   * ```ts
   * try {
   *   const user = await User.objects().get({ id });
   * } catch (err) {
   *   if (!(err instanceof User.DoesNotExist)) throw err;
   * }
   * ```
   */
  get(filter?: Filter<ColumnsOf<M>>): Promise<InstanceOf<M>> {
    // Not async: the page's promise is handed on with one step more, not through an async function.
    try {
      // The scope is resolved once, for the statement and for the run.
      const target = this.#readTarget();
      const stmt = (this.#state === EMPTY && this.#keyRead(filter, target)) || this.#getSelect(this.#getWheres(filter), target);
      return run(target, stmt, this.#runOptions(), this.model.schema, 'page').then((result) => this.#one(result.rows, target));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * A get() by the whole primary key on a plain QuerySet, from the template its first such get()
   * compiled in this keyspace: the generic path parses the filter, checks it and walks the shape
   * cache, which in a sequential service costs more than the statement's own work.
   */
  #keyRead(filter: Filter<ColumnsOf<M>> | undefined, target: ResolvedScope): CompiledStatement | undefined {
    const schema = this.model.schema;
    // A polymorphic family selects the columns of every member, and members can be added later.
    if (schema.discriminator) return undefined;
    const values = primaryKeyValues(schema, filter);
    if (!values) return undefined;
    values[values.length - 1] = GET_LIMIT;
    const kept = keyReads.get(schema);
    if (kept?.keyspace === target.keyspace) return { template: kept.template, values };
    const stmt = this.#getSelect(this.#getWheres(filter), target);
    // Kept only when the generic statement binds exactly these values: the key's, then the limit.
    if (isDeepStrictEqual(stmt.values, values)) keyReads.set(schema, { keyspace: target.keyspace, template: stmt.template });
    return stmt;
  }

  #getWheres(filter: Filter<ColumnsOf<M>> | undefined): readonly Where[] {
    // The filter's clauses go straight into the statement: no QuerySet is made for one get.
    const own = this.#state.wheres;
    let wheres = own;
    if (filter) {
      const more = parseFilter(this.model.schema, filter as Record<string, unknown>);
      wheres = own.length ? [...own, ...more] : more;
    }
    return wheres;
  }

  /**
   * The one row of a get() as an instance, once its afterLoad hook (if any) has run; or the model's
   * DoesNotExist or MultipleObjectsReturned. Made straight from the rows: no page for one row.
   */
  #one(rows: readonly types.Row[], target: ResolvedScope): InstanceOf<M> | Promise<InstanceOf<M>> {
    const name = this.model.schema.name;
    if (rows.length === 0) throw new this.model.DoesNotExist(`${name} matching query does not exist`);
    if (rows.length > 1) throw new this.model.MultipleObjectsReturned(`${rows.length} or more ${name} objects returned for a get() query`);
    const instance = this.model[FROM_OWN_ROW](rows[0]!, this.#codec(target), this.#state.scope) as InstanceOf<M>;
    const loaded = runAfterLoad([instance], this.model.prototype);
    return loaded ? loaded.then(() => instance) : instance;
  }

  #getSelect(wheres: readonly Where[], target?: ResolvedScope): CompiledStatement {
    return compileSelect(this.#selectNode({ wheres, limit: this.#state.limit ?? GET_LIMIT }, target));
  }

  async count(): Promise<number> {
    if (this.#state.distinct) {
      // Cassandra has no SELECT DISTINCT COUNT(*): count the distinct keys page by page.
      let n = 0;
      for await (const _ of this) n++;
      return n;
    }
    const stmt = compileSelect(this.#selectNode({ fields: 'count', orderBy: [], limit: this.#state.limit }));
    const result = await run(this.#readTarget(), stmt, this.#runOptions(), this.model.schema);
    const n = Number(result.first()?.['count'] ?? 0);
    // Cassandra 3.0+ applies LIMIT to the one row COUNT(*) returns, not to the rows counted (2.1 to the rows).
    return this.#state.limit === undefined ? n : Math.min(n, this.#state.limit);
  }

  /**
   * The rows of an annOf() query with their similarity to the query vector, closest first
   * (`similarity_<fn>(column, ?)`, Cassandra 5.0). The function should be the index's.
   */
  async scored(fn: SimilarityFunction = 'cosine'): Promise<Scored<InstanceOf<M>>[]> {
    if (!this.#state.ann) throw new ConfigurationError('scored() needs annOf(column, vector)', 'scored', fn);
    if (!['cosine', 'euclidean', 'dot_product'].includes(fn))
      throw new ConfigurationError(`scored() takes 'cosine', 'euclidean' or 'dot_product', not ${describe(fn)}`, 'scored', fn);
    const stmt = compileSelect(this.#selectNode({ similarity: fn }));
    const target = this.#readTarget();
    const result = await run(target, stmt, this.#runOptions(), this.model.schema);
    const codec = target.registry.peek(target.connection).codec;
    const rows = result.rows.map((row) => this.model.fromRow(row, codec, this.#state.scope) as InstanceOf<M>);
    const loaded = runAfterLoad(rows, this.model.prototype);
    if (loaded) await loaded;
    return rows.map((row, i) => ({ row, similarity: Number(result.rows[i]!['similarity']) }));
  }

  /** The values of the given columns, row by row; `flat` for one column gives the values alone. */
  async valuesList<K extends keyof ColumnsOf<M> & string>(names: K[], options: { flat?: boolean } = {}): Promise<unknown[]> {
    if (options.flat && names.length !== 1) throw new ConfigurationError('flat needs exactly one column', 'flat', names);
    const rows = await this.only(...names).all();
    return rows.map((row) => {
      const record = row as unknown as Record<string, unknown>;
      return options.flat ? record[names[0]!] : names.map((n) => record[n]);
    });
  }

  // ---- writing ----

  /** Inserts a row with this QuerySet's scope, batch, TTL and timestamp. */
  async create(values: Insert<ColumnsOf<M>>, options: SaveOptions<ColumnsOf<M>> = {}): Promise<InstanceOf<M>> {
    const s = this.#state;
    const instance = new this.model(values as never) as unknown as { using(scope: Scope): unknown; save(o: SaveOptions): Promise<unknown> };
    if (s.scope) instance.using(s.scope);
    return instance.save({
      ...(s.batch && { batch: s.batch }),
      ...(s.ttl !== undefined && { ttl: s.ttl }),
      ...(s.timestamp !== undefined && { timestamp: s.timestamp }),
      ...(s.consistency !== undefined && { consistency: s.consistency }),
      ...(s.timeout !== undefined && { timeout: s.timeout }),
      ...(s.ifNotExists && { ifNotExists: true }),
      ...options,
    } as SaveOptions) as Promise<InstanceOf<M>>;
  }

  /** A blind UPDATE of every row the filters select, with cqlengine's collection and counter operations. */
  async update(values: Update<ColumnsOf<M>>): Promise<void> {
    this.#onlyCreate('update');
    const s = this.#state;
    const schema = this.model.schema;
    const { assignments, mapKeyRemovals } = parseUpdate(schema, values as Record<string, unknown>);
    // No instance here, so no hooks; the columns' validators still check the values set outright.
    for (const a of assignments) if (a.op === 'set') checkColumn(schema, a.column, a.value);
    // Map keys removed in the same UPDATE (`m[?] = null`), not in a DELETE beside it: one statement
    // applies whole, and under iff() the first would have changed what the second's condition reads.
    for (const r of mapKeyRemovals) {
      // A map also set whole in this update (`m: X`): CQL takes no second operation on it, so the key
      // is left out of X instead.
      const whole = assignments.findIndex((a) => a.column === r.column && a.op === 'set');
      if (whole < 0) {
        assignments.push({ column: r.column, op: 'removeKey', value: r.value });
        continue;
      }
      const value = assignments[whole]!.value;
      if (!(value instanceof Map)) continue;
      const kept = new Map([...value].filter(([k]) => !same(k, r.value)));
      assignments[whole] = { ...assignments[whole]!, value: kept.size ? kept : null };
    }
    if (assignments.length === 0) return;
    this.#checkWriteWheres('update');
    await this.#send(
      compileUpdate({
        kind: 'update',
        table: { keyspace: this.#resolved().keyspace, table: schema.table! },
        assignments,
        wheres: this.#writeWheres(),
        conditions: s.conditions,
        ifExists: s.ifExists,
        ttl: s.ttl,
        timestamp: s.timestamp,
      }),
    );
  }

  /** Deletes every row the filters select (or only the given columns of them). */
  async delete(...columns: (keyof ColumnsOf<M> & string)[]): Promise<void> {
    this.#onlyCreate('delete');
    const s = this.#state;
    const schema = this.model.schema;
    this.#checkWriteWheres('delete');
    const stmt = compileDelete({
      kind: 'delete',
      table: { keyspace: this.#resolved().keyspace, table: schema.table! },
      columns: columns.map((n) => columnOf(schema, n, 'delete')),
      mapKeys: [],
      wheres: this.#writeWheres(),
      conditions: s.conditions,
      ifExists: s.ifExists,
      timestamp: s.timestamp,
    });
    await this.#send(stmt);
  }

  /** The filters a write uses: a submodel's implicit discriminator filter is for reads only (UPDATE and DELETE take keys). */
  #writeWheres(): readonly Where[] {
    return this.#state.wheres.filter((w) => !implicit.has(w));
  }

  #checkWriteWheres(what: string): void {
    // Filtering nothing, or too little of the key, is a missing key value: ValidationError, as on an instance.
    const wheres = this.#writeWheres();
    if (wheres.length === 0) {
      const key = this.model.schema.partitionKeys[0]!;
      throw new ValidationError(`${what}() on ${this.model.schema.name} needs filters on the primary key`, key.name, undefined);
    }
    // A delete may also take a range of clustering columns (Cassandra 3.0+: checked when sent).
    const ops = what === 'delete' ? ['=', 'IN', '>', '>=', '<', '<='] : ['=', 'IN'];
    const bad = wheres.find(
      (w) => !w.column.isPrimaryKey || w.tokenKeys || !ops.includes(w.op) || (w.op !== '=' && w.op !== 'IN' && !w.column.isClusteringKey),
    );
    if (bad)
      throw new ConfigurationError(
        `${what}() filters must be equality or IN on key columns, not ${bad.column.name} ${bad.op}`,
        bad.column.name,
        describe(bad.value),
      );
    const missing = this.model.schema.partitionKeys.find((k) => !wheres.some((w) => w.column === k));
    if (missing)
      throw new ValidationError(
        `${what}() on ${this.model.schema.name} needs the whole partition key: ${missing.name} is not filtered`,
        missing.name,
        undefined,
      );
  }

  #send(stmt: CompiledStatement): Promise<unknown> | undefined {
    return write(
      this.#resolved(),
      stmt,
      this.#runOptions(),
      this.#state.batch,
      this.model.schema,
      this.#state.scope?.connection !== undefined,
    );
  }
}
