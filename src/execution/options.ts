import type { Consistency } from '../connection/consistency.js';
import { checkTimeout, checkTtl, parseConsistency, toMicros, type TimestampInput } from '../connection/validate.js';
import type { BatchQuery } from './batch.js';
import type { RunOptions } from './run.js';
import type { Condition, Columns } from '../schema/infer.js';

export interface StatementOptions {
  /** Overrides the connection's default consistency. */
  consistency?: Consistency;
  /** Client-side timeout in milliseconds. */
  timeout?: number;
}

export interface WriteOptions extends StatementOptions {
  /** Time to live in seconds. */
  ttl?: number;
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

export function runOptions(options: StatementOptions): RunOptions {
  return {
    consistency: options.consistency === undefined ? undefined : parseConsistency(options.consistency),
    timeout: checkTimeout(options.timeout),
  };
}

export function writeOptions(options: { ttl?: number; timestamp?: TimestampInput }): { ttl?: number; timestamp?: bigint } {
  return {
    ttl: checkTtl(options.ttl),
    timestamp: options.timestamp === undefined ? undefined : toMicros(options.timestamp),
  };
}
