/**
 * Models: a table defined once as columns, with inferred TypeScript types, change-tracking
 * instances and the static entry points to queries.
 */
import { CQLEngineError, ConfigurationError, DoesNotExist, MultipleObjectsReturned, ValidationError, describe } from '../errors.js';
import type { BatchQuery } from '../execution/batch.js';
import { write } from '../execution/run.js';
import { resolveScope, validateScope, type ResolvedScope, type Scope } from '../execution/scope.js';
import { compileDelete, compileInsert, compileUpdate } from '../statements/compile.js';
import { parseConditions, isEmpty } from '../statements/filters.js';
import type { Assignment, ColumnValue, CompiledStatement, Where } from '../statements/nodes.js';
import { QuerySet } from './queryset.js';
import { emptyOf, readValue, type Codec } from '../schema/types.js';
import type { Columns, Filter, Insert, Row, Values } from '../schema/infer.js';
import { runOptions, writeOptions, type DeleteOptions, type SaveOptions, type StatementOptions } from '../execution/options.js';
import { buildSchema, checkKeyValue, type ColumnSchema, type ModelDefinition, type ModelSchema } from '../schema/model-schema.js';
import { assignmentsFor, same, snapshot } from './tracking.js';

const STATE = Symbol('cqlengine.instance');

interface InstanceState {
  values: Record<string, unknown>;
  /**
   * Values as last read or written; undefined while the row is not known to exist. This is `values`
   * itself until the first change (copy on write), which spares an object per row read; a collection
   * stays shared with it until the getter lends it out (see lend()).
   */
  original: Record<string, unknown> | undefined;
  scope: Scope | undefined;
  /** Whether a collection (or other mutable value) of `values` was handed out, and may change in place. */
  lent: boolean;
}

/** Any model class: what QuerySets, batches and management functions accept. */
export interface ModelStatic {
  new (values?: never): BaseModel;
  readonly schema: ModelSchema;
  readonly scope: Scope | undefined;
  readonly DoesNotExist: new (message: string) => DoesNotExist;
  readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned;
  fromRow(row: Record<string, unknown>, codec: Codec, scope?: Scope): BaseModel;
}

export type ColumnsOf<M> = M extends { readonly schema: ModelSchema<infer Cs> } ? Cs : never;
export type InstanceOf<M> = M extends abstract new (...args: never[]) => infer I ? I : never;

/** Normalizes a value for a column: null, an empty collection, or the coerced value. */
export function coerceValue(column: ColumnSchema, value: unknown): unknown {
  if (value == null) return emptyOf(column.type);
  return column.type.coerce(value, column.name);
}

export class BaseModel<Cs extends Columns = Columns> {
  static readonly schema: ModelSchema;
  static readonly scope: Scope | undefined = undefined;
  static readonly DoesNotExist: new (message: string) => DoesNotExist = DoesNotExist;
  static readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned = MultipleObjectsReturned;

  declare private [STATE]: InstanceState;

  constructor(values: Partial<Insert<Cs>> = {}) {
    const schema = (this.constructor as ModelStatic).schema;
    if (!schema) throw new CQLEngineError('Models are made with model(), not by extending BaseModel directly');
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new ConfigurationError(`${schema.name} takes its values as an object, got ${describe(values)}`, 'values', values);
    }
    const given = values as Record<string, unknown>;
    for (const key of Object.keys(given)) {
      if (!schema.byName.has(key)) throw new ConfigurationError(`${schema.name} has no column '${key}'`, key, given[key]);
    }
    const state: InstanceState = { values: {}, original: undefined, scope: undefined, lent: false };
    for (const column of schema.columns) {
      let value = given[column.name];
      if (value === undefined && column.defaultValue !== undefined) {
        value = typeof column.defaultValue === 'function' ? (column.defaultValue as () => unknown)() : column.defaultValue;
      }
      state.values[column.name] = coerceValue(column, value);
    }
    (this as unknown as { [STATE]: InstanceState })[STATE] = state;
  }

  // ---- statics: entry points to queries, typed by the class they are called on ----

  /** A QuerySet over this model. */
  static objects<M extends ModelStatic>(this: M): QuerySet<M> {
    return new QuerySet(this);
  }

  static filter<M extends ModelStatic>(this: M, filter: Filter<ColumnsOf<M>>): QuerySet<M> {
    return new QuerySet(this).filter(filter);
  }

  static all<M extends ModelStatic>(this: M): Promise<InstanceOf<M>[]> {
    return new QuerySet(this).all();
  }

  static first<M extends ModelStatic>(this: M): Promise<InstanceOf<M> | undefined> {
    return new QuerySet(this).first();
  }

  static count<M extends ModelStatic>(this: M): Promise<number> {
    return new QuerySet(this).count();
  }

  /** The one row that matches; throws this model's DoesNotExist or MultipleObjectsReturned. */
  static get<M extends ModelStatic>(this: M, filter: Filter<ColumnsOf<M>>): Promise<InstanceOf<M>> {
    return new QuerySet(this).get(filter);
  }

  /** A QuerySet on an explicit connection and/or keyspace. */
  static using<M extends ModelStatic>(this: M, scope: Scope): QuerySet<M> {
    return new QuerySet(this).using(scope);
  }

  /** Inserts a new row and returns its instance. */
  static async create<M extends ModelStatic>(this: M, values: Insert<ColumnsOf<M>>, options: SaveOptions<ColumnsOf<M>> = {}): Promise<InstanceOf<M>> {
    // async, so that bad values reject the promise rather than throw.
    const instance = new this(values as never) as BaseModel;
    return instance.save(options) as Promise<InstanceOf<M>>;
  }

  /**
   * This model bound to a connection and/or keyspace: a subclass, so instances and queries made
   * from it use that scope, and nothing global changes (ContextQuery is built on it).
   */
  static bind<M extends ModelStatic>(this: M, scope: Scope): M {
    const valid = validateScope(scope, 'ContextQuery');
    const merged = { ...this.scope, ...Object.fromEntries(Object.entries(valid).filter(([, v]) => v !== undefined)) };
    const Bound = class extends (this as unknown as typeof BaseModel) {
      static override readonly scope: Scope = merged;
    };
    Object.defineProperty(Bound, 'name', { value: this.name });
    return Bound as unknown as M;
  }

  /** Builds an instance from a driver row, without validation: the server's values are trusted. */
  static fromRow<M extends ModelStatic>(this: M, row: Record<string, unknown>, codec: Codec, scope?: Scope): InstanceOf<M> {
    const instance = Object.create(this.prototype) as BaseModel;
    const values: Record<string, unknown> = {};
    for (const column of this.schema.columns) {
      const raw = row[column.dbName];
      values[column.name] = readValue(column.type, raw, codec);
    }
    (instance as unknown as { [STATE]: InstanceState })[STATE] = { values, original: values, scope, lent: false };
    return instance as InstanceOf<M>;
  }

  // ---- instance API ----

  /** Runs this instance's statements on an explicit connection and/or keyspace. */
  using(scope: Scope): this {
    stateOf(this).scope = validateScope(scope);
    return this;
  }

  /** Whether the row was read from or written to Cassandra. */
  get isPersisted(): boolean {
    return stateOf(this).original !== undefined;
  }

  /** The columns changed since the row was read or last written. */
  changedColumns(): (keyof Cs & string)[] {
    const { values, original } = stateOf(this);
    const schema = (this.constructor as ModelStatic).schema;
    return schema.columns.filter((c) => !original || !same(values[c.name], original[c.name])).map((c) => c.name) as (keyof Cs & string)[];
  }

  /** The column values as a plain object. */
  toObject(): Row<Cs> {
    const state = stateOf(this);
    const schema = (this.constructor as ModelStatic).schema;
    if (schema.hasMutableValues) for (const column of schema.columns) lend(state, column);
    return { ...state.values } as Row<Cs>;
  }

  toJSON(): Row<Cs> {
    return this.toObject();
  }

  /**
   * Writes the instance: an INSERT of its non-null values when new (or its key changed), otherwise
   * an UPDATE of the changed columns only, with collection deltas and counter increments.
   */
  async save(options: SaveOptions<Cs> = {}): Promise<this> {
    const ctor = this.constructor as ModelStatic;
    const schema = ctor.schema;
    const state = stateOf(this);
    validate(this, schema);
    const conditional = options.ifExists === true || options.iff !== undefined;
    const keyChanged = !state.original || schema.primaryKeys.some((k) => !same(state.values[k.name], state.original![k.name]));
    if (schema.isCounterTable || conditional || !keyChanged) return updateChanged(this, schema, options);
    if (options.ifExists) throw new ConfigurationError('ifExists applies to updates, not to inserts', 'ifExists', true);
    const target = scopeOf(this, ctor);
    const values: ColumnValue[] = [];
    for (const column of schema.columns) {
      const value = state.values[column.name];
      if (value !== null && !isEmpty(value)) values.push({ column, value });
    }
    const stmt = compileInsert({
      kind: 'insert',
      table: { keyspace: target.keyspace, table: schema.table! },
      values,
      ifNotExists: options.ifNotExists === true,
      ...writeOptions(options),
    });
    await execute(this, ctor, target, stmt, options);
    return this;
  }

  /** Sets the given values and writes only what changed; key columns cannot be updated. */
  async update(values: Values<Cs>, options: SaveOptions<Cs> = {}): Promise<this> {
    const schema = (this.constructor as ModelStatic).schema;
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      const column = schema.byName.get(name);
      if (!column) throw new ConfigurationError(`${schema.name} has no column '${name}'`, name, value);
      if (column.isPrimaryKey) throw new ValidationError(`Cannot apply update to primary key '${name}' for ${schema.name}`, name, value);
    }
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      if (value !== undefined) (this as Record<string, unknown>)[name] = value;
    }
    validate(this, schema);
    return updateChanged(this, schema, options);
  }

  /** Deletes the row. */
  async delete(options: DeleteOptions<Cs> = {}): Promise<void> {
    const ctor = this.constructor as ModelStatic;
    const schema = ctor.schema;
    validateKeys(this, schema);
    const target = scopeOf(this, ctor);
    const stmt = compileDelete({
      kind: 'delete',
      table: { keyspace: target.keyspace, table: schema.table! },
      columns: [],
      mapKeys: [],
      wheres: keyWheres(this, schema),
      conditions: options.iff ? parseConditions(schema, options.iff as Record<string, unknown>) : [],
      ifExists: options.ifExists === true,
      ...writeOptions({ timestamp: options.timestamp }),
    });
    await send(this, ctor, target, stmt, options);
    stateOf(this).original = undefined;
  }
}

// Module functions rather than #private methods: instances read from rows are made with
// Object.create, which private-member brand checks would reject.
function stateOf(instance: BaseModel): InstanceState {
  return (instance as unknown as { [STATE]: InstanceState })[STATE];
}

function scopeOf(instance: BaseModel, ctor: ModelStatic): ResolvedScope {
  if (ctor.schema.abstract) throw new CQLEngineError(`${ctor.schema.name} is abstract: it has no table`);
  return resolveScope(ctor.schema, stateOf(instance).scope, ctor.scope);
}

/** WHERE on the primary key; on the partition key alone when only static columns are written (Cassandra refuses clustering keys then). */
function keyWheres(instance: BaseModel, schema: ModelSchema, partitionOnly = false): Where[] {
  const values = stateOf(instance).values;
  return (partitionOnly ? schema.partitionKeys : schema.primaryKeys).map((column) => ({ column, op: '=', value: values[column.name] }));
}

function validateKeys(instance: BaseModel, schema: ModelSchema): void {
  for (const column of schema.primaryKeys) {
    const value = stateOf(instance).values[column.name];
    if (value == null) throw new ValidationError(`${schema.name}.${column.name}: a key column cannot be null`, column.name, value);
    checkKeyValue(schema, column, value);
  }
}

function validate(instance: BaseModel, schema: ModelSchema): void {
  validateKeys(instance, schema);
  for (const column of schema.columns) {
    const value = stateOf(instance).values[column.name];
    if (column.isRequired && (value == null || isEmpty(value))) {
      throw new ValidationError(`${schema.name}.${column.name}: None values are not allowed (the column is required)`, column.name, value);
    }
  }
}

async function updateChanged<T extends BaseModel>(instance: T, schema: ModelSchema, options: SaveOptions): Promise<T> {
  const ctor = instance.constructor as ModelStatic;
  const state = stateOf(instance);
  if (options.ifNotExists) throw new ConfigurationError('ifNotExists applies to inserts; this would be an update', 'ifNotExists', true);
  const assignments: Assignment[] = [];
  for (const column of schema.columns) {
    if (column.isPrimaryKey) continue;
    const before = state.original ? state.original[column.name] : emptyOf(column.type);
    const after = state.values[column.name];
    if (!same(before, after)) assignments.push(...assignmentsFor(column, before, after));
  }
  if (assignments.length === 0) {
    if (!state.original) {
      // A conditional write of a row without values would turn into an unconditional INSERT.
      if (options.ifExists || options.iff) {
        throw new ConfigurationError(`${schema.name}: ${options.ifExists ? 'ifExists' : 'iff'} needs at least one non-key value to update`, options.ifExists ? 'ifExists' : 'iff', options.ifExists ?? options.iff);
      }
      // A counter row exists only once a counter moves: nothing to write.
      if (schema.isCounterTable) return instance;
      return instance.save(options);
    }
    return instance;
  }
  const target = scopeOf(instance, ctor);
  const stmt = compileUpdate({
    kind: 'update',
    table: { keyspace: target.keyspace, table: schema.table! },
    assignments,
    wheres: keyWheres(instance, schema, assignments.every((a) => a.column.isStatic)),
    conditions: options.iff ? parseConditions(schema, options.iff as Record<string, unknown>) : [],
    ifExists: options.ifExists === true,
    ...writeOptions(options),
  });
  await execute(instance, ctor, target, stmt, options);
  return instance;
}

/** Sends a write, then records the written values as the new baseline for change tracking. */
async function execute(instance: BaseModel, ctor: ModelStatic, scope: ResolvedScope, stmt: CompiledStatement, options: SaveOptions): Promise<void> {
  await send(instance, ctor, scope, stmt, options);
  const state = stateOf(instance);
  state.original = baseline(ctor.schema, state);
}

/**
 * The values to compare later changes against: shared until a change (copy on write) while no
 * mutable value was lent out; else with a copy of each mutable value, which the caller may still
 * change in place.
 */
function baseline(schema: ModelSchema, state: InstanceState): Record<string, unknown> {
  const values = state.values;
  if (!schema.hasMutableValues || !state.lent) return values;
  const copy: Record<string, unknown> = { ...values };
  for (const column of schema.columns) if (isMutable(column)) copy[column.name] = snapshot(values[column.name]);
  return copy;
}

const isMutable = (column: ColumnSchema): boolean => column.type.kind !== 'scalar' && column.type.kind !== 'counter';

/**
 * A column's value as handed to the caller. A mutable value still shared with the baseline is
 * copied first, so that in-place changes (set.add, list.push) show as changes.
 */
function lend(state: InstanceState, column: ColumnSchema): unknown {
  const value = state.values[column.name];
  if (value === null || typeof value !== 'object' || !isMutable(column)) return value;
  state.lent = true;
  if (state.original === undefined || state.original[column.name] !== value) return value;
  if (state.original === state.values) state.original = { ...state.values };
  return (state.values[column.name] = snapshot(value));
}

function send(instance: BaseModel, ctor: ModelStatic, scope: ResolvedScope, stmt: CompiledStatement, options: { batch?: BatchQuery } & StatementOptions): Promise<void> {
  return write(scope, stmt, runOptions(options), options.batch, ctor.schema, stateOf(instance).scope?.connection !== undefined);
}

/** An instance of a model with columns Cs: its column values as properties, plus the instance API. */
export type Instance<Cs extends Columns> = BaseModel<Cs> & Row<Cs>;

/** The class model() returns: construct, extend with your own methods, and query through its statics. */
export type ModelClass<Cs extends Columns> = Omit<typeof BaseModel, 'prototype' | 'schema'> & {
  new (values?: Partial<Insert<Cs>>): Instance<Cs>;
  readonly prototype: Instance<Cs>;
  readonly schema: ModelSchema<Cs>;
};

const RESERVED = new Set([...Object.getOwnPropertyNames(BaseModel.prototype), 'constructor']);

/**
 * Defines a model: `model('users', { id: columns.uuid().partitionKey(), name: columns.text() })`.
 * Extend the result to add methods: `class User extends model(...) { greet() { … } }`.
 */
export function model<const Cs extends Columns>(table: string, columns: Cs, options: Omit<ModelDefinition, 'table'> = {}): ModelClass<Cs> {
  return define(table, columns, options);
}

/** An abstract model: columns (and methods, when extended) for other models to build on; it has no table. */
export function abstractModel<const Cs extends Columns>(columns: Cs, options: Omit<ModelDefinition, 'table' | 'abstract'> = {}): ModelClass<Cs> {
  return define(undefined, columns, { ...options, abstract: true });
}

/** A model that adds columns to a base model's (cqlengine's model inheritance). */
export function extend<const Base extends Columns, const Cs extends Columns>(
  base: { readonly schema: ModelSchema<Base> },
  table: string,
  columns: Cs,
  options: Omit<ModelDefinition, 'table'> = {},
): ModelClass<Base & Cs> {
  // A model class as base (say an abstract model extended with methods) is the new model's parent, so its methods carry over.
  const parent = typeof (base as unknown) === 'function' && (base as unknown as typeof BaseModel).prototype instanceof BaseModel ? (base as unknown as typeof BaseModel) : BaseModel;
  return define(
    table,
    { ...base.schema.definitions, ...columns } as Base & Cs,
    { keyspace: base.schema.keyspace, connection: base.schema.connection, ...options },
    parent,
  );
}

function define<Cs extends Columns>(
  table: string | undefined,
  columns: Cs,
  options: Omit<ModelDefinition, 'table'>,
  Parent: typeof BaseModel = BaseModel,
): ModelClass<Cs> {
  const name = table ?? 'AbstractModel';
  for (const key of Object.keys(columns)) {
    if (RESERVED.has(key)) throw new ConfigurationError(`Column name '${key}' clashes with a model method`, key, key);
  }
  const schema = buildSchema(name, columns, { ...options, table });
  const Model = class extends Parent<Cs> {
    static override readonly schema = schema;
    static override readonly DoesNotExist = class extends Parent.DoesNotExist {};
    static override readonly MultipleObjectsReturned = class extends Parent.MultipleObjectsReturned {};
  };
  Object.defineProperty(Model, 'name', { value: name });
  Object.defineProperty(Model.DoesNotExist, 'name', { value: `${name}.DoesNotExist` });
  Object.defineProperty(Model.MultipleObjectsReturned, 'name', { value: `${name}.MultipleObjectsReturned` });
  for (const column of schema.columns) {
    Object.defineProperty(Model.prototype, column.name, {
      enumerable: true,
      configurable: true,
      get(this: BaseModel) {
        return lend((this as unknown as { [STATE]: InstanceState })[STATE], column);
      },
      set(this: BaseModel, value: unknown) {
        const state = (this as unknown as { [STATE]: InstanceState })[STATE];
        const coerced = coerceValue(column, value);
        if (state.original === state.values) state.original = { ...state.values };
        state.values[column.name] = coerced;
      },
    });
  }
  return Model as unknown as ModelClass<Cs>;
}
