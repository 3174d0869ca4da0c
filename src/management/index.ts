/**
 * Schema management: keyspaces and tables, on one or more connections. Each function resolves when
 * its statements have run; the driver waits for schema agreement after each schema change.
 */
import { CQLEngineError } from '../errors.js';
import { formatLogContext, logger } from '../log.js';
import { quote, validateIdentifier } from '../schema/identifier.js';
import type { ModelStatic } from '../model/model.js';
import type { UserTypeShape } from '../schema/types.js';
import { registry } from '../connection/index.js';
import { send } from '../connection/funnel.js';
import { tableName } from '../statements/ddl.js';
import {
  checkPlannable,
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

async function ddl(connection: string | undefined, cql: string, keyspace?: string): Promise<void> {
  await send(registry.peek(connection), { kind: 'ddl', cql, keyspace });
}

/** CREATE KEYSPACE IF NOT EXISTS with SimpleStrategy. */
export async function createKeyspaceSimple(name: string, replicationFactor: number, options: KeyspaceOptions = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  await createKeyspace(name, simpleReplication(replicationFactor), options);
}

/** CREATE KEYSPACE IF NOT EXISTS with NetworkTopologyStrategy: `{ dc1: 3, dc2: 2 }`. */
export async function createKeyspaceNetworkTopology(name: string, dcReplicationMap: Record<string, number>, options: KeyspaceOptions = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  await createKeyspace(name, networkReplication(dcReplicationMap), options);
}

async function createKeyspace(name: string, replication: Record<string, string | number>, options: KeyspaceOptions): Promise<void> {
  const cql = createKeyspaceCql(name, replication, options.durableWrites);
  for (const connection of connectionNames(options.connections, undefined)) await ddl(connection, cql, name);
}

export async function dropKeyspace(name: string, options: ConnectionsOption = {}): Promise<void> {
  validateIdentifier(name, 'keyspace');
  for (const connection of connectionNames(options.connections, undefined)) await ddl(connection, `DROP KEYSPACE IF EXISTS ${quote(name)}`, name);
}

/**
 * Runs a plan's statements in order, each on its connection. Drift is not touched: it is there for
 * a person. A plan made a while ago may be stale; its CREATE statements are IF NOT EXISTS.
 */
export async function apply(schemaPlan: SchemaPlan): Promise<void> {
  for (const s of schemaPlan.statements) await ddl(s.connection, s.cql, s.keyspace);
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
 */
export async function syncTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  checkPlannable(model, 'syncTable');
  if (typeof model !== 'function') throw new CQLEngineError(`syncTable takes a model class; ${(model as { name: string }).name} is a user type: use syncType`);
  await sync(await plan([model], { keyspaces: options.keyspaces, connections: options.connections }));
}

/**
 * Creates a user-defined type (and the types its fields use), or adds the fields an existing one
 * lacks. Changed field types are left alone, with a warning: Cassandra allows few of them.
 */
export async function syncType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  checkPlannable(type, 'syncType');
  if (typeof type === 'function') throw new CQLEngineError(`syncType takes a user type; ${(type as { name: string }).name} is a model: use syncTable`);
  await sync(await plan([type], { keyspaces: options.keyspaces, connections: options.connections }));
}

export async function dropType(type: UserTypeShape, options: TypeTargets = {}): Promise<void> {
  validateIdentifier(type.name, 'type');
  for (const { connection, keyspace } of typeTargets(options)) {
    await ddl(connection, `DROP TYPE IF EXISTS ${tableName(keyspace, type.name)}`, keyspace);
  }
}

export async function dropTable(model: ModelStatic, options: TableTargets = {}): Promise<void> {
  for (const { connection, keyspace } of targets(model, options)) {
    await ddl(connection, `DROP TABLE IF EXISTS ${tableName(keyspace, model.schema.table!)}`, keyspace);
  }
}
