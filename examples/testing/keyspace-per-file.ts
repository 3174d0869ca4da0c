/**
 * A keyspace of its own for each node:test file: created (with the models' tables) before the file's
 * tests, dropped after them, on a ConnectionRegistry of the file's own that is shut down at the end,
 * so that the test process exits by itself.
 *
 *   const db = keyspacePerFile({ models: [Note] });     // at the top of a test file
 *   const [Note] = db.models;                           // bound to the file's keyspace and registry
 *
 * Files never collide: each has a uniquely named keyspace, and its own registry keeps its connections
 * apart from the application's module-level ones (`connection.setup`) and from other files' when
 * several share one process (`node --test --test-isolation=none`). See examples/testing/notes.test.ts;
 * run it with `node --import tsx --test examples/testing/notes.test.ts` (Cassandra: examples/hosts.ts).
 */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { type BaseModel, connection, management, type ModelStatic } from 'cqlengine';
import { findCassandra } from '../hosts.js';

export interface KeyspacePerFileOptions<Ms extends readonly ModelStatic[]> {
  /** The models whose tables the keyspace gets; `models` returns them bound to it. */
  models: Ms;
  /** Connection names the models use (`model(..., { connection })`), all to the same hosts. Default: the registry's default only. */
  connections?: string[];
  /** Contact points; default: examples/hosts.ts (CQLENGINE_HOSTS, else a local node). */
  hosts?: string[];
}

export interface FileKeyspace<Ms extends readonly ModelStatic[]> {
  /** The keyspace's name: test_<random hex>. */
  readonly keyspace: string;
  readonly registry: connection.ConnectionRegistry;
  /** The models, bound to the keyspace and registry (subclasses: `instanceof` still holds). */
  readonly models: Ms;
}

export function keyspacePerFile<const Ms extends readonly ModelStatic[]>(options: KeyspacePerFileOptions<Ms>): FileKeyspace<Ms> {
  const keyspace = `test_${randomBytes(6).toString('hex')}`;
  const registry = new connection.ConnectionRegistry();
  // Binding needs no connection yet: the registry connects in before().
  const models = options.models.map((m) => (m as unknown as typeof BaseModel).bind({ registry, keyspace })) as unknown as Ms;

  before(async () => {
    const hosts = options.hosts ?? (await findCassandra()).hosts;
    await registry.register(connection.DEFAULT_CONNECTION, { hosts, default: true });
    for (const name of options.connections ?? []) await registry.register(name, { hosts });
    await management.createKeyspaceSimple(keyspace, 1, { registry });
    for (const model of models) await management.syncTable(model);
  });

  after(async () => {
    try {
      await management.dropKeyspace(keyspace, { registry });
    } finally {
      await registry.shutdown(); // every socket and timer released: the test process exits by itself
    }
  });

  return { keyspace, registry, models };
}
