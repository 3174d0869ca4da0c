/** cqlengine: a typed object mapper for Apache Cassandra, built around a registry of named connections. */
export * as connection from './connection/index.js';
export { CQLEngineError, ConfigurationError, UnknownConnectionError, ConnectionFailedError } from './errors.js';
export { setLogger, type Logger } from './log.js';
