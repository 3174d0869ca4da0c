/**
 * cqlengine's NamedTable and NamedKeyspace: any table (or materialized view) queried by name,
 * without a model. Its columns and types are read from the server's schema metadata once, and a
 * model is built from them, so filters, values and errors behave as with a declared model; rows
 * are handed out as plain objects.
 *
 *   const users = new NamedKeyspace('shop').table('users');
 *   await users.filter({ id: 1 }).get();        // { id: 1, name: 'x', … }
 */
import { types } from 'cassandra-driver';
import { registry } from '../connection/index.js';
import { CQLEngineError, ConfigurationError, DoesNotExist, MultipleObjectsReturned } from '../errors.js';
import { validateIdentifier } from '../schema/identifier.js';
import { Column, type AnyColumn } from '../schema/columns.js';
import { cqlTypes, list, map, set, tuple, type CqlType } from '../schema/types.js';
import { UserType } from '../schema/user-type.js';
import type { Columns } from '../schema/infer.js';
import type { SaveOptions } from '../execution/options.js';
import type { Consistency } from '../connection/consistency.js';
import { model, type BaseModel, type ModelStatic } from './model.js';
import { QuerySet } from './queryset.js';

type Row = Record<string, unknown>;
type AnyQuerySet = QuerySet<ModelStatic>;

interface DataType {
  readonly code: number;
  readonly info?: unknown;
  readonly options?: { readonly frozen?: boolean };
}

interface ColumnMeta {
  readonly name: string;
  readonly type: DataType;
  readonly isStatic?: boolean;
}

interface CollectionMeta {
  readonly columns: ColumnMeta[];
  readonly partitionKeys: ColumnMeta[];
  readonly clusteringKeys: ColumnMeta[];
  readonly clusteringOrder: string[];
  readonly indexes?: { readonly target: string }[];
}

const SCALARS: Partial<Record<number, CqlType<unknown>>> = {};
for (const [name, type] of Object.entries(cqlTypes)) {
  const code = (types.dataTypes as unknown as Record<string, number>)[name];
  if (code !== undefined) SCALARS[code] = type as CqlType<unknown>;
}

/** The mapper's CQL type for a type the server reports. */
function typeOf(type: DataType, where: string): CqlType<unknown> {
  const scalar = SCALARS[type.code];
  if (scalar) return scalar;
  const frozen = type.options?.frozen === true;
  const info = type.info;
  switch (type.code) {
    case types.dataTypes.list:
      return list(typeOf(info as DataType, where), frozen) as CqlType<unknown>;
    case types.dataTypes.set:
      return set(typeOf(info as DataType, where), frozen) as CqlType<unknown>;
    case types.dataTypes.map: {
      const [k, v] = info as [DataType, DataType];
      return map(typeOf(k, where), typeOf(v, where), frozen) as CqlType<unknown>;
    }
    case types.dataTypes.tuple:
      return tuple(...(info as DataType[]).map((t) => typeOf(t, where))) as CqlType<unknown>;
    case types.dataTypes.udt: {
      const udt = info as { name: string; fields: { name: string; type: DataType }[] };
      const fields = Object.fromEntries(udt.fields.map((f) => [f.name, new Column(typeOf(f.type, `${where}.${f.name}`))]));
      return new UserType(udt.name, fields).cqlType as CqlType<unknown>;
    }
  }
  throw new CQLEngineError(
    `${where}: the mapper has no type for the server's type code ${type.code}${typeof info === 'string' ? ` (${info})` : ''}`,
  );
}

/** A model's columns for a table or view as the server describes it: keys first, in key order. */
function columnsOf(meta: CollectionMeta, label: string): Columns {
  const indexed = new Map<string, 'values' | 'keys'>();
  for (const index of meta.indexes ?? []) {
    const m = /^(?:(values|keys|entries|full)\()?"?(.*?)"?\)?$/.exec(index.target);
    if (m && (m[1] === undefined || m[1] === 'values' || m[1] === 'keys')) indexed.set(m[2]!, m[1] === 'keys' ? 'keys' : 'values');
  }
  const result: Record<string, AnyColumn> = {};
  const add = (c: ColumnMeta, build: (column: AnyColumn) => AnyColumn) => {
    let column = build(new Column(typeOf(c.type, `${label}.${c.name}`)) as AnyColumn);
    const on = indexed.get(c.name);
    if (on) column = column.index(on);
    result[c.name] = column;
  };
  for (const c of meta.partitionKeys) add(c, (col) => col.partitionKey());
  for (const [i, c] of meta.clusteringKeys.entries()) {
    add(c, (col) => col.primaryKey().clusteringOrder(meta.clusteringOrder[i] === 'DESC' ? 'desc' : 'asc'));
  }
  for (const c of meta.columns) if (!(c.name in result)) add(c, (col) => (c.isStatic ? col.static() : col));
  return result;
}

export interface NamedOptions {
  /** Connection name; default: the default connection. */
  connection?: string;
}

/** A keyspace by name: `new NamedKeyspace('shop').table('users')`. */
export class NamedKeyspace {
  constructor(
    readonly name: string,
    readonly options: NamedOptions = {},
  ) {
    validateIdentifier(name, 'keyspace');
  }

  /** A table or materialized view of this keyspace. */
  table(name: string): NamedTable {
    return new NamedTable(this.name, name, this.options);
  }
}

/**
 * A table or materialized view by name. Query methods resolve its columns from the server's
 * metadata on first use (a table created later is found then); a view is read-only.
 */
export class NamedTable {
  #resolved: Promise<{ model: ModelStatic; isView: boolean }> | undefined;
  /** What get() throws when no row matches (a subclass of the exported DoesNotExist), as cqlengine's NamedTable has it. */
  readonly DoesNotExist: new (message: string) => DoesNotExist = class extends DoesNotExist {};
  /** What get() throws when several rows match. */
  readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned = class extends MultipleObjectsReturned {};

  constructor(
    readonly keyspace: string,
    readonly name: string,
    readonly options: NamedOptions = {},
  ) {
    validateIdentifier(keyspace, 'keyspace');
    validateIdentifier(name, 'table');
    Object.defineProperty(this.DoesNotExist, 'name', { value: `${name}.DoesNotExist` });
    Object.defineProperty(this.MultipleObjectsReturned, 'name', { value: `${name}.MultipleObjectsReturned` });
    if (options.connection !== undefined && (typeof options.connection !== 'string' || options.connection === '')) {
      throw new ConfigurationError('connection must be a connection name', 'connection', options.connection);
    }
  }

  /** The model built from the server's description of the table (or view). */
  model(): Promise<ModelStatic> {
    return this.#resolve().then((r) => r.model);
  }

  /** Whether the name is a materialized view (read-only). */
  isView(): Promise<boolean> {
    return this.#resolve().then((r) => r.isView);
  }

  #resolve(): Promise<{ model: ModelStatic; isView: boolean }> {
    this.#resolved ??= (async () => {
      const client = await (await registry.get(this.options.connection)).client();
      const label = `${this.keyspace}.${this.name}`;
      const lookup = async (): Promise<{ meta: CollectionMeta | null; isView: boolean }> => {
        const table = (await client.metadata.getTable(this.keyspace, this.name)) as unknown as CollectionMeta | null;
        if (table) return { meta: table, isView: false };
        // Servers before 3.0 have no views: their metadata lookup fails rather than finding none.
        const getView = client.metadata.getMaterializedView as unknown as (ks: string, name: string) => Promise<CollectionMeta | null>;
        const view = await getView.call(client.metadata, this.keyspace, this.name).catch(() => null);
        return { meta: view, isView: view !== null };
      };
      let { meta, isView } = await lookup();
      if (!meta) {
        // The driver finds nothing in a keyspace it has not heard of yet: one made through another
        // Client (or process) reaches its metadata about a second later. Asked again once, it is read now.
        await client.metadata.refreshKeyspace(this.keyspace).catch(() => undefined);
        ({ meta, isView } = await lookup());
      }
      if (!meta)
        throw new CQLEngineError(
          `No table or materialized view ${label} on connection '${this.options.connection ?? registry.defaultConnectionName ?? 'default'}'`,
        );
      const model_ = model(this.name, columnsOf(meta, label), {
        keyspace: this.keyspace,
        connection: this.options.connection,
      }) as unknown as ModelStatic;
      return { model: model_, isView };
    })();
    // A failed lookup is not kept: the table may exist on the next call.
    this.#resolved.catch(() => {
      this.#resolved = undefined;
    });
    return this.#resolved;
  }

  /** A query of this table: `table.objects().filter({ … }).limit(10).all()`. */
  objects(): NamedQuery {
    return new NamedQuery(this, []);
  }

  filter(filter: Row): NamedQuery {
    return this.objects().filter(filter);
  }

  all(): Promise<Row[]> {
    return this.objects().all();
  }

  count(): Promise<number> {
    return this.objects().count();
  }

  get(filter: Row): Promise<Row> {
    return this.objects().get(filter);
  }

  /** Inserts a row from a plain object; resolves to the row as written. */
  async create(values: Row, options: SaveOptions = {}): Promise<Row> {
    const { model: m } = await this.#writable('create');
    const instance = new m(values as never) as BaseModel;
    await instance.save(options);
    return instance.toObject() as Row;
  }

  /** The model, refused for a view, which the server would refuse to write. */
  async #writable(what: string): Promise<{ model: ModelStatic }> {
    const resolved = await this.#resolve();
    if (resolved.isView) throw new CQLEngineError(`${this.keyspace}.${this.name} is a materialized view: ${what}() cannot write to it`);
    return resolved;
  }

  /** @internal For NamedQuery's writes. */
  writable(what: string): Promise<{ model: ModelStatic }> {
    return this.#writable(what);
  }
}

type Step = (qs: AnyQuerySet) => AnyQuerySet;

/**
 * A QuerySet of a NamedTable, built before the table's columns are known: each step is recorded
 * and applied when a terminal method runs, so a bad filter rejects that method's promise.
 */
export class NamedQuery {
  constructor(
    readonly table: NamedTable,
    readonly steps: readonly Step[],
  ) {}

  #then(step: Step): NamedQuery {
    return new NamedQuery(this.table, [...this.steps, step]);
  }

  async #queryset(write?: string): Promise<AnyQuerySet> {
    const m = write ? (await this.table.writable(write)).model : await this.table.model();
    return this.steps.reduce((qs, step) => step(qs), new QuerySet(m) as AnyQuerySet);
  }

  filter(filter: Row): NamedQuery {
    return this.#then((qs) => qs.filter(filter as never));
  }

  limit(limit: number | null | undefined): NamedQuery {
    return this.#then((qs) => qs.limit(limit));
  }

  orderBy(...names: string[]): NamedQuery {
    return this.#then((qs) => qs.orderBy(...names));
  }

  allowFiltering(): NamedQuery {
    return this.#then((qs) => qs.allowFiltering());
  }

  only(...names: string[]): NamedQuery {
    return this.#then((qs) => qs.only(...(names as never[])));
  }

  defer(...names: string[]): NamedQuery {
    return this.#then((qs) => qs.defer(...(names as never[])));
  }

  fetchSize(size: number): NamedQuery {
    return this.#then((qs) => qs.fetchSize(size));
  }

  consistency(consistency: Consistency): NamedQuery {
    return this.#then((qs) => qs.consistency(consistency));
  }

  timeout(ms: number | null): NamedQuery {
    return this.#then((qs) => qs.timeout(ms));
  }

  /** Every matching row as a plain object, page by page: `for await (const row of table.filter({ … }))`. */
  async *[Symbol.asyncIterator](): AsyncIterator<Row> {
    for await (const instance of await this.#queryset()) yield (instance as BaseModel).toObject() as Row;
  }

  async all(): Promise<Row[]> {
    return (await (await this.#queryset()).all()).map((r) => r.toObject() as Row);
  }

  async first(): Promise<Row | undefined> {
    return (await (await this.#queryset()).first())?.toObject() as Row | undefined;
  }

  /** The one matching row; throws the table's DoesNotExist or MultipleObjectsReturned. */
  async get(filter?: Row): Promise<Row> {
    const qs = await this.#queryset();
    try {
      return (await (filter ? qs.filter(filter as never) : qs).get()).toObject() as Row;
    } catch (err) {
      // The model behind the table is made when it is first looked up: its errors become the table's own.
      if (err instanceof DoesNotExist) throw new this.table.DoesNotExist(err.message);
      if (err instanceof MultipleObjectsReturned) throw new this.table.MultipleObjectsReturned(err.message);
      throw err;
    }
  }

  async count(): Promise<number> {
    return (await this.#queryset()).count();
  }

  /** A blind update of the selected rows, with cqlengine's collection and counter operations. */
  async update(values: Row): Promise<void> {
    await (await this.#queryset('update')).update(values as never);
  }

  async delete(...columns: string[]): Promise<void> {
    await (await this.#queryset('delete')).delete(...(columns as never[]));
  }
}
