import type { Consistency } from '../connection/consistency.js';
import { ConfigurationError } from '../errors.js';
import { checkTimeout, checkTtl, parseConsistency, toMicros, type TimestampInput } from '../connection/validate.js';
import type { BatchQuery } from './batch.js';
import type { RunOptions } from './run.js';
import type { Condition, Columns } from '../schema/infer.js';

export interface StatementOptions {
  /** Overrides the connection's default consistency. */
  consistency?: Consistency;
  /** Client-side timeout in milliseconds; null: none (the driver's readTimeout of 0). Not with a batch, which has its own. */
  timeout?: number | null;
}

export interface WriteOptions extends StatementOptions {
  /** Time to live in seconds; 0 or null: none of the statement's own (the table's default applies), as in cqlengine. */
  ttl?: number | null;
  /** Write time: a Date, or microseconds since the epoch as a bigint. */
  timestamp?: TimestampInput;
  /** Add the statement to this batch instead of running it. */
  batch?: BatchQuery;
}

export interface SaveOptions<Cs extends Columns = Columns> extends WriteOptions {
  /** INSERT … IF NOT EXISTS. */
  ifNotExists?: boolean;
  /** UPDATE … IF EXISTS. */
  ifExists?: boolean;
  /** UPDATE … IF column = value AND …. */
  iff?: Condition<Cs>;
}

export interface DeleteOptions<Cs extends Columns = Columns> extends StatementOptions {
  timestamp?: TimestampInput;
  batch?: BatchQuery;
  ifExists?: boolean;
  iff?: Condition<Cs>;
}

/**
 * A statement added to a batch runs with the batch's timeout: one given to the statement as well is
 * refused rather than dropped, as cqlengine refuses it.
 */
export function checkBatchTimeout(options: { batch?: unknown; timeout?: unknown }): void {
  if (options.batch != null && options.timeout !== undefined) {
    throw new ConfigurationError(
      "A statement in a batch runs with the batch's timeout: give it to the BatchQuery, not to the statement",
      'timeout',
      options.timeout,
    );
  }
}

/** What a statement without options of its own runs with (shared: nothing changes a RunOptions). */
const DEFAULTS: RunOptions = Object.freeze({ consistency: undefined, timeout: undefined });

export function runOptions(options: StatementOptions): RunOptions {
  if (options.consistency === undefined && options.timeout === undefined) return DEFAULTS;
  return {
    consistency: options.consistency === undefined ? undefined : parseConsistency(options.consistency),
    timeout: checkTimeout(options.timeout),
  };
}

/** A write's TTL, checked (seconds). */
export const writeTtl = (options: { ttl?: number | null }): number | undefined => checkTtl(options.ttl);

/** A write's timestamp, checked, in microseconds. */
export const writeTimestamp = (options: { timestamp?: TimestampInput }): bigint | undefined =>
  options.timestamp === undefined ? undefined : toMicros(options.timestamp);
