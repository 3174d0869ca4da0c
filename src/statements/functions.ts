/**
 * CQL functions as filter values: `filter({ at__gt: minTimeuuid(date) })` renders
 * `"at" > minTimeuuid(?)` with the date bound, as cqlengine's MinTimeUUID / MaxTimeUUID.
 */
import { ConfigurationError } from '../errors.js';
import type { ColumnSchema } from '../schema/model-schema.js';
import type { TimeuuidBound } from '../schema/infer.js';
import { cqlTypes } from '../schema/types.js';
import type { WhereOp } from './nodes.js';

const TIMEUUID_FUNCTIONS = new Set(['minTimeuuid', 'maxTimeuuid']);

/** The smallest timeuuid of a moment: rows from `date` on are `at__gte: minTimeuuid(date)`. */
export function minTimeuuid(date: Date | number | string): TimeuuidBound {
  return { $function: 'minTimeuuid', date };
}

/** The largest timeuuid of a moment: rows up to `date` are `at__lte: maxTimeuuid(date)`. */
export function maxTimeuuid(date: Date | number | string): TimeuuidBound {
  return { $function: 'maxTimeuuid', date };
}

export function isFunctionValue(value: unknown): value is TimeuuidBound {
  return typeof value === 'object' && value !== null && typeof (value as { $function?: unknown }).$function === 'string';
}

/** Checks a function value against its column and operator; returns the function's name and its bound argument. */
export function parseFunctionValue(
  column: ColumnSchema,
  op: WhereOp,
  value: TimeuuidBound,
  key: string,
): { fn: 'minTimeuuid' | 'maxTimeuuid'; value: Date } {
  const fn = value.$function;
  if (!TIMEUUID_FUNCTIONS.has(fn)) throw new ConfigurationError(`${key}: unknown CQL function ${fn}`, key, fn);
  if (column.type.cql !== 'timeuuid')
    throw new ConfigurationError(`${key}: ${fn}() compares with timeuuid columns, and ${column.name} is ${column.type.cql}`, key, fn);
  if (!['=', '>', '>=', '<', '<='].includes(op))
    throw new ConfigurationError(`${key}: ${fn}() takes =, gt, gte, lt or lte, not ${op}`, key, fn);
  return { fn, value: cqlTypes.timestamp.coerce(value.date, key) };
}
