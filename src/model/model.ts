/**
 * Models: a table defined once as columns, with inferred TypeScript types, change-tracking
 * instances and the static entry points to queries.
 */
import { types } from 'cassandra-driver';
import { inspect } from 'node:util';
import {
  CQLEngineError,
  ConfigurationError,
  DoesNotExist,
  MultipleObjectsReturned,
  UnknownColumnError,
  ValidationError,
  describe,
} from '../errors.js';
import { checkBatch, type BatchQuery } from '../execution/batch.js';
import type { Consistency } from '../connection/consistency.js';
import type { TimestampInput } from '../connection/validate.js';
import { write } from '../execution/run.js';
import {
  checkRegistry,
  mergeScope,
  resolveScope,
  validateScope,
  type Binding,
  type ResolvedScope,
  type Scope,
} from '../execution/scope.js';
import { registry as defaultRegistry, type ConnectionRegistry } from '../connection/index.js';
import { oldestRelease } from '../connection/funnel.js';
import { ORDERED_PREPEND_SINCE, olderThan } from '../schema/version.js';
import { checkConnectionName } from '../connection/validate.js';
import { compileDelete, compileInsert, compileUpdate } from '../statements/compile.js';
import { checkConditional, parseConditions } from '../statements/filters.js';
import type { Assignment, CompiledStatement, Condition, Where } from '../statements/nodes.js';
import { QuerySet } from './queryset.js';
import { emptyOf, isNullish, isPlainObject, keepsDriverValue, readValue, type Codec } from '../schema/types.js';
import type { Columns, Condition as Conditions, Filter, Insert, KeyValues, Row, Values, WriteOf } from '../schema/infer.js';
import {
  checkBatchTimeout,
  runOptions,
  writeTimestamp,
  writeTtl,
  type DeleteOptions,
  type SaveOptions,
  type StatementOptions,
} from '../execution/options.js';
import {
  buildSchema,
  checkKeyValue,
  isMutable,
  type ColumnSchema,
  type ModelDefinition,
  type ModelSchema,
} from '../schema/model-schema.js';
import { pushAssignments, same, snapshot } from './tracking.js';
import { registerVariant, variantFor, variantWriteValue } from './variants.js';
import { FROM_OWN_ROW, OWN_ROW_READER } from './own-row.js';
import { MAX_KEYED_COLUMN, keepPlainUpdate, keepWrite, keptWrite, plainUpdateValues } from './key-writes.js';
import { displayOf, jsonRow, type JsonRow } from './json.js';
import { HOOK_NAMES, checkColumns, runAfterHook, runHook, type LifecycleHooks } from './hooks.js';

// An instance's state lives in four symbol-keyed fields of its own rather than in an object beside
// it: a page of rows read makes one object per row instead of two (fewer objects to collect), and
// four fields fit in the object itself.
const VALUES = Symbol('cqlengine.values');
const ORIGINAL = Symbol('cqlengine.original');
const SCOPE = Symbol('cqlengine.scope');
const MARKS = Symbol('cqlengine.marks');

interface InstanceState {
  [VALUES]: Record<string, unknown>;
  /**
   * Values as last read or written; undefined while the row is not known to exist. It is `values`
   * itself until the first assignment or exposure (copy on write), and shares each collection
   * value with `values` until that value is exposed: a row read or written copies nothing.
   */
  [ORIGINAL]: Record<string, unknown> | undefined;
  [SCOPE]: Scope | undefined;
  /** Which columns were given or handed out; undefined while none was (rows read, until a collection is reached). */
  [MARKS]: Marks | undefined;
}

interface Marks {
  /**
   * While the row is new: the columns given to the constructor or assigned since. As in cqlengine,
   * a new instance's explicit null clears the stored value, and update() writes only these.
   */
  explicit: readonly string[] | undefined;
  /**
   * Columns whose live value (a collection, tuple or UDT) has been handed out (getter, get(),
   * toObject(), a validator), so it may change in place: `original` holds a snapshot of each.
   * Only what was handed out can change in place, since values given to the constructor or a
   * setter are copied.
   */
  exposed: Set<string> | undefined;
}

/** Any model class: what QuerySets, batches and management functions accept. */
export interface ModelStatic {
  new (values?: never): BaseModel;
  readonly schema: ModelSchema;
  readonly scope: Scope | undefined;
  /** The registry whose connections serve this model. */
  readonly registry: ConnectionRegistry;
  readonly DoesNotExist: new (message: string) => DoesNotExist;
  readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned;
  fromRow(row: Record<string, unknown>, codec: Codec, scope?: Scope): BaseModel;
  [FROM_OWN_ROW](row: Record<string, unknown>, codec: Codec, scope: Scope | undefined): BaseModel;
  [OWN_ROW_READER](
    first: Record<string, unknown> | undefined,
    codec: Codec,
    scope: Scope | undefined,
  ): (row: Record<string, unknown>) => BaseModel;
}

export type ColumnsOf<M> = M extends { readonly schema: ModelSchema<infer Cs> } ? Cs : never;
export type InstanceOf<M> = M extends abstract new (...args: never[]) => infer I ? I : never;

/** Normalizes a value for a column: null, an empty collection, or the coerced value. */
function coerceValue(column: ColumnSchema, value: unknown): unknown {
  if (value == null) return emptyOf(column.type);
  return column.type.coerce(value, column.name);
}

// Declaration merging: the lifecycle hooks are optional methods a subclass may define.
// biome-ignore lint/correctness/noUnusedVariables: the type parameter must match the class's for the merge
export interface BaseModel<Cs extends Columns = Columns> extends LifecycleHooks {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the merged interface declares optional hook methods only
export class BaseModel<Cs extends Columns = Columns> {
  static readonly schema: ModelSchema;
  static readonly scope: Scope | undefined = undefined;
  /** The registry whose connections serve this model: the module's default unless model() was given one. */
  static readonly registry: ConnectionRegistry = defaultRegistry;
  static readonly DoesNotExist: new (message: string) => DoesNotExist = DoesNotExist;
  static readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned = MultipleObjectsReturned;

  constructor(values: Partial<Insert<Cs>> = {}) {
    const schema = (this.constructor as ModelStatic).schema;
    if (!schema) throw new CQLEngineError('Models are made with model(), not by extending BaseModel directly');
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new ConfigurationError(`${schema.name} takes its values as an object, got ${describe(values)}`, 'values', values);
    }
    const given = values as Record<string, unknown>;
    // The explicit columns are the given keys whose value is not undefined. Counted without a keys
    // array: given every column (a create's usual case), they are the schema's own list.
    let keys = 0;
    let undefinedGiven = false;
    // A plain object inherits no enumerable key, unless someone gave Object.prototype one: the own-key
    // check, most of this loop's cost, is left to the error path then.
    const plain = Object.getPrototypeOf(given) === Object.prototype;
    for (const key in given) {
      if (!plain && !Object.hasOwn(given, key)) continue;
      if (!schema.byName.has(key)) {
        if (!Object.hasOwn(given, key)) continue;
        throw new UnknownColumnError(`${schema.name} has no column '${key}'`, key, given[key]);
      }
      if (given[key] === undefined) undefinedGiven = true;
      keys++;
    }
    const explicit = !undefinedGiven && keys === schema.columns.length ? schema.columnNames : definedKeys(given, Object.keys(given));
    const own: Record<string, unknown> = { ...schema.blankValues };
    for (const column of schema.columns) {
      let value = given[column.name];
      if (value === undefined && column.defaultValue !== undefined) {
        value = typeof column.defaultValue === 'function' ? (column.defaultValue as () => unknown)() : column.defaultValue;
      }
      own[column.name] = coerceValue(column, value);
    }
    const state = this as unknown as InstanceState;
    state[VALUES] = own;
    state[ORIGINAL] = undefined;
    state[SCOPE] = undefined;
    state[MARKS] = { explicit, exposed: undefined };
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

  /** A QuerySet whose update() and delete() apply only if these columns hold these values (cqlengine's Model.iff()). */
  static iff<M extends ModelStatic>(this: M, conditions: Conditions<ColumnsOf<M>>): QuerySet<M> {
    return new QuerySet(this).iff(conditions);
  }

  /** A QuerySet whose update() and delete() apply only if the row exists. */
  static ifExists<M extends ModelStatic>(this: M): QuerySet<M> {
    return new QuerySet(this).ifExists();
  }

  /** A QuerySet whose create() applies only if the row does not exist. */
  static ifNotExists<M extends ModelStatic>(this: M): QuerySet<M> {
    return new QuerySet(this).ifNotExists();
  }

  /** The one row that matches; throws this model's DoesNotExist or MultipleObjectsReturned. */
  static get<M extends ModelStatic>(this: M, filter: Filter<ColumnsOf<M>>): Promise<InstanceOf<M>> {
    return new QuerySet(this).get(filter);
  }

  /** A QuerySet on an explicit connection and/or keyspace. */
  static using<M extends ModelStatic>(this: M, scope: Scope): QuerySet<M> {
    return new QuerySet(this).using(scope);
  }

  /** A QuerySet whose statements run at this consistency (cqlengine's Model.consistency()). */
  static consistency<M extends ModelStatic>(this: M, consistency: Consistency): QuerySet<M> {
    return new QuerySet(this).consistency(consistency);
  }

  /** A QuerySet whose create() and update() write with this TTL in seconds; null: none (cqlengine's Model.ttl()). */
  static ttl<M extends ModelStatic>(this: M, seconds: number | null): QuerySet<M> {
    return new QuerySet(this).ttl(seconds);
  }

  /** A QuerySet whose writes carry this timestamp (cqlengine's Model.timestamp()). */
  static timestamp<M extends ModelStatic>(this: M, value: TimestampInput): QuerySet<M> {
    return new QuerySet(this).timestamp(value);
  }

  /** A QuerySet whose create(), update() and delete() join this batch (cqlengine's Model.batch()). */
  static batch<M extends ModelStatic>(this: M, batch: BatchQuery | null): QuerySet<M> {
    return new QuerySet(this).batch(batch);
  }

  /** Inserts a new row and returns its instance. */
  static create<M extends ModelStatic>(
    this: M,
    values: Insert<ColumnsOf<M>>,
    options: SaveOptions<ColumnsOf<M>> = {},
  ): Promise<InstanceOf<M>> {
    // Not async (save()'s promise is handed on as it is, without wrapping), yet bad values reject.
    try {
      return (new this(values as never) as BaseModel).save(options) as Promise<InstanceOf<M>>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * This model bound to a connection, keyspace and/or registry: a subclass, so instances and
   * queries made from it use them, and nothing global changes (ContextQuery is built on it).
   */
  static bind<M extends ModelStatic>(this: M, binding: Binding): M {
    const merged = mergeScope(this.scope, validateScope(binding, 'ContextQuery'));
    const registry = checkRegistry(binding.registry, 'ContextQuery.registry') ?? this.registry;
    const Bound = class extends (this as unknown as typeof BaseModel) {
      static override readonly scope: Scope = merged;
      static override readonly registry: ConnectionRegistry = registry;
    };
    Object.defineProperty(Bound, 'name', { value: this.name });
    return Bound as unknown as M;
  }

  /** This model served by another ConnectionRegistry (a subclass; nothing global changes). */
  static withRegistry<M extends ModelStatic>(this: M, registry: ConnectionRegistry): M {
    return (this as unknown as typeof BaseModel).bind({ registry }) as unknown as M;
  }

  /** Builds an instance from a driver row, without validation: the server's values are trusted. */
  static fromRow<M extends ModelStatic>(this: M, row: Record<string, unknown>, codec: Codec, scope?: Scope): InstanceOf<M> {
    return readRow(this, row, codec, scope, false) as InstanceOf<M>;
  }

  /** fromRow() for a row of the mapper's own SELECT (see own-row.ts). */
  static [FROM_OWN_ROW]<M extends ModelStatic>(
    this: M,
    row: Record<string, unknown>,
    codec: Codec,
    scope: Scope | undefined,
  ): InstanceOf<M> {
    return readRow(this, row, codec, scope, true) as InstanceOf<M>;
  }

  /** FROM_OWN_ROW for the rows of one page, given its first: how to read them is worked out once. */
  static [OWN_ROW_READER]<M extends ModelStatic>(
    this: M,
    first: Record<string, unknown> | undefined,
    codec: Codec,
    scope: Scope | undefined,
  ): (row: Record<string, unknown>) => InstanceOf<M> {
    return ownRowReader(this, first, codec, scope) as (row: Record<string, unknown>) => InstanceOf<M>;
  }

  // ---- instance API ----

  /** Runs this instance's statements on an explicit connection and/or keyspace. */
  using(scope: Scope): this {
    stateOf(this)[SCOPE] = validateScope(scope);
    return this;
  }

  /** Whether the row was read from or written to Cassandra. */
  get isPersisted(): boolean {
    return stateOf(this)[ORIGINAL] !== undefined;
  }

  /** The columns changed since the row was read or last written; of a new instance, those that hold a value (given or default). */
  changedColumns(): (keyof Cs & string)[] {
    const { [VALUES]: values, [ORIGINAL]: original } = stateOf(this);
    const schema = (this.constructor as ModelStatic).schema;
    return schema.columns
      .filter((c) => !same(values[c.name], original ? original[c.name] : emptyOf(c.type)))
      .map((c) => c.name) as (keyof Cs & string)[];
  }

  /** A column's value by name, for code that handles any model (`instance[name]` without the typing trouble). */
  get<K extends keyof Cs & string>(name: K): Row<Cs>[K] {
    // Through the column's property, as set() is: its getter marks a collection as handed out.
    return (this as Record<string, unknown>)[columnNamed(this, name, 'get').name] as Row<Cs>[K];
  }

  /** Sets a column's value by name, validated as the property setter does. */
  set<K extends keyof Cs & string>(name: K, value: WriteOf<Cs[K]> | null): this {
    (this as Record<string, unknown>)[columnNamed(this, name, 'set').name] = value;
    return this;
  }

  /**
   * cqlengine's ==: the same model (the same schema, so a contextQuery-bound copy counts) and
   * the same value in every column.
   */
  equals(other: unknown): boolean {
    if (!(other instanceof BaseModel)) return false;
    const schema = (this.constructor as ModelStatic).schema;
    if ((other.constructor as ModelStatic).schema !== schema) return false;
    const mine = stateOf(this)[VALUES];
    const theirs = stateOf(other)[VALUES];
    return schema.columns.every((c) => same(mine[c.name], theirs[c.name]));
  }

  /** The column values as a plain object, with the driver's types (bigint, Set, Map, Buffer, Uuid, …). */
  toObject(): Row<Cs> {
    const schema = (this.constructor as ModelStatic).schema;
    return inColumnOrder(schema, exposeAll(stateOf(this), schema)) as Row<Cs>;
  }

  /** The column values as plain JSON (see json.ts): what JSON.stringify and Express's res.json use. */
  toJSON(): JsonRow<Cs> {
    return jsonRow((this.constructor as ModelStatic).schema, stateOf(this)[VALUES]) as JsonRow<Cs>;
  }

  /** `console.log(user)` prints `User { id: …, email: … }`: the columns, not the internal state. */
  [inspect.custom](): object {
    const schema = (this.constructor as ModelStatic).schema;
    return displayOf(this.constructor, inColumnOrder(schema, exposeAll(stateOf(this), schema)));
  }

  /**
   * Writes the instance: an INSERT of its non-null values when new (or its key changed), otherwise
   * an UPDATE of the changed columns only, with collection deltas and counter increments.
   */
  save(options: SaveOptions<Cs> = {}): Promise<this> {
    // Not async: the steps run at once while none has anything to wait for (no hooks, a batched
    // write), and an async function's own state cost each such save about 300 bytes.
    try {
      return (runSteps(SAVE_STEPS, this, options, 0) as Promise<this> | undefined) ?? Promise.resolve(this);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Sets the given values and writes only what changed (with no values, what was changed since the
   * row was read, as cqlengine's update() does); key columns cannot be changed (their current value
   * is accepted).
   */
  async update(values: Values<Cs> & KeyValues<Cs> = {} as Values<Cs> & KeyValues<Cs>, options: SaveOptions<Cs> = {}): Promise<this> {
    const schema = (this.constructor as ModelStatic).schema;
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new ConfigurationError(`${schema.name}.update() takes its values as an object, got ${describe(values)}`, 'values', values);
    }
    const state = stateOf(this);
    const changes: [string, unknown][] = [];
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      const column = schema.byName.get(name);
      if (!column) throw new UnknownColumnError(`${schema.name} has no column '${name}'`, name, value);
      if (value === undefined) continue;
      if (column.isPrimaryKey) {
        // As cqlengine: a key given its current value is no change.
        if (value !== null && same(coerceValue(column, value), state[VALUES][name])) continue;
        throw new ValidationError(`Cannot apply update to primary key '${name}' for ${schema.name}`, name, value);
      }
      changes.push([name, value]);
    }
    checkBatchUse(this, options);
    checkWriteOptions(schema, options);
    if (options.ifNotExists) throw new ConfigurationError('ifNotExists applies to inserts; update() writes an UPDATE', 'ifNotExists', true);
    for (const [name, value] of changes) (this as Record<string, unknown>)[name] = value;
    writeVariant(this, schema);
    await runHook(this, 'beforeSave');
    await checkAll(this);
    await updateChanged(this, schema, options, true);
    await runAfterHook(this, 'afterSave', options.batch);
    return this;
  }

  /**
   * Checks the values as a write would: key and required columns, then each column's validators.
   * Override it for checks across columns (throw ValidationError naming the column); writes run
   * the built-in checks whether or not an override calls super.validate().
   */
  validate(): void | Promise<void> {
    checkValues(this, (this.constructor as ModelStatic).schema);
  }

  /** Deletes the row. */
  async delete(options: DeleteOptions<Cs> = {}): Promise<void> {
    const ctor = this.constructor as ModelStatic;
    const schema = ctor.schema;
    checkBatchUse(this, options);
    const conditions = conditionsOf(schema, options);
    await runHook(this, 'beforeDelete');
    validateKeys(this, schema);
    const target = scopeOf(this, ctor);
    const stmt = compileDelete({
      kind: 'delete',
      table: { keyspace: target.keyspace, table: schema.table! },
      columns: [],
      mapKeys: [],
      wheres: keyWheres(this, schema),
      conditions,
      ifExists: options.ifExists === true,
      timestamp: writeTimestamp(options),
    });
    await send(this, ctor, target, stmt, options);
    stateOf(this)[ORIGINAL] = undefined;
    await runAfterHook(this, 'afterDelete', options.batch);
  }
}

/** One step of a save; it returns a promise only when there is something to wait for (see hooks.ts). */
type SaveStep = (instance: BaseModel, schema: ModelSchema, options: SaveOptions) => void | Promise<unknown> | undefined;

const SAVE_STEPS: readonly SaveStep[] = [
  (instance, schema, options) => {
    checkBatchUse(instance, options);
    checkWriteOptions(schema, options);
    return runHook(instance, 'beforeSave');
  },
  (instance, schema) => {
    writeVariant(instance, schema);
    return checkAll(instance);
  },
  saveRow,
  (instance, _schema, options) => runAfterHook(instance, 'afterSave', options.batch),
];

/**
 * Runs steps in order from `from`, synchronously until one returns a promise; the rest run once it
 * settles, and the promise returned resolves to the instance. Undefined: all are done.
 */
function runSteps(steps: readonly SaveStep[], instance: BaseModel, options: SaveOptions, from: number): Promise<BaseModel> | undefined {
  const schema = (instance.constructor as ModelStatic).schema;
  for (let k = from; k < steps.length; k++) {
    const pending = steps[k]!(instance, schema, options);
    if (pending) return pending.then(() => runSteps(steps, instance, options, k + 1) ?? instance);
  }
  return undefined;
}

/**
 * Writes an instance: an INSERT of its non-null values when new (or its key changed), otherwise
 * an UPDATE of the changed columns only. Hooks and validation are the caller's.
 */
function saveRow(instance: BaseModel, schema: ModelSchema, options: SaveOptions): Promise<void> | undefined {
  const state = stateOf(instance);
  const conditional = options.ifExists === true || options.iff !== undefined;
  if (schema.isCounterTable || conditional || !keyChanged(state, schema)) return updateChanged(instance, schema, options, false);
  return insert(instance, schema, options, false);
}

const NO_CONDITIONS: readonly Condition[] = Object.freeze([]);

/** What a write's options alone rule out: refused before its hooks run or its values are set. */
function checkWriteOptions(schema: ModelSchema, options: SaveOptions): void {
  if (options.iff !== undefined || options.ifExists) conditionsOf(schema, options);
  if (!options.ifNotExists) return;
  if (options.ifExists || options.iff !== undefined) {
    const other = options.ifExists ? 'ifExists' : 'iff';
    throw new ConfigurationError(`${schema.name}: ifNotExists and ${other} cannot be combined`, 'ifNotExists', true);
  }
  if (schema.isCounterTable) {
    throw new ConfigurationError(`${schema.name}: ifNotExists on a counter table (its rows are written by UPDATE)`, 'ifNotExists', true);
  }
}

/**
 * What a write into a batch is refused, as in cqlengine, at once, whether or not it turns out to
 * have anything to send: a timeout of its own (the batch has one), and a connection given by
 * using() when the batch has its own.
 */
function checkBatchUse(instance: BaseModel, options: { batch?: BatchQuery; timeout?: unknown }): void {
  checkBatch(options.batch, 'batch');
  checkBatchTimeout(options);
  options.batch?.checkConnection(stateOf(instance)[SCOPE]?.connection !== undefined);
}

/** A write's iff conditions, checked with its ifExists (see checkConditional). */
function conditionsOf(schema: ModelSchema, options: { iff?: unknown; ifExists?: boolean }): readonly Condition[] {
  const conditions = options.iff ? parseConditions(schema, options.iff as Record<string, unknown>) : NO_CONDITIONS;
  checkConditional(schema, conditions, options.ifExists === true);
  return conditions;
}

/** Whether every assignment is to a static column (then the partition key alone is the WHERE). */
function allStatic(assignments: readonly Assignment[]): boolean {
  for (const a of assignments) if (!a.column.isStatic) return false;
  return true;
}

/** Whether the row is new, or its primary key changed since it was read or written. */
function keyChanged(state: InstanceState, schema: ModelSchema): boolean {
  const original = state[ORIGINAL];
  if (!original) return true;
  for (const k of schema.primaryKeys) if (!same(state[VALUES][k.name], original[k.name])) return true;
  return false;
}

/**
 * An instance of a row read. A row of the mapper's own SELECT (`own`) that holds exactly the
 * model's columns under their own names becomes the instance's values itself, converted in place
 * where a column needs it: one object per row read rather than two.
 */
function readRow(base: ModelStatic, row: Record<string, unknown>, codec: Codec, scope: Scope | undefined, own: boolean): BaseModel {
  let model = base;
  const discriminator = base.schema.discriminator;
  if (discriminator) {
    // A polymorphic model: the row's discriminator names the submodel it is read as.
    model = variantFor(base, readValue(discriminator.type, row[discriminator.dbName], codec));
    if (model !== base && base.scope) scope = { ...base.scope, ...scope };
  }
  const schema = model.schema;
  const reading = own ? ownReadPlan(schema, codec, row) : undefined;
  if (reading?.own) return instanceOf(model.prototype, convertInPlace(row, schema, reading, codec), scope);
  const values: Record<string, unknown> = {};
  for (const column of schema.columns) values[column.name] = readValue(column.type, row[column.dbName], codec);
  const instance = instanceOf(model.prototype, values, scope);
  // The caller of the public fromRow() still holds the row, and so its collections.
  if (!own) exposeAll(stateOf(instance), schema);
  return instance;
}

/**
 * How the rows of a page of the mapper's own SELECT become instances, given its first: worked out
 * once for the page (its rows share one columns array), not once per row.
 */
function ownRowReader(
  model: ModelStatic,
  first: Record<string, unknown> | undefined,
  codec: Codec,
  scope: Scope | undefined,
): (row: Record<string, unknown>) => BaseModel {
  const schema = model.schema;
  // A polymorphic model's rows are of several submodels: each is read by readRow.
  const reading = schema.discriminator ? undefined : ownReadPlan(schema, codec, first);
  if (!reading?.own) return (row) => readRow(model, row, codec, scope, true);
  const prototype = model.prototype;
  return (row) => instanceOf(prototype, convertInPlace(row, schema, reading, codec), scope);
}

/** A row that holds exactly the model's columns, its values converted in place where a column needs it. */
function convertInPlace(row: Record<string, unknown>, schema: ModelSchema, reading: ReadPlan, codec: Codec): Record<string, unknown> {
  const converted = schema.convertedOnRead;
  const kept = reading.kept;
  for (let i = 0; i < converted.length; i++) {
    const column = converted[i]!;
    const raw = row[column.name];
    // A driver value the column keeps as it is (a Set, Map or array) is not looked into: on a page
    // of rows, whose objects have left the cache since the driver parsed them, that is a miss each.
    // Hence `!==` twice: `!= null` reads the object's map (for document.all), which is that miss.
    if (kept[i] && raw !== null && raw !== undefined) continue;
    const value = readValue(column.type, raw, codec);
    if (value !== raw) row[column.name] = value;
  }
  return row;
}

/** An instance of a model (by its prototype) holding these values, as read. */
function instanceOf(prototype: object, values: Record<string, unknown>, scope: Scope | undefined): BaseModel {
  const instance = Object.create(prototype) as InstanceState;
  instance[VALUES] = values;
  instance[ORIGINAL] = values;
  instance[SCOPE] = scope;
  instance[MARKS] = undefined;
  return instance as unknown as BaseModel;
}

/** A column of a driver result, as each of its rows carries it (`row.__columns`). */
interface DriverColumn {
  readonly name: string;
  readonly type?: { readonly code?: number };
}

/** The driver's type codes of the collections (types.dataTypes): what a column holds on the table, whatever the model says. */
const DRIVER_CODES: Partial<Record<string, number>> = { list: types.dataTypes.list, set: types.dataTypes.set, map: types.dataTypes.map };

// What the plan below was worked out for: rows are read a page at a time, of one model, on one
// connection, with one result's columns (the same array for every row of a page).
let plannedSchema: ModelSchema | undefined;
let plannedCodec: Codec | undefined;
let plannedColumns: readonly DriverColumn[] | undefined;
let planned: ReadPlan = { own: false, kept: [] };

/** How rows of one result are read into instances of one model. */
interface ReadPlan {
  /**
   * The row holds exactly the model's columns, so it can be the instance's values. A `SELECT *`
   * returns the table's columns, which a table that drifted from its model may not match.
   */
  readonly own: boolean;
  /**
   * For each of the schema's convertedOnRead columns, whether a non-null driver value is kept as it
   * is: the codec makes it the column's form, and the table's column is of the model's kind (a
   * table that drifted from its model, a list where the model has a set, still has its values
   * converted).
   */
  readonly kept: readonly boolean[];
}

/** How a row of the mapper's own SELECT is read; undefined where its values cannot be the instance's (renamed columns, no driver row). */
function ownReadPlan(schema: ModelSchema, codec: Codec, row: Record<string, unknown> | undefined): ReadPlan | undefined {
  const columns = (row as { __columns?: readonly DriverColumn[] } | undefined)?.__columns;
  return schema.namesAreDbNames && columns ? readPlan(schema, codec, columns) : undefined;
}

function readPlan(schema: ModelSchema, codec: Codec, columns: readonly DriverColumn[]): ReadPlan {
  if (schema !== plannedSchema || codec !== plannedCodec || columns !== plannedColumns) {
    const own = columns.length === schema.columns.length && schema.columns.every((c) => columns.some((d) => d.name === c.dbName));
    const kept = schema.convertedOnRead.map((c) => {
      const code = DRIVER_CODES[c.type.kind];
      return keepsDriverValue(c.type, codec) && (code === undefined || columns.find((d) => d.name === c.dbName)?.type?.code === code);
    });
    planned = { own, kept };
    plannedSchema = schema;
    plannedCodec = codec;
    plannedColumns = columns;
  }
  return planned;
}

// Module functions rather than #private methods: instances read from rows are made with
// Object.create, which private-member brand checks would reject.
function stateOf(instance: BaseModel): InstanceState {
  return instance as unknown as InstanceState;
}

/** cqlengine's save of a polymorphic model: refused for the base, the submodel's value written for a submodel. */
function writeVariant(instance: BaseModel, schema: ModelSchema): void {
  const variant = variantWriteValue(schema);
  if (variant && !same(stateOf(instance)[VALUES][variant.column], variant.value))
    (instance as unknown as Record<string, unknown>)[variant.column] = variant.value;
}

function columnNamed(instance: BaseModel, name: unknown, option: string): ColumnSchema {
  const schema = (instance.constructor as ModelStatic).schema;
  const column = typeof name === 'string' ? schema.byName.get(name) : undefined;
  if (!column) throw new ConfigurationError(`${schema.name} has no column ${describe(name)} (${option})`, option, name);
  return column;
}

function scopeOf(instance: BaseModel, ctor: ModelStatic): ResolvedScope {
  if (ctor.schema.abstract) throw new CQLEngineError(`${ctor.schema.name} is abstract: it has no table`);
  return resolveScope(ctor.schema, stateOf(instance)[SCOPE], ctor.scope, ctor.registry);
}

/** WHERE on the primary key; on the partition key alone when only static columns are written (Cassandra refuses clustering keys then). */
function keyWheres(instance: BaseModel, schema: ModelSchema, partitionOnly = false): Where[] {
  const values = stateOf(instance)[VALUES];
  const keys = partitionOnly ? schema.partitionKeys : schema.primaryKeys;
  const wheres = new Array<Where>(keys.length);
  for (let i = 0; i < keys.length; i++) wheres[i] = { column: keys[i]!, op: '=', value: values[keys[i]!.name] };
  return wheres;
}

/**
 * Whether the instance writes its partition's static columns only: every clustering key is null,
 * which cqlengine allows for a model with static columns.
 */
function isStaticOnly(instance: BaseModel, schema: ModelSchema): boolean {
  if (!schema.hasStatic) return false;
  const values = stateOf(instance)[VALUES];
  for (const c of schema.clusteringKeys) if (values[c.name] != null) return false;
  return true;
}

function validateKeys(instance: BaseModel, schema: ModelSchema, allowStaticOnly = false): void {
  const staticOnly = allowStaticOnly && isStaticOnly(instance, schema);
  for (const column of schema.primaryKeys) {
    const value = stateOf(instance)[VALUES][column.name];
    if (value == null && staticOnly && column.isClusteringKey) continue;
    if (value == null) throw new ValidationError(`${schema.name}.${column.name}: a key column cannot be null`, column.name, value);
    checkKeyValue(schema, column, value);
  }
}

/** The built-in checks of a write: keys, values changed in place, required columns, then the columns' validators. */
function checkValues(instance: BaseModel, schema: ModelSchema): void {
  validateKeys(instance, schema, true);
  checkHandedOut(stateOf(instance), schema);
  for (const column of schema.requiredColumns) {
    const value = stateOf(instance)[VALUES][column.name];
    if (isNullish(value) && !(column.isClusteringKey && isStaticOnly(instance, schema))) {
      throw new ValidationError(`${schema.name}.${column.name} is required: got ${describe(value)}`, column.name, value);
    }
  }
  // A validator is handed the live value (and a ValidationError carries it).
  const state = stateOf(instance);
  for (const column of schema.validatedColumns) if (isMutable(column)) expose(state, column.name);
  checkColumns(schema, state[VALUES]);
}

/**
 * A collection (or user type value) handed out may have been changed in place, `tags.add(x)`, where
 * no setter checked it. Each one changed is checked as an assignment would be, so that nothing
 * unchecked reaches the wire (the driver would round 1.5 pushed to a list<int> down to 1). One whose
 * elements need converting (a date string pushed to a list<timestamp>) is converted in place, as
 * cqlengine's validate() converts it, so that the value handed out stays the instance's.
 */
function checkHandedOut(state: InstanceState, schema: ModelSchema): void {
  const exposed = state[MARKS]?.exposed;
  if (!exposed?.size) return;
  const original = state[ORIGINAL];
  for (const name of exposed) {
    const value = state[VALUES][name];
    // Unchanged since read or written: the server's value, or one checked before, and not written.
    if (value == null || (original && same(value, original[name]))) continue;
    const coerced = schema.byName.get(name)!.type.coerce(value, name);
    if (same(coerced, value)) continue;
    // Converted where it is, so that the value handed out stays the instance's.
    if (!refill(value, coerced)) {
      state[VALUES][name] = coerced;
      exposed.delete(name);
    }
  }
}

/** Puts `from`'s contents into `into` (an array, Set, Map or user type object of the same kind); false when they differ in kind. */
function refill(into: unknown, from: unknown): boolean {
  if (Array.isArray(into) && Array.isArray(from) && !Object.isFrozen(into)) {
    into.length = 0;
    into.push(...from);
  } else if (into instanceof Set && from instanceof Set) {
    into.clear();
    for (const x of from) into.add(x);
  } else if (into instanceof Map && from instanceof Map) {
    into.clear();
    for (const [k, v] of from) into.set(k, v);
  } else if (isPlainObject(into) && isPlainObject(from) && !Object.isFrozen(into)) {
    for (const key of Object.keys(into)) if (!Object.hasOwn(from, key)) delete into[key];
    Object.assign(into, from);
  } else return false;
  return true;
}

/** The built-in checks, then the model's own validate() where a subclass overrides it (its promise, if any). */
function checkAll(instance: BaseModel): void | Promise<void> {
  checkValues(instance, (instance.constructor as ModelStatic).schema);
  if (instance.validate !== BaseModel.prototype.validate) return instance.validate();
}

/**
 * An INSERT of the instance's values, and of nulls for the columns it was explicitly given null
 * (or that held a value before its key changed), which clears them as cqlengine does. With
 * `explicitOnly` (update() of a new instance), columns it was never given, defaults included, are left out.
 */
function insert(instance: BaseModel, schema: ModelSchema, options: SaveOptions, explicitOnly: boolean): Promise<void> | undefined {
  if (options.ifExists) throw new ConfigurationError('ifExists applies to updates, not to inserts', 'ifExists', true);
  const ctor = instance.constructor as ModelStatic;
  const state = stateOf(instance);
  const staticOnly = isStaticOnly(instance, schema);
  const target = scopeOf(instance, ctor);
  // Sized for every column and cut to those written (grown one push at a time, it cost twice the
  // memory). The columns are the schema's own list while every column is written: the usual case.
  const all = schema.columns;
  const values = new Array<unknown>(all.length);
  let columns: ColumnSchema[] | undefined;
  let n = 0;
  // Which columns are written (bits of their positions), for the kept template (see key-writes.ts).
  let written = all.length <= MAX_KEYED_COLUMN + 1 ? 0 : -1;
  const own = state[VALUES];
  for (let i = 0; i < all.length; i++) {
    const column = all[i]!;
    const value = own[column.name];
    // Whether the column was given matters only for an empty value, update() and static-only rows.
    const empty = isNullish(value);
    if (!empty && !explicitOnly && !staticOnly) {
      if (columns) columns[n] = column;
      values[n++] = value;
      written |= 1 << i;
      continue;
    }
    const explicit = isExplicit(state, column.name);
    let skip = (column.isClusteringKey && staticOnly) || (!column.isPrimaryKey && !explicit && explicitOnly);
    if (!skip && staticOnly && !column.isPrimaryKey && !column.isStatic) {
      if (explicit && !empty) throw staticOnlyError(schema, column.name, value);
      skip = true;
    }
    // An empty value is written (as null, which clears) when given, or when the row held a value.
    if (!skip && empty && !explicit && !(state[ORIGINAL] && !same(state[ORIGINAL][column.name], null))) skip = true;
    if (skip) {
      columns ??= all.slice(0, n);
      continue;
    }
    if (columns) columns[n] = column;
    values[n++] = empty ? null : value;
    written |= 1 << i;
  }
  if (n < values.length) values.length = n;
  // Plain: no option that changes the text, and nothing but the columns' values bound.
  const plain = written >= 0 && options.ttl === undefined && options.timestamp === undefined && !options.ifNotExists;
  const template = plain ? keptWrite(schema, target.keyspace, 'insert', written) : undefined;
  if (template) return execute(instance, ctor, target, { template, values }, options);
  const stmt = compileInsert({
    kind: 'insert',
    table: { keyspace: target.keyspace, table: schema.table! },
    columns: columns ?? all,
    values,
    ifNotExists: options.ifNotExists === true,
    ttl: writeTtl(options),
    timestamp: writeTimestamp(options),
  });
  if (plain) keepWrite(schema, target.keyspace, 'insert', written, stmt.template);
  return execute(instance, ctor, target, stmt, options);
}

function staticOnlyError(schema: ModelSchema, name: string, value: unknown): ValidationError {
  const keys = schema.clusteringKeys.map((c) => c.name).join(', ');
  return new ValidationError(`${schema.name}.${name}: with ${keys} null, only static columns can be written`, name, value);
}

/** An UPDATE of the changed columns (of a new row: an INSERT when it has none); undefined when there is nothing to await. */
function updateChanged(instance: BaseModel, schema: ModelSchema, options: SaveOptions, explicitOnly: boolean): Promise<void> | undefined {
  const ctor = instance.constructor as ModelStatic;
  const state = stateOf(instance);
  if (options.ifNotExists) throw new ConfigurationError('ifNotExists applies to inserts; this would be an update', 'ifNotExists', true);
  const assignments: Assignment[] = [];
  // Worked out for the first list changed. Into a batch, whose connection may be another's, a list
  // is prepended one element at a time.
  let orderedPrepends: boolean | undefined;
  // The scope, when the first list changed needed it for its servers' release: kept for the write.
  let scope: ResolvedScope | undefined;
  // Which columns are set to a new value (bits of their positions), while that is all the write does.
  let plain = state[ORIGINAL] !== undefined && !schema.hasStatic ? 0 : -1;
  const all = schema.columns;
  for (let i = 0; i < all.length; i++) {
    const column = all[i]!;
    if (column.isPrimaryKey) continue;
    const after = state[VALUES][column.name];
    if (!state[ORIGINAL]) {
      // A new row: its explicit values (nulls included, which clear), and, unless explicitOnly, its defaults.
      const explicit = isExplicit(state, column.name);
      const empty = same(after, emptyOf(column.type));
      if (explicitOnly && !explicit) continue;
      // An unmoved counter writes nothing; an explicit null clears.
      if (empty && (!explicit || column.isCounter)) continue;
      if (empty) assignments.push({ column, op: 'set', value: null });
      else pushAssignments(assignments, column, emptyOf(column.type), after);
      continue;
    }
    const before = state[ORIGINAL][column.name];
    if (same(before, after)) continue;
    const from = assignments.length;
    const ordered =
      column.type.kind === 'list' && (orderedPrepends ??= !options.batch && prependsInOrder((scope = scopeOf(instance, ctor))));
    pushAssignments(assignments, column, before, after, true, ordered);
    if (plain < 0) continue;
    plain = i <= MAX_KEYED_COLUMN && assignments.length === from + 1 && assignments[from]!.op === 'set' ? plain | (1 << i) : -1;
  }
  const staticOnly = isStaticOnly(instance, schema);
  if (staticOnly) {
    const regular = assignments.find((a) => !a.column.isStatic);
    if (regular) throw staticOnlyError(schema, regular.column.name, state[VALUES][regular.column.name]);
  }
  if (assignments.length === 0) {
    if (state[ORIGINAL]) return undefined;
    // A conditional write of a row without values would turn into an unconditional INSERT.
    if (options.ifExists || options.iff) {
      throw new ConfigurationError(
        `${schema.name}: ${options.ifExists ? 'ifExists' : 'iff'} needs at least one non-key value to update`,
        options.ifExists ? 'ifExists' : 'iff',
        options.ifExists ?? options.iff,
      );
    }
    // update() of a new instance given nothing but its key writes nothing, as in cqlengine.
    if (explicitOnly && !schema.isCounterTable && !schema.columns.some((c) => !c.isPrimaryKey && isExplicit(state, c.name)))
      return undefined;
    if (!schema.isCounterTable) return insert(instance, schema, options, explicitOnly);
    // A counter row is made by moving its counters: each moves by 0, as in cqlengine, so that a
    // create() of a counter row with no values makes the row, read back with its counters at 0.
    // A static-only row (clustering keys null) moves its static counters alone.
    for (const column of schema.columns) {
      if (column.isCounter && (!staticOnly || column.isStatic)) assignments.push({ column, op: 'add', value: 0n });
    }
  }
  const target = scope ?? scopeOf(instance, ctor);
  if (plain > 0 && options.iff === undefined && !options.ifExists && options.ttl === undefined && options.timestamp === undefined) {
    const values = plainUpdateValues(schema, assignments, state[VALUES]);
    const template = keptWrite(schema, target.keyspace, 'update', plain);
    if (template) return execute(instance, ctor, target, { template, values }, options);
    const stmt = compileUpdateOf(instance, schema, target, assignments, staticOnly, options);
    keepPlainUpdate(schema, target.keyspace, plain, stmt, values);
    return execute(instance, ctor, target, stmt, options);
  }
  return execute(instance, ctor, target, compileUpdateOf(instance, schema, target, assignments, staticOnly, options), options);
}

/** Whether every server of the target's connection stores a prepend of several list elements in order; false until it has connected. */
function prependsInOrder(target: ResolvedScope): boolean {
  const release = oldestRelease(target.registry.peek(target.connection));
  return release !== undefined && !olderThan(release, ORDERED_PREPEND_SINCE);
}

function compileUpdateOf(
  instance: BaseModel,
  schema: ModelSchema,
  target: ResolvedScope,
  assignments: Assignment[],
  staticOnly: boolean,
  options: SaveOptions,
): CompiledStatement {
  return compileUpdate({
    kind: 'update',
    table: { keyspace: target.keyspace, table: schema.table! },
    assignments,
    wheres: keyWheres(instance, schema, staticOnly || allStatic(assignments)),
    conditions: conditionsOf(schema, options),
    ifExists: options.ifExists === true,
    ttl: writeTtl(options),
    timestamp: writeTimestamp(options),
  });
}

/**
 * Sends a write, then records the written values as the new baseline for change tracking: at once
 * when the write joined a batch (undefined: nothing to await), else once it has run.
 */
function execute(
  instance: BaseModel,
  ctor: ModelStatic,
  scope: ResolvedScope,
  stmt: CompiledStatement,
  options: SaveOptions,
): Promise<void> | undefined {
  const sent = send(instance, ctor, scope, stmt, options);
  if (!sent) return void written(instance);
  return whenSent(sent, instance);
}

// A function of its own, so that execute() captures nothing for the batched writes that never get here.
function whenSent(sent: Promise<unknown>, instance: BaseModel): Promise<void> {
  return sent.then(() => written(instance));
}

function written(instance: BaseModel): void {
  const state = stateOf(instance);
  const marks = state[MARKS];
  const exposed = marks?.exposed;
  if (!exposed?.size) {
    // Nothing given or handed out is left to track: the row needs no marks (one object fewer to keep).
    state[MARKS] = undefined;
    state[ORIGINAL] = state[VALUES];
    return;
  }
  marks!.explicit = undefined;
  // A value handed out before the write may still change in place: it is compared against a copy.
  const original = { ...state[VALUES] };
  for (const name of exposed) original[name] = snapshot(original[name]);
  state[ORIGINAL] = original;
}

/** The given keys whose value is not undefined. */
function definedKeys(given: Record<string, unknown>, keys: string[]): string[] {
  return keys.filter((key) => given[key] !== undefined);
}

function marksOf(state: InstanceState): Marks {
  return (state[MARKS] ??= { explicit: undefined, exposed: undefined });
}

/** Whether a new instance was given a value for the column (to its constructor or since). */
function isExplicit(state: InstanceState, name: string): boolean {
  return state[MARKS]?.explicit?.includes(name) === true;
}

/**
 * Marks a column's live value as handed out. While the row's baseline still shares that value, it
 * takes a copy first, so that a change made in place shows as a change.
 */
function expose(state: InstanceState, name: string): void {
  const marks = marksOf(state);
  if (marks.exposed?.has(name)) return;
  (marks.exposed ??= new Set()).add(name);
  const original = state[ORIGINAL];
  if (!original || original[name] !== state[VALUES][name]) return;
  ownBaseline(state, original)[name] = snapshot(state[VALUES][name]);
}

/** The row's baseline as an object of its own: a copy, the first time, of the values it shares (copy on write). */
function ownBaseline(state: InstanceState, original: Record<string, unknown>): Record<string, unknown> {
  if (original !== state[VALUES]) return original;
  return (state[ORIGINAL] = { ...original });
}

/**
 * A copy of the values in the model's column order: a row read by `SELECT *` holds them in the
 * table's (key columns, then the others by name).
 */
function inColumnOrder(schema: ModelSchema, values: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const column of schema.columns) if (Object.hasOwn(values, column.name)) ordered[column.name] = values[column.name];
  return ordered;
}

/** Every value handed out at once (toObject(), inspect, a row its caller still holds): the live values. */
function exposeAll(state: InstanceState, schema: ModelSchema): Record<string, unknown> {
  if (schema.hasMutableValues) for (const column of schema.columns) if (isMutable(column)) expose(state, column.name);
  return state[VALUES];
}

function send(
  instance: BaseModel,
  ctor: ModelStatic,
  scope: ResolvedScope,
  stmt: CompiledStatement,
  options: { batch?: BatchQuery } & StatementOptions,
): Promise<unknown> | undefined {
  return write(scope, stmt, runOptions(options), options.batch, ctor.schema, stateOf(instance)[SCOPE]?.connection !== undefined);
}

/** An instance of a model with columns Cs: its column values as properties, plus the instance API. */
export type Instance<Cs extends Columns> = BaseModel<Cs> & Row<Cs>;

/** The class model() returns: construct, extend with your own methods, and query through its statics. */
export type ModelClass<Cs extends Columns> = Omit<typeof BaseModel, 'prototype' | 'schema'> & {
  new (values?: Partial<Insert<Cs>>): Instance<Cs>;
  readonly prototype: Instance<Cs>;
  readonly schema: ModelSchema<Cs>;
};

const RESERVED = new Set([...Object.getOwnPropertyNames(BaseModel.prototype), 'constructor', ...HOOK_NAMES]);

/** What model() takes besides the table and columns. */
export interface ModelOptions extends Omit<ModelDefinition, 'table'> {
  /** The ConnectionRegistry whose connections serve this model; default: the `connection` module's. */
  registry?: ConnectionRegistry;
}

/**
 * Defines a model: a class for the table, whose rows, inserts, filters and updates are typed from
 * the columns. Extend the result to add methods.
 *
 * @example
 * ```ts
 * import { types } from 'cassandra-driver';
 * import { columns, model } from 'cqlengine';
 *
 * class User extends model('users', {
 *   id: columns.uuid().partitionKey().default(() => types.Uuid.random()),
 *   email: columns.text().required(),
 *   tags: columns.set(columns.text()),
 * }, { keyspace: 'app' }) {
 *   label() { return `${this.email} [${[...this.tags].join(', ')}]`; }
 * }
 *
 * const ada = await User.create({ email: 'ada@example.com' }); // id from its default
 * ada.tags.add('admin');
 * await ada.save(); // UPDATE … SET "tags" = "tags" + ?
 * ```
 */
export function model<const Cs extends Columns>(table: string, columns: Cs, options: ModelOptions = {}): ModelClass<Cs> {
  return define(table, columns, options);
}

/** An abstract model: columns (and methods, when extended) for other models to build on; it has no table. */
export function abstractModel<const Cs extends Columns>(columns: Cs, options: Omit<ModelOptions, 'abstract'> = {}): ModelClass<Cs> {
  return define(undefined, columns, { ...options, abstract: true });
}

/** A model that adds columns to a base model's (cqlengine's model inheritance). */
export function extend<const Base extends Columns, const Cs extends Columns>(
  base: { readonly schema: ModelSchema<Base> },
  table: string,
  columns: Cs,
  options: ModelOptions = {},
): ModelClass<Base & Cs> {
  // A model class as base (say an abstract model extended with methods) is the new model's parent, so its methods carry over.
  const parent =
    typeof (base as unknown) === 'function' && (base as unknown as typeof BaseModel).prototype instanceof BaseModel
      ? (base as unknown as typeof BaseModel)
      : BaseModel;
  return define(
    table,
    { ...base.schema.definitions, ...columns } as Base & Cs,
    { keyspace: base.schema.keyspace, connection: base.schema.connection, registry: (base as Partial<ModelStatic>).registry, ...options },
    parent,
  );
}

function define<Cs extends Columns>(
  table: string | undefined,
  columns: Cs,
  options: ModelOptions,
  Parent: typeof BaseModel = BaseModel,
): ModelClass<Cs> {
  const name = table ?? 'AbstractModel';
  const { registry: given, ...definition } = options;
  const registry = checkRegistry(given) ?? Parent.registry;
  if (definition.connection !== undefined) checkConnectionName(definition.connection);
  for (const key of Object.keys(columns)) {
    if (RESERVED.has(key)) throw new ConfigurationError(`Column name '${key}' clashes with a model method`, key, key);
  }
  const schema = buildSchema(name, columns, { ...definition, table });
  const Model = class extends Parent<Cs> {
    static override readonly schema = schema;
    static override readonly registry: ConnectionRegistry = registry;
    static override readonly DoesNotExist = class extends Parent.DoesNotExist {};
    static override readonly MultipleObjectsReturned = class extends Parent.MultipleObjectsReturned {};
  };
  registerVariant(Model as unknown as ModelStatic, Parent === BaseModel ? undefined : (Parent as unknown as ModelStatic));
  Object.defineProperty(Model, 'name', { value: name });
  Object.defineProperty(Model.DoesNotExist, 'name', { value: `${name}.DoesNotExist` });
  Object.defineProperty(Model.MultipleObjectsReturned, 'name', { value: `${name}.MultipleObjectsReturned` });
  for (const column of schema.columns) {
    const name = column.name;
    Object.defineProperty(Model.prototype, name, {
      enumerable: true,
      configurable: true,
      get: isMutable(column)
        ? function (this: BaseModel) {
            const state = stateOf(this);
            if (state[MARKS]?.exposed?.has(name) !== true) expose(state, name);
            return state[VALUES][name];
          }
        : function (this: BaseModel) {
            return stateOf(this)[VALUES][name];
          },
      set(this: BaseModel, value: unknown) {
        const state = stateOf(this);
        const coerced = coerceValue(column, value);
        const original = state[ORIGINAL];
        if (original) ownBaseline(state, original);
        else {
          const marks = marksOf(state);
          // A new list, not a push: the list may be the schema's frozen one (which already names every
          // column, so it never gets here; the copy keeps that from mattering).
          if (!marks.explicit?.includes(name)) marks.explicit = [...(marks.explicit ?? []), name];
        }
        // The new value is a copy nobody else holds.
        state[MARKS]?.exposed?.delete(name);
        state[VALUES][name] = coerced;
      },
    });
  }
  return Model as unknown as ModelClass<Cs>;
}
