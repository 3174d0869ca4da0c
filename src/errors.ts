/**
 * The library's own errors. Errors of the driver (NoHostAvailableError, ResponseError, …)
 * pass through unwrapped, so `instanceof errors.NoHostAvailableError` keeps working.
 */

/** Root of every error cqlengine raises itself. */
export class CQLEngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting or argument is malformed; raised before anything reaches the wire. */
export class ConfigurationError extends CQLEngineError {
  constructor(
    message: string,
    /** The option or argument at fault. */
    readonly option: string,
    /** The value it was given. */
    readonly value: unknown,
  ) {
    super(message);
  }
}

/**
 * A key names no column of the model, or an operator that does not exist (`nope`, `age__like`), in
 * a constructor, create, update, filter, iff, orderBy, only, defer or distinct. A ConfigurationError:
 * the name is at fault, not a value. `option` is the key as given.
 */
export class UnknownColumnError extends ConfigurationError {}

/** No connection of that name, or no default connection, is registered. */
export class UnknownConnectionError extends CQLEngineError {
  constructor(
    message: string,
    /** The name asked for; undefined when the default was asked for. */
    readonly connectionName: string | undefined,
  ) {
    super(message);
  }
}

/** A connection failed to connect and will not try again (it was registered without retryConnect). */
export class ConnectionFailedError extends CQLEngineError {
  constructor(
    message: string,
    readonly connectionName: string,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** Renders a value for an error message: short, and never a whole object graph. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  // A function's text would be its whole source.
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  return value.constructor?.name && value.constructor !== Object ? value.constructor.name : 'object';
}

/** A value does not fit its column; raised before anything reaches the wire. */
export class ValidationError extends CQLEngineError {
  constructor(
    message: string,
    /** The column (property name) at fault. */
    readonly column: string,
    /** The value it was given. */
    readonly value: unknown,
  ) {
    super(message);
  }
}

/** A lightweight transaction was not applied; `existing` holds the row Cassandra returned instead. */
export class LWTError extends CQLEngineError {
  constructor(
    message: string,
    /** The current values of the row (by property name where the model is known), without `[applied]`. */
    readonly existing: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** get() found no row. Each model has its own subclass: `User.DoesNotExist`. */
export class DoesNotExist extends CQLEngineError {}

/** get() found more than one row. Each model has its own subclass: `User.MultipleObjectsReturned`. */
export class MultipleObjectsReturned extends CQLEngineError {}

/**
 * A polymorphic model cannot do what was asked (cqlengine's PolymorphicModelException): saving the
 * base model, or reading a row whose discriminator names no submodel of the model queried.
 */
export class PolymorphicModelError extends CQLEngineError {}
