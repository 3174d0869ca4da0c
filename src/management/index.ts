/**
 * Schema management: keyspaces and tables, on one or more connections. Each function resolves when
 * its statements have run; the driver waits for schema agreement after each schema change.
 */
import { CQLEngineError } from '../errors.js';
import { formatLogContext, logger } from '../log.js';
import { quote, validateIdentifier } from '../schema/identifier.js';
import { checkRegistry } from '../execution/scope.js';
import type { ModelStatic } from '../model/model.js';
import type { UserTypeShape } from '../schema/types.js';
import { registry as defaultRegistry } from '../connection/index.js';
import { send } from '../connection/funnel.js';
import { tableName } from '../statements/compile.js';
import {
  checkModel,
  checkUserType,
  connectionNames,
  createKeyspaceCql,
  networkReplication,
  plan,
  simpleReplication,
  targets,
  typeTargets,
  type ConnectionsOption,
  type KeyspaceOptions,
  type SchemaPlan,
  type TableTargets,
  type Target,
  type TypeTargets,
} from './plan.js';

export {
  plan,
  type ConnectionsOption,
  type Drift,
  type DriftKind,
  type KeyspaceCreation,
  type KeyspaceOptions,
  type Plannable,
  type PlannedStatement,
  type PlanOptions,
  type SchemaPlan,
  type StatementAction,
  type TableTargets,
  type TypeTargets,
} from './plan.js';

/** Sends one DDL statement; `subject`, the model or user type it is for, names it in logs and statement events. */
async function ddl(target: Target, cql: string, subject?: string): Promise<void> {
  await send(target.registry.peek(target.connection), {
    kind: 'ddl',
    cql,
    keyspace: target.keyspace,
    tables: subject ? [subject] : undefined,
  });
}

/**
 * CREATE KEYSPACE IF NOT EXISTS with SimpleStrategy.
 *
 * @example
 * ```ts
 * import { management } from 'cqlengine';
 *
 * await management.createKeyspaceSimple('app', 3);
 * await management.createKeyspaceSimple('stats', 1, { connections: ['analytics'] });
 * ```
 */
export async function createKeyspaceSimple(name: string, replicationFactor: number, options: KeyspaceOptions = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  await createKeyspace(name, simpleReplication(replicationFactor), options);
}

/** CREATE KEYSPACE IF NOT EXISTS with NetworkTopologyStrategy: `{ dc1: 3, dc2: 2 }`. */
export async function createKeyspaceNetworkTopology(
  name: string,
  dcReplicationMap: Record<string, number>,
  options: KeyspaceOptions = {},
): Promise<void> {
  validateIdentifier(name, 'keyspace');
  await createKeyspace(name, networkReplication(dcReplicationMap), options);
}

async function createKeyspace(name: string, replication: Record<string, string | number>, options: KeyspaceOptions): Promise<void> {
  const cql = createKeyspaceCql(name, replication, options.durableWrites);
  const registry = checkRegistry(options.registry) ?? defaultRegistry;
  for (const connection of connectionNames(options.connections, undefined)) await ddl({ registry, connection, keyspace: name }, cql);
}

export async function dropKeyspace(name: string, options: ConnectionsOption = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  const registry = checkRegistry(options.registry) ?? defaultRegistry;
  for (const connection of connectionNames(options.connections, undefined))
    await ddl({ registry, connection, keyspace: name }, `DROP KEYSPACE IF EXISTS ${quote(name)}`);
}

/**
 * Runs a plan's statements in order, each on its registry and connection (a statement without a
 * registry, as from JSON, runs on the default one). Drift is not touched: it is there for a person.
 * A plan made a while ago may be stale; its CREATE statements are IF NOT EXISTS.
 */
export async function apply(schemaPlan: SchemaPlan): Promise<void> {
  // Every statement's registry is checked before the first is sent.
  const statements = schemaPlan.statements.map((s, i) => ({
    ...s,
    registry: checkRegistry(s.registry, `statements[${i}].registry`) ?? defaultRegistry,
  }));
  for (const s of statements) await ddl(s, s.cql, s.subject);
}

/**
 * A sync: the plan, refused when it cannot be applied (a missing keyspace, a changed primary key),
 * its drift warned about through the logger, then applied.
 */
async function sync(schemaPlan: SchemaPlan): Promise<void> {
  const blocking = schemaPlan.drift.find((d) => d.kind === 'missing-keyspace' || d.kind === 'primary-key');
  if (blocking) throw new CQLEngineError(blocking.message);
  for (const d of schemaPlan.drift) logger().warn(formatLogContext(d.message, d.connection, d.keyspace));
  await apply(schemaPlan);
}

/**
 * Creates the model's table, or brings an existing one up to the model: adds new columns, creates
 * missing indexes and updates changed table options. A changed primary key is refused; columns
 * whose type differs and columns the model lacks are left alone, with a warning.
 *
 * @example
 * ```ts
 * import { management } from 'cqlengine';
 *
 * await management.syncTable(User); // in the model's keyspace, on its connection
 * await management.syncTable(Note, { keyspaces: ['tenant_acme', 'tenant_globex'] });
 * ```
 */
export async function syncTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  checkModel(model);
  await sync(await plan([model], { keyspaces: options.keyspaces, connections: options.connections, registry: options.registry }));
}

/**
 * Creates a user-defined type (and the types its fields use), or adds the fields an existing one
 * lacks. Changed field types are left alone, with a warning: Cassandra allows few of them.
 */
export async function syncType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  checkUserType(type);
  await sync(await plan([type], { keyspaces: options.keyspaces, connections: options.connections, registry: options.registry }));
}

export async function dropType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  checkUserType(type);
  validateIdentifier(type.name, 'type');
  for (const target of typeTargets(options)) {
    await ddl(target, `DROP TYPE IF EXISTS ${tableName(target.keyspace, type.name)}`, type.name);
  }
}

export async function dropTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  for (const target of targets(model, options)) {
    await ddl(target, `DROP TABLE IF EXISTS ${tableName(target.keyspace, model.schema.table!)}`, model.schema.name);
  }
}
