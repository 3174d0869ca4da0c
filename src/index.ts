/** cqlengine: a typed object mapper for Apache Cassandra, built around a registry of named connections. */
export * as connection from './connection/index.js';
export * as management from './management/index.js';
export { columns, Column, type IndexSpec, type IndexTarget } from './schema/columns.js';
export { userType, UserType, type UserTypeValue, type UserTypeInput } from './schema/user-type.js';
export { model, abstractModel, extend, BaseModel, type ModelClass, type Instance, type InstanceOf, type ColumnsOf, type ModelStatic } from './model/model.js';
export type { Row, Insert, Values, Filter, Update, Condition } from './schema/infer.js';
export type { SaveOptions, DeleteOptions, WriteOptions, StatementOptions } from './execution/options.js';
export type { ModelDefinition, ModelSchema, ColumnSchema } from './schema/model-schema.js';
export { contextQuery } from './model/context.js';
export { QuerySet, type Page, type Scored } from './model/queryset.js';
export type { SimilarityFunction } from './statements/nodes.js';
export { token } from './statements/filters.js';
export { BatchQuery, batch, type BatchOptions, type BatchType } from './execution/batch.js';
export type { Scope } from './execution/scope.js';
export {
  CQLEngineError,
  ConfigurationError,
  UnknownConnectionError,
  ConnectionFailedError,
  ValidationError,
  LWTError,
  DoesNotExist,
  MultipleObjectsReturned,
} from './errors.js';
export { setLogger, type Logger } from './log.js';
