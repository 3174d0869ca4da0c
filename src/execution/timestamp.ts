import { ConfigurationError, describe } from '../errors.js';

/** A write time: a Date, or microseconds since the epoch as a bigint (CQL's USING TIMESTAMP unit). */
export type TimestampInput = Date | bigint;

export function toMicros(value: TimestampInput, option: string): bigint {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return BigInt(value.getTime()) * 1000n;
  if (typeof value === 'bigint') return value;
  throw new ConfigurationError(`${option} must be a Date or microseconds as a bigint, got ${describe(value)}`, option, value);
}
