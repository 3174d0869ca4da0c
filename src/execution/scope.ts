import { registry } from '../connection/index.js';
import { CQLEngineError, ConfigurationError, describe } from '../errors.js';
import { validateIdentifier } from '../schema/identifier.js';
import type { ModelSchema } from '../schema/model-schema.js';

/** Where a statement runs: a connection name and a keyspace, either of which may be left to defaults. */
export interface Scope {
  readonly connection?: string | undefined;
  readonly keyspace?: string | undefined;
}

export interface ResolvedScope {
  /** undefined: the default connection. */
  readonly connection: string | undefined;
  readonly keyspace: string;
}

/** Checks a using()/ContextQuery scope before it is stored. */
export function validateScope(scope: Scope, option = 'using'): Scope {
  if (scope === null || typeof scope !== 'object') throw new ConfigurationError(`${option} takes { connection?, keyspace? }`, option, scope);
  if (scope.keyspace !== undefined) validateIdentifier(scope.keyspace, 'keyspace', `${option}.keyspace`);
  if (scope.connection !== undefined && (typeof scope.connection !== 'string' || scope.connection === '')) {
    throw new ConfigurationError(`${option}.connection must be a connection name, got ${describe(scope.connection)}`, `${option}.connection`, scope.connection);
  }
  return { connection: scope.connection, keyspace: scope.keyspace };
}

/**
 * cqlengine's order: an explicit using() on the query or instance, then a ContextQuery binding,
 * then the model's own connection and keyspace, then the default connection and keyspace.
 */
export function resolveScope(schema: ModelSchema, using: Scope | undefined, bound: Scope | undefined): ResolvedScope {
  const connection = using?.connection ?? bound?.connection ?? schema.connection;
  const keyspace = using?.keyspace ?? bound?.keyspace ?? schema.keyspace ?? registry.defaultKeyspace;
  if (keyspace === undefined) {
    // setup() sets the default keyspace once connected.
    registry.checkNotConnecting(connection);
    throw new CQLEngineError(
      `Model ${schema.name} has no keyspace: give it one (keyspace option, using(), ContextQuery) or set a default keyspace with connection.setup()`,
    );
  }
  return { connection, keyspace };
}
