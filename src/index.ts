// Our declarations and the driver's use Node's types (Buffer, node:util): named here, so that a
// project whose tsconfig lists no `types` (the default from TypeScript 6) still finds @types/node.
/// <reference types="node" preserve="true" />
/**
 * cqlengine: a typed object mapper for Apache Cassandra, built around a registry of named connections.
 * @module cqlengine
 */
export * as connection from './connection/index.js';
export * as management from './management/index.js';
export { columns, Column, type IndexSpec, type IndexTarget } from './schema/columns.js';
export { userType, UserType, type UserTypeValue, type UserTypeInput } from './schema/user-type.js';
export {
  model,
  abstractModel,
  extend,
  BaseModel,
  type ModelOptions,
  type ModelClass,
  type Instance,
  type InstanceOf,
  type ColumnsOf,
  type ModelStatic,
} from './model/model.js';
export type { Row, Insert, Values, Filter, Update, Condition, TimeuuidBound, TokenValue } from './schema/infer.js';
export type { SaveOptions, DeleteOptions, WriteOptions, StatementOptions } from './execution/options.js';
export type { ModelDefinition, ModelSchema, ColumnSchema } from './schema/model-schema.js';
export { contextQuery } from './model/context.js';
export { polymorphic } from './model/polymorphic.js';
export { NamedKeyspace, NamedTable, NamedQuery, type NamedOptions } from './model/named.js';
export { QuerySet, type Page, type Scored } from './model/queryset.js';
export type { SimilarityFunction } from './statements/nodes.js';
export { token } from './statements/filters.js';
export { minTimeuuid, maxTimeuuid } from './statements/functions.js';
export { BatchQuery, batch, type BatchOptions, type BatchType } from './execution/batch.js';
export type { Scope, Binding } from './execution/scope.js';
export {
  CQLEngineError,
  ConfigurationError,
  UnknownColumnError,
  UnknownConnectionError,
  ConnectionFailedError,
  ShutdownError,
  ValidationError,
  LWTError,
  DoesNotExist,
  MultipleObjectsReturned,
  PolymorphicModelError,
} from './errors.js';
export { setLogger, type Logger, type LogOptions } from './log.js';
export type { JsonOf, JsonRow } from './model/json.js';
