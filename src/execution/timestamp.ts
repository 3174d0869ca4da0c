import { ConfigurationError, describe } from '../errors.js';
import { isInt64 } from '../schema/types.js';

/** A write time: a Date, or microseconds since the epoch as a bigint (CQL's USING TIMESTAMP unit). */
export type TimestampInput = Date | bigint;

export function toMicros(value: TimestampInput, option: string): bigint {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return BigInt(value.getTime()) * 1000n;
  // USING TIMESTAMP is a signed 64-bit number: a wider one would wrap (2n ** 64n writes 0).
  if (typeof value === 'bigint' && isInt64(value)) return value;
  throw new ConfigurationError(`${option} must be a Date or microseconds as a 64-bit bigint, got ${describe(value)}`, option, value);
}
