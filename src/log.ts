import { debuglog } from 'node:util';

/** What cqlengine logs through; any logger with these four methods fits (console, pino, winston). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

// Silent unless NODE_DEBUG includes "cqlengine", the Node convention for library diagnostics.
const debug = debuglog('cqlengine');
const nodeDebugLogger: Logger = {
  debug: (m) => debug('DEBUG %s', m),
  info: (m) => debug('INFO %s', m),
  warn: (m) => debug('WARN %s', m),
  error: (m) => debug('ERROR %s', m),
};

let current: Logger = nodeDebugLogger;
let values = false;

export interface LogOptions {
  /** Also log the bound values of each statement (they may hold personal data); default false. */
  logValues?: boolean;
}

/**
 * Plugs in a logger for cqlengine's messages; no logger restores the NODE_DEBUG=cqlengine default.
 * Every statement is logged at debug level with its CQL and the number of bound values.
 */
export function setLogger(logger?: Logger, options: LogOptions = {}): void {
  current = logger ?? nodeDebugLogger;
  values = options.logValues === true;
}

/** Whether a debug message would go anywhere: spares building one per statement when not. */
export function debugEnabled(): boolean {
  return current !== nodeDebugLogger || debug.enabled;
}

/** Whether statement log lines carry the bound values. */
export function logValues(): boolean {
  return values;
}

export function logger(): Logger {
  return current;
}

/** The message prefix of Python's cqlengine: `[Connection: name, Keyspace: ks] message`. */
export function formatLogContext(message: string, connection?: string, keyspace?: string): string {
  const name = connection ?? 'DEFAULT_CONNECTION';
  return keyspace ? `[Connection: ${name}, Keyspace: ${keyspace}] ${message}` : `[Connection: ${name}] ${message}`;
}
