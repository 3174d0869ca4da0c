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

/** Plugs in a logger for cqlengine's messages; no argument restores the NODE_DEBUG=cqlengine default. */
export function setLogger(logger?: Logger): void {
  current = logger ?? nodeDebugLogger;
}

export function logger(): Logger {
  return current;
}

/** The message prefix of Python's cqlengine: `[Connection: name, Keyspace: ks] message`. */
export function formatLogContext(message: string, connection?: string, keyspace?: string): string {
  const name = connection ?? 'DEFAULT_CONNECTION';
  return keyspace ? `[Connection: ${name}, Keyspace: ${keyspace}] ${message}` : `[Connection: ${name}] ${message}`;
}
