import { ConfigurationError, describe } from '../errors.js';
import type { Binding } from '../execution/scope.js';
import { BaseModel, type ModelStatic } from './model.js';

/**
 * cqlengine's ContextQuery: runs `fn` with the given models bound to a connection, keyspace and/or
 * ConnectionRegistry.
 * The bound models are subclasses handed to `fn`, so nothing global changes: concurrent blocks on
 * different connections never see each other's choice, and nothing leaks past the block.
 *
 *   await contextQuery([User], { keyspace: 'tenant_2' }, async (User) => User.all());
 *
 * @example
 * ```ts
 * import { contextQuery } from 'cqlengine';
 *
 * // Per request, in a multi-tenant service (see examples/tenant-service.ts):
 * const notes = await contextQuery([Note], { keyspace: `tenant_${tenant}` }, (Note) => Note.filter({ board }).all());
 * ```
 */
export async function contextQuery<const Ms extends readonly ModelStatic[], T>(
  models: Ms,
  scope: Binding,
  fn: (...bound: { [I in keyof Ms]: Ms[I] }) => Promise<T> | T,
): Promise<T> {
  // As Python's ContextQuery: at least one model, only models, only known options.
  if (!Array.isArray(models) || models.length === 0)
    throw new ConfigurationError('contextQuery needs at least one model', 'models', models);
  for (const m of models) {
    if (typeof m !== 'function' || !(m.prototype instanceof BaseModel))
      throw new ConfigurationError(`contextQuery takes models, got ${describe(m)}`, 'models', m);
  }
  const unknown = Object.keys(scope ?? {}).filter((k) => k !== 'connection' && k !== 'keyspace' && k !== 'registry');
  if (unknown.length) throw new ConfigurationError(`Unknown contextQuery option(s): ${unknown.join(', ')}`, unknown[0]!, scope);
  const bound = models.map((m) => (m as unknown as { bind(binding: Binding): ModelStatic }).bind(scope)) as unknown as {
    [I in keyof Ms]: Ms[I];
  };
  return fn(...bound);
}
