import { registry as defaultRegistry, ConnectionRegistry } from '../connection/index.js';
import { CQLEngineError, ConfigurationError } from '../errors.js';
import { validateIdentifier } from '../schema/identifier.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { checkConnectionName } from '../connection/validate.js';

/** Where a statement runs: a connection name and a keyspace, either of which may be left to defaults. */
export interface Scope {
  readonly connection?: string | undefined;
  readonly keyspace?: string | undefined;
}

/** A scope with the registry whose connections serve it: what a model binding (contextQuery) may set. */
export interface Binding extends Scope {
  readonly registry?: ConnectionRegistry | undefined;
}

export interface ResolvedScope {
  readonly registry: ConnectionRegistry;
  /** undefined: the registry's default connection. */
  readonly connection: string | undefined;
  readonly keyspace: string;
}

/** Checks a using()/ContextQuery scope before it is stored. */
export function validateScope(scope: Scope, option = 'using'): Scope {
  if (scope === null || typeof scope !== 'object')
    throw new ConfigurationError(`${option} takes { connection?, keyspace? }`, option, scope);
  // null is not given, as cqlengine's None: using(keyspace=None), ContextQuery(connection=None).
  const keyspace = scope.keyspace ?? undefined;
  const connection = scope.connection ?? undefined;
  if (keyspace !== undefined) validateIdentifier(keyspace, 'keyspace', `${option}.keyspace`);
  if (connection !== undefined) checkConnectionName(connection, `${option}.connection`);
  return { connection, keyspace };
}

/** Checks a registry option: a ConnectionRegistry, or undefined for the default one. */
export function checkRegistry(value: unknown, option = 'registry'): ConnectionRegistry | undefined {
  if (value !== undefined && !(value instanceof ConnectionRegistry))
    throw new ConfigurationError(`${option} must be a ConnectionRegistry`, option, value);
  return value;
}

/** `over`'s given fields over `base`'s: a later using() or binding overrides only what it names. */
export function mergeScope<S extends Scope>(base: S | undefined, over: S): S {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) if (value !== undefined) merged[key] = value;
  return merged as S;
}

/**
 * cqlengine's order: an explicit using() on the query or instance, then a ContextQuery binding,
 * then the model's own connection and keyspace, then the default connection and keyspace of the
 * model's registry (the module's default registry unless the model was given another).
 */
export function resolveScope(
  schema: ModelSchema,
  using: Scope | undefined,
  bound: Binding | undefined,
  registry: ConnectionRegistry = defaultRegistry,
): ResolvedScope {
  const connection = using?.connection ?? bound?.connection ?? schema.connection;
  const keyspace = using?.keyspace ?? bound?.keyspace ?? schema.keyspace ?? registry.defaultKeyspace;
  if (keyspace === undefined) {
    // setup() sets the default keyspace once connected.
    registry.checkNotConnecting(connection);
    throw new CQLEngineError(
      `Model ${schema.name} has no keyspace: give it one (keyspace option, using(), ContextQuery) or set a default keyspace with connection.setup()`,
    );
  }
  return { registry, connection, keyspace };
}
