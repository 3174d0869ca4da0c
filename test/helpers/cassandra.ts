/**
 * Test access to Cassandra: the hosts of CQLENGINE_TEST_HOSTS, or the local node of the repository's
 * own tool (started here if it is not running; the version of CQLENGINE_CASSANDRA_VERSION, else 5.0).
 * Cassandra being unavailable fails the tests; it never skips them.
 */
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, policies } from 'cassandra-driver';
import { after, before } from 'node:test';
import { connection, management } from '../../src/index.js';
import { start } from '../../src/tooling/cassandra/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestCassandra {
  /** Contact points, 'host' or 'host:port'. */
  hosts: string[];
  /** The release_version of the first host, e.g. '5.0.9'. */
  version: string;
}

let ready: Promise<TestCassandra> | undefined;

/** The cluster the integration tests use; throws (the test fails) if Cassandra cannot be reached or started. */
export function ensureCassandra(): Promise<TestCassandra> {
  ready ??= (async () => {
    const fromEnv = process.env.CQLENGINE_TEST_HOSTS?.split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    let hosts: string[];
    try {
      hosts = fromEnv?.length ? fromEnv : (await start({ timeoutMs: 180_000 })).map((n) => n.address);
    } catch (err) {
      throw new Error(`Cassandra is needed for the integration tests and could not be started: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const admin = await adminClient(hosts);
    try {
      const row = (await admin.execute('SELECT release_version FROM system.local')).first();
      return { hosts, version: String(row['release_version']) };
    } finally {
      await admin.shutdown();
    }
  })();
  // A failed start is not cached, so that each test file reports it itself.
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/** 'host' or 'host:port' to host and port. */
export function splitHost(contactPoint: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(contactPoint);
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: contactPoint, port: 9042 };
}

/**
 * A Client of the tests' own, outside the registry under test, for schema set-up and checks.
 * RoundRobinPolicy, so that it needs no local data centre. The caller shuts it down.
 */
export async function adminClient(hosts: string[]): Promise<Client> {
  const client = new Client({
    contactPoints: hosts,
    policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
    socketOptions: { readTimeout: 30_000 },
  });
  await client.connect();
  return client;
}

/** A fresh, unique keyspace name: cqle_test_<hex>. */
export function uniqueKeyspaceName(): string {
  return `cqle_test_${randomBytes(6).toString('hex')}`;
}

export interface KeyspaceOptions {
  /** SimpleStrategy replication factor; default 1. */
  replicationFactor?: number;
}

/**
 * Creates uniquely named test keyspaces and drops every one of them in drop() (call it in an after hook).
 */
export class TestKeyspaces {
  readonly #created = new Set<string>();
  #client: Promise<Client> | undefined;

  constructor(readonly hosts: string[]) {}

  #admin(): Promise<Client> {
    this.#client ??= adminClient(this.hosts);
    return this.#client;
  }

  async create(options: KeyspaceOptions = {}): Promise<string> {
    const name = uniqueKeyspaceName();
    const client = await this.#admin();
    this.#created.add(name);
    await client.execute(
      `CREATE KEYSPACE ${name} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${options.replicationFactor ?? 1}}`,
    );
    return name;
  }

  /** Runs a statement on the tests' own client (schema set-up, checks). */
  async execute(query: string, params?: unknown[]): Promise<import('cassandra-driver').types.ResultSet> {
    return (await this.#admin()).execute(query, params, { prepare: params !== undefined && params.length > 0 });
  }

  async keyspaceExists(name: string): Promise<boolean> {
    // Through the driver's metadata, which knows both system.schema_keyspaces (2.x) and system_schema (3.0+).
    const client = await this.#admin();
    await client.metadata.refreshKeyspace(name);
    return client.metadata.keyspaces[name] !== undefined;
  }

  /**
   * The driver's schema metadata, freshly read for one keyspace: it reads system.schema_* on 2.x and
   * system_schema on 3.0+, so tests never query either themselves.
   */
  async metadata(keyspace: string): Promise<import('cassandra-driver').metadata.Metadata> {
    const client = await this.#admin();
    await client.metadata.refreshKeyspace(keyspace);
    return client.metadata;
  }

  /** Drops every keyspace made here and shuts the client down. */
  async drop(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    if (!pending) return;
    const client = await pending;
    try {
      for (const name of this.#created) await client.execute(`DROP KEYSPACE IF EXISTS ${name}`);
      this.#created.clear();
    } finally {
      await client.shutdown();
    }
  }
}

/** Whether a dotted release ('5.0.9', '2.1.0') is at least `wanted` ('2.2'). */
export function versionAtLeast(version: string, wanted: string): boolean {
  const have = version.split(/[.-]/).map((n) => Number(n) || 0);
  const want = wanted.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  }
  return true;
}

/** For node:test's `skip` option: false on a server new enough, else the reason, which the runner prints. */
export function needsServer(cluster: TestCassandra, wanted: string): false | string {
  return versionAtLeast(cluster.version, wanted) ? false : `needs Cassandra ${wanted}+, the test server runs ${cluster.version}`;
}

/** What useTestKeyspace() gives a test file; its fields are set once the file's first before() hook ran. */
export interface TestKeyspace {
  /** The cluster under test. */
  cluster: TestCassandra;
  /** The test keyspaces of this file (more can be created; all are dropped after the file). */
  keyspaces: TestKeyspaces;
  /** The file's keyspace, that of the default connection. */
  name: string;
}

/**
 * The usual set-up of an integration test file, as its hooks: a keyspace of its own, the default
 * connection to it, the tables of the models given, then `setUp` (rows the file's tests read, more
 * keyspaces); after the file, the connection shut down and every keyspace it created dropped. The
 * runner does not wait for one root before() hook to finish before it starts the next, so set-up
 * that needs the keyspace goes in `setUp`, not in a before() of its own.
 */
export function useTestKeyspace(
  models: readonly Parameters<typeof management.syncTable>[0][] = [],
  setUp?: (db: TestKeyspace) => Promise<void>,
): TestKeyspace {
  const db = {} as TestKeyspace;
  before(async () => {
    db.cluster = await ensureCassandra();
    db.keyspaces = new TestKeyspaces(db.cluster.hosts);
    db.name = await db.keyspaces.create();
    await connection.setup(db.cluster.hosts, db.name);
    for (const m of models) await management.syncTable(m);
    await setUp?.(db);
  });
  after(async () => {
    await connection.shutdown();
    await db.keyspaces?.drop();
  });
  return db;
}
