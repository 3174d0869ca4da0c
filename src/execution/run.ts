import type { types } from 'cassandra-driver';
import { send, type StatementKind } from '../connection/funnel.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { CompiledStatement } from '../statements/nodes.js';
import type { BatchQuery } from './batch.js';
import type { ResolvedScope } from './scope.js';

export interface RunOptions {
  /** The driver's consistency number. */
  consistency?: number | undefined;
  /** Milliseconds. */
  timeout?: number | undefined;
  fetchSize?: number | undefined;
  pageState?: string | Buffer | undefined;
}

/** Runs one compiled statement of a model where its scope says (undefined connection: the default). */
export function run(
  target: ResolvedScope,
  stmt: CompiledStatement,
  options: RunOptions,
  schema: ModelSchema,
  kind: StatementKind = 'query',
): Promise<types.ResultSet> {
  const t = stmt.template;
  try {
    return send(
      target.registry.peek(target.connection),
      {
        kind,
        cql: t.cql,
        values: stmt.values,
        template: t,
        keyspace: target.keyspace,
        schema,
        idempotent: t.idempotent,
        conditional: t.conditional,
        requires: t.requires,
      },
      options,
    );
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Sends a model's write: into its batch when it has one (added at once: nothing to await, and a
 * refusal throws), else on the wire (the run's promise). `explicit` says the connection came from
 * using(), which a batch with its own connection refuses.
 */
export function write(
  target: ResolvedScope,
  stmt: CompiledStatement,
  options: RunOptions,
  batch: BatchQuery | undefined,
  schema: ModelSchema,
  explicit: boolean,
): Promise<unknown> | undefined {
  if (batch) batch.add(stmt, target, explicit, schema);
  else return run(target, stmt, options, schema);
}
