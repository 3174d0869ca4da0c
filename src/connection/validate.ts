/**
 * The option validators, one rule each, shared by every path that takes the option (connection
 * functions, models, QuerySets, batches, scopes). Each throws a ConfigurationError naming the option.
 */
import { ConfigurationError, describe } from '../errors.js';
import { isInt64 } from '../schema/bounds.js';

export { parseConsistency } from './consistency.js';

function fail(message: string, option: string, value: unknown): never {
  throw new ConfigurationError(`${message} (${option} = ${describe(value)})`, option, value);
}

/** A connection name: a non-blank string. */
export function checkConnectionName(value: unknown, option = 'connection'): string {
  if (typeof value !== 'string' || value.trim() === '') fail('A connection name must be a non-empty string', option, value);
  return value;
}

/**
 * A client-side timeout: a finite number of milliseconds above zero, or null for none (cqlengine's
 * timeout(None)), which is the driver's readTimeout of 0.
 */
export function checkTimeout(value: unknown, option = 'timeout'): number | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail('timeout must be a positive, finite number of milliseconds', option, value);
  return value;
}

/**
 * A time to live: whole seconds from 0 to Cassandra's maximum of 20 years. 0 and null are no TTL
 * of the statement's own (undefined: no `USING TTL`, so the table's default_time_to_live applies),
 * as cqlengine's ttl(0) and ttl(None) are.
 */
export function checkTtl(value: unknown, option = 'ttl'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 630720000) {
    fail('ttl must be whole seconds from 0 to 630720000 (20 years)', option, value);
  }
  return value === 0 ? undefined : value;
}

/** A write time: a Date, or microseconds since the epoch as a bigint (CQL's USING TIMESTAMP unit). */
export type TimestampInput = Date | bigint;

export function toMicros(value: TimestampInput, option = 'timestamp'): bigint {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return BigInt(value.getTime()) * 1000n;
  // USING TIMESTAMP is a signed 64-bit number: a wider one would wrap (2n ** 64n writes 0).
  if (typeof value === 'bigint' && isInt64(value)) return value;
  return fail('timestamp must be a Date or microseconds as a 64-bit bigint', option, value);
}
