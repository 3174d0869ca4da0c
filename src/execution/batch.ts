import { types } from 'cassandra-driver';
import { registry as defaultRegistry, type ConnectionRegistry } from '../connection/index.js';
import { send } from '../connection/funnel.js';
import { parseConsistency, type Consistency } from '../connection/consistency.js';
import { CQLEngineError, ConfigurationError, describe } from '../errors.js';
import { formatLogContext, logger } from '../log.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { CompiledStatement } from '../statements/nodes.js';
import { checkRegistry, type ResolvedScope } from './scope.js';
import { checkConnectionName, checkTimeout, toMicros, type TimestampInput } from '../connection/validate.js';

export type BatchType = 'logged' | 'unlogged' | 'counter';

export interface BatchOptions {
  /** Default 'logged'. */
  type?: BatchType;
  /** Run every statement on this connection, whatever the models say. */
  connection?: string;
  consistency?: Consistency;
  /** Write time of every statement: a Date, or microseconds since the epoch as a bigint. */
  timestamp?: TimestampInput;
  /** Milliseconds. */
  timeout?: number | null;
  /** The registry whose connection runs the batch; default: that of the first statement's model. */
  registry?: ConnectionRegistry;
}

/** The statements waiting, with the keyspace and model of each at the same index: no object per statement. */
interface Entries {
  readonly statements: CompiledStatement[];
  readonly keyspaces: string[];
  readonly schemas: (ModelSchema | undefined)[];
}

const noEntries = (): Entries => ({ statements: [], keyspaces: [], schemas: [] });

/**
 * Statements collected to run as one CQL batch, on one connection. Models, QuerySets and instances
 * add to it with their `batch` option; execute() sends it.
 */
export class BatchQuery {
  readonly type: BatchType;
  readonly #explicitConnection: string | undefined;
  #connection: string | undefined;
  #hasConnection = false;
  #registry: ConnectionRegistry | undefined;
  readonly #consistency: number | undefined;
  readonly #timestamp: bigint | undefined;
  readonly #timeout: number | undefined;
  #entries: Entries = noEntries();
  #callbacks: (() => unknown)[] = [];
  #executed = false;

  constructor(options: BatchOptions = {}) {
    const type = options.type ?? 'logged';
    if (!['logged', 'unlogged', 'counter'].includes(type))
      throw new ConfigurationError(`Unknown batch type ${describe(type)}`, 'type', type);
    if (options.connection !== undefined) checkConnectionName(options.connection);
    this.type = type;
    this.#explicitConnection = options.connection;
    this.#consistency = options.consistency === undefined ? undefined : parseConsistency(options.consistency);
    this.#timestamp = options.timestamp === undefined ? undefined : toMicros(options.timestamp);
    this.#timeout = checkTimeout(options.timeout);
    this.#registry = checkRegistry(options.registry);
  }

  /** How many statements wait to run. */
  get size(): number {
    return this.#entries.statements.length;
  }

  /**
   * Refuses a statement whose query or instance was given a connection with using() when the batch
   * has its own, as cqlengine does; `explicit` says it was.
   */
  checkConnection(explicit: boolean): void {
    if (explicit && this.#explicitConnection !== undefined)
      throw new CQLEngineError('Cannot specify a connection on model in batch mode: the batch has its own connection');
  }

  /**
   * Adds a statement. `target` is where the statement would run (undefined connection: the default);
   * `explicit` says its connection came from using(), which a batch with its own connection does not allow.
   */
  add(stmt: CompiledStatement, target: ResolvedScope, explicit: boolean, schema?: ModelSchema): void {
    const connection = target.connection;
    if (this.#executed) throw new CQLEngineError('This batch has already been executed');
    this.#registry ??= target.registry;
    if (target.registry !== this.#registry)
      throw new CQLEngineError(
        'BatchQuery statements must all use one ConnectionRegistry: a model of another registry cannot join this batch',
      );
    if (this.#explicitConnection !== undefined) this.checkConnection(explicit);
    else {
      const name = connection ?? this.#registry.defaultConnectionName;
      if (!this.#hasConnection) {
        this.#connection = name;
        this.#hasConnection = true;
      } else if (name !== this.#connection) {
        throw new CQLEngineError(
          `BatchQuery queries must be executed on the same connection: '${name ?? '(none)'}' differs from '${this.#connection ?? '(none)'}'; give the batch a connection`,
        );
      }
    }
    const entries = this.#entries;
    entries.statements.push(stmt);
    entries.keyspaces.push(target.keyspace);
    entries.schemas.push(schema);
  }

  /**
   * Calls `fn(...args)` once the batch has run successfully (cqlengine's add_callback); callbacks
   * are awaited one after another, in the order added. They never run when the batch fails or is
   * never executed.
   */
  addCallback<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (typeof fn !== 'function') throw new ConfigurationError(`addCallback takes a function, got ${describe(fn)}`, 'fn', fn);
    if (this.#executed) throw new CQLEngineError('This batch has already been executed: a callback added now would never run');
    this.#callbacks.push(() => fn(...args));
  }

  /**
   * Sends the batch, then runs its callbacks; an empty batch sends nothing but runs them too. A
   * failed lightweight transaction throws LWTError. A second execute() only logs a warning, as
   * cqlengine does: nothing is sent again.
   */
  async execute(): Promise<types.ResultSet | undefined> {
    if (this.#executed) {
      logger().warn(formatLogContext('Batch executed multiple times.', this.#explicitConnection ?? this.#connection));
      return undefined;
    }
    this.#executed = true;
    const entries = this.#entries;
    const callbacks = this.#callbacks;
    this.#entries = noEntries();
    this.#callbacks = [];
    const result = entries.statements.length === 0 ? undefined : await this.#send(entries);
    for (const callback of callbacks) await callback();
    return result;
  }

  #send({ statements, keyspaces, schemas }: Entries): Promise<types.ResultSet> {
    // One pass over what may be thousands of statements.
    let keyspace: string | undefined = keyspaces[0];
    let conditional: number | undefined;
    const tables = new Set<string>();
    for (let i = 0; i < statements.length; i++) {
      if (keyspaces[i] !== keyspace) keyspace = undefined;
      const table = schemas[i]?.table;
      if (table) tables.add(table);
      if (conditional === undefined && statements[i]!.template.conditional) conditional = i;
    }
    return send(
      (this.#registry ?? defaultRegistry).peek(this.#explicitConnection ?? this.#connection),
      {
        kind: 'batch',
        cql: '',
        batch: statements,
        keyspace,
        tables: [...tables],
        schema: conditional === undefined ? undefined : schemas[conditional],
        conditional: conditional !== undefined,
      },
      {
        consistency: this.#consistency,
        timeout: this.#timeout,
        driver: {
          logged: this.type !== 'unlogged',
          counter: this.type === 'counter',
          ...(this.#timestamp !== undefined && { timestamp: types.Long.fromString(this.#timestamp.toString()) }),
        },
      },
    );
  }
}

/**
 * Runs `fn` with a new batch and executes the batch when `fn` resolves. When `fn` throws, the batch
 * is dropped unless `executeOnException` is set.
 *
 * @example
 * ```ts
 * import { batch } from 'cqlengine';
 *
 * await batch(async (b) => {
 *   await User.create({ email: 'grace@example.com' }, { batch: b });
 *   await User.filter({ id: oldId }).batch(b).delete();
 * }, { type: 'logged', consistency: 'QUORUM' });
 * ```
 */
export async function batch<T>(
  fn: (batch: BatchQuery) => Promise<T> | T,
  options: BatchOptions & { executeOnException?: boolean } = {},
): Promise<T> {
  const { executeOnException, ...batchOptions } = options;
  const b = new BatchQuery(batchOptions);
  let value: T;
  try {
    value = await fn(b);
  } catch (err) {
    if (executeOnException) await b.execute();
    throw err;
  }
  await b.execute();
  return value;
}

/** A statement's batch option: a BatchQuery, or none (undefined, or null as cqlengine's `batch(None)`). */
export function checkBatch(value: unknown, option: string): BatchQuery | undefined {
  if (value == null) return undefined;
  if (value instanceof BatchQuery) return value;
  throw new ConfigurationError(`${option} takes a BatchQuery, got ${describe(value)}`, option, value);
}
