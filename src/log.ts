import { debuglog } from 'node:util';

/** What cqlengine logs through; any logger with these four methods fits (console, pino, winston). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

// Debug and info are silent unless NODE_DEBUG includes "cqlengine", the Node convention for
// library diagnostics; warnings and errors ask for attention, so they always reach stderr.
const debug = debuglog('cqlengine');
const nodeDebugLogger: Logger = {
  debug: (m) => debug('DEBUG %s', m),
  info: (m) => debug('INFO %s', m),
  warn: (m) => console.warn(`cqlengine WARN ${m}`),
  error: (m) => console.error(`cqlengine ERROR ${m}`),
};

let current: Logger = nodeDebugLogger;
let values = false;
// Known once asked: NODE_DEBUG is read once, as Node's debuglog reads it, and setLogger() resets it.
let debugging: boolean | undefined;

export interface LogOptions {
  /** Also log the bound values of each statement (they may hold personal data); default false. */
  logValues?: boolean;
}

/**
 * Plugs in a logger for cqlengine's messages; no logger restores the default (warn and error to
 * console.warn/console.error, debug and info with NODE_DEBUG=cqlengine). Every statement is logged
 * at debug level with its connection, keyspace, CQL and the number of bound values.
 */
export function setLogger(logger?: Logger, options: LogOptions = {}): void {
  current = logger ?? nodeDebugLogger;
  values = options.logValues === true;
  debugging = undefined;
}

/** Whether a debug message would go anywhere: spares building one per statement when not. */
export function debugEnabled(): boolean {
  debugging ??= current !== nodeDebugLogger || debug.enabled;
  return debugging;
}

/** Whether statement log lines carry the bound values. */
export function logValues(): boolean {
  return values;
}

export function logger(): Logger {
  return current;
}

/** The message prefix of Python's cqlengine: `[Connection: name, Keyspace: ks] message`, here also with the model. */
export function formatLogContext(message: string, connection?: string, keyspace?: string, model?: string): string {
  let context = `Connection: ${connection ?? 'DEFAULT_CONNECTION'}`;
  if (keyspace) context += `, Keyspace: ${keyspace}`;
  if (model) context += `, Model: ${model}`;
  return `[${context}] ${message}`;
}
