import assert from 'node:assert/strict';
import { errors, types, type Client } from 'cassandra-driver';
import { setLogger, type Logger } from '../../src/log.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Short driver timeouts, so that unreachable hosts fail fast. */
export const FAST_FAIL = { socketOptions: { connectTimeout: 1000, readTimeout: 5000 } } as const;

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** Routes cqlengine's log to an array until restore() (call it in finally or an after hook). */
export function captureLogs(): { entries: CapturedLog[]; restore: () => void } {
  const entries: CapturedLog[] = [];
  const logger: Logger = {
    debug: (message) => entries.push({ level: 'debug', message }),
    info: (message) => entries.push({ level: 'info', message }),
    warn: (message) => entries.push({ level: 'warn', message }),
    error: (message) => entries.push({ level: 'error', message }),
  };
  setLogger(logger);
  return { entries, restore: () => setLogger() };
}

/**
 * The Unavailable error (code 0x1000) of a statement at a consistency the one node cannot meet.
 * With the driver's default retry policy the ResponseError comes wrapped: the policy retries an
 * Unavailable once on the next host, and a one-node cluster has none, so the driver reports a
 * NoHostAvailableError whose inner error is the node's ResponseError.
 */
export function unavailableAt(consistency: number) {
  return (err: unknown): true => {
    let response = err;
    if (err instanceof errors.NoHostAvailableError) {
      const inner = Object.values(err.innerErrors as Record<string, unknown>);
      assert.equal(inner.length, 1, `one host tried: ${err.message}`);
      response = inner[0];
    }
    assert.ok(response instanceof errors.ResponseError, `expected a ResponseError, got ${String(err)}`);
    assert.equal(response.code, types.responseErrorCodes.unavailableException);
    assert.equal(response.code, 0x1000);
    assert.equal((response as unknown as { consistencies: number }).consistencies, consistency);
    return true;
  };
}

/**
 * An assert.rejects/throws predicate for an error class. The driver's errors are made with
 * util.inherits, so assert.rejects(p, errors.NoHostAvailableError) would call the class as a
 * validation function instead of checking instanceof; this checks instanceof explicitly.
 */
export function instanceOf(cls: abstract new (...args: never[]) => unknown, check?: (err: never) => void) {
  return (err: unknown): true => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    check?.(err as never);
    return true;
  };
}

/** A driver-like row for fake Clients in unit tests: the columns as properties, and keys(). */
export class FakeRow {
  constructor(values: Record<string, unknown>) {
    Object.assign(this, values);
  }
  keys(): string[] {
    return Object.keys(this);
  }
}

/** The encoding the registry gives the Clients it makes: Maps, Sets and bigints as JavaScript has them. */
export const NATIVE_ENCODING = { map: Map, set: Set, useBigIntAsLong: true, useBigIntAsVarint: true } as const;

/** One execute() a stand-in Client received. */
export interface SentStatement {
  cql: string;
  params: unknown[];
}

/**
 * A stand-in Client for unit tests: it records what each execute() sends (the params as a copy of
 * the array, their items as given) and answers with the rows `answer` returns, none by default.
 * No socket is opened.
 */
export function recordingClient(
  encoding: object = NATIVE_ENCODING,
  answer: () => FakeRow[] = () => [],
  /** The release its one host reports, as a connected driver Client's hosts do; none: no host map. */
  cassandraVersion?: string,
): { client: Client; sent: SentStatement[] } {
  const sent: SentStatement[] = [];
  const hosts = cassandraVersion === undefined ? undefined : new Map([['127.0.0.1:9042', { cassandraVersion }]]);
  const client = {
    keyspace: undefined,
    options: { contactPoints: ['127.0.0.1'], encoding },
    hosts: hosts && { length: hosts.size, values: () => hosts.values() },
    async execute(cql: string, params: unknown[] = []) {
      sent.push({ cql, params: [...params] });
      const rows = answer();
      return { rows, first: () => rows[0] ?? null, pageState: null };
    },
    // A batch's statements, recorded one by one.
    async batch(queries: { query: string; params: unknown[] }[]) {
      for (const q of queries) sent.push({ cql: q.query, params: [...q.params] });
      return { rows: [], first: () => null, pageState: null };
    },
    async shutdown() {},
  };
  return { client: client as unknown as Client, sent };
}
