/**
 * Errors that say what happened. The driver's NoHostAvailableError says "All host(s) tried for query
 * failed … See innerErrors", with the real cause one level down and no word of which cqlengine
 * connection it was. Here it is rebuilt as a NEW instance of the driver's own class (so `instanceof
 * errors.NoHostAvailableError` and `innerErrors` keep working) whose message names the connection and,
 * when every host failed the same way, that server error (its consistency, replicas required and
 * alive); `cause` is the common server error (or the driver's original error when causes differ).
 */
import { errors, types } from 'cassandra-driver';

/** The fields cqlengine adds to an error it shaped. */
export interface ExplainedFields {
  /** The cqlengine connection the statement ran on. */
  connectionName: string;
}

const CODE_NAMES = new Map<number, string>(Object.entries(types.responseErrorCodes).map(([name, code]) => [code as number, name]));

/** A short, stack-free description of one host's error. */
function describeInner(err: unknown): string {
  if (err instanceof errors.ResponseError) return `${CODE_NAMES.get(err.code) ?? `code 0x${err.code.toString(16)}`}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Two server errors are the same cause when code, consistency and replica counts agree. */
function sameCause(a: unknown, b: unknown): boolean {
  if (!(a instanceof errors.ResponseError) || !(b instanceof errors.ResponseError)) return false;
  const x = a as errors.ResponseError & Record<string, unknown>;
  const y = b as errors.ResponseError & Record<string, unknown>;
  return (
    x.code === y.code &&
    x['consistencies'] === y['consistencies'] &&
    x['required'] === y['required'] &&
    x['alive'] === y['alive'] &&
    x['blockFor'] === y['blockFor'] &&
    x['received'] === y['received']
  );
}

/**
 * The error a caller of `connectionName` gets for the driver's `error`: a NoHostAvailableError is
 * rebuilt (fresh object, explained message, `cause` as described above); anything else is returned
 * as it is.
 */
export function explainError(error: unknown, connectionName: string): unknown {
  if (!(error instanceof errors.NoHostAvailableError) || (error as Partial<ExplainedFields>).connectionName !== undefined) return error;
  const inner = (error.innerErrors ?? {}) as Record<string, unknown>;
  const hosts = Object.keys(inner);
  const causes = hosts.map((h) => inner[h]);
  let message: string;
  let cause: unknown = error;
  if (hosts.length === 0) {
    message = `Connection '${connectionName}': no host available to try (every known host is down or ignored by the load-balancing policy)`;
  } else if (causes.every((c) => sameCause(c, causes[0]))) {
    cause = causes[0];
    message = `Connection '${connectionName}': every host tried answered ${describeInner(cause)} (hosts tried: ${hosts.join(', ')})`;
  } else {
    message = `Connection '${connectionName}': all host(s) tried failed: ${hosts.map((h) => `${h}: ${describeInner(inner[h])}`).join('; ')}`;
  }
  const shaped = new errors.NoHostAvailableError(error.innerErrors, message) as errors.NoHostAvailableError & ExplainedFields;
  shaped.connectionName = connectionName;
  Object.defineProperty(shaped, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  return shaped;
}

/**
 * A fresh copy of a shared error, for one caller: same class and message, the shared error as `cause`,
 * the stack of this caller. Concurrent callers of one connect attempt (or of the retry backoff) each get
 * their own object, so that one caller's mutation is never another's.
 */
export function freshCopy(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === 'stack' || key === 'cause') continue;
    Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!);
  }
  Object.defineProperty(copy, 'cause', { value: error, writable: true, configurable: true, enumerable: false });
  Error.captureStackTrace(copy, freshCopy);
  return copy;
}

/** The error one caller gets for a shared failure (a connect attempt, the retry backoff): always its own object. */
export function errorForCaller(error: unknown, connectionName: string): unknown {
  const explained = explainError(error, connectionName);
  return explained === error ? freshCopy(error) : explained;
}
