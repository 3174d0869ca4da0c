import { parseConsistency, type Consistency } from '../connection/consistency.js';
import { ConfigurationError } from '../errors.js';
import type { BatchQuery } from './batch.js';
import type { RunOptions } from './run.js';
import { toMicros, type TimestampInput } from './timestamp.js';
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

export function checkTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || !(timeout > 0)) throw new ConfigurationError('timeout must be a positive number of milliseconds', 'timeout', timeout);
  return timeout;
}

export function checkTtl(ttl: unknown): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 630720000) {
    throw new ConfigurationError('ttl must be whole seconds from 0 to 630720000 (20 years)', 'ttl', ttl);
  }
  return ttl;
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
    timestamp: options.timestamp === undefined ? undefined : toMicros(options.timestamp, 'timestamp'),
  };
}
