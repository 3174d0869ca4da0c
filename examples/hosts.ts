/**
 * Where the examples find Cassandra: the contact points in CQLENGINE_HOSTS (comma-separated, e.g.
 * `CQLENGINE_HOSTS=10.0.0.5,10.0.0.6`), else a local node of cqlengine's tool, started when none is
 * listening (Cassandra 5.0 unless CQLENGINE_CASSANDRA_VERSION says otherwise; the first run downloads it).
 *
 * In your own code this is simply the hosts you pass to `connection.setup` or `registerConnection`.
 */
import { start, type NodeStatus } from 'cqlengine/testing/cassandra';

export interface Cassandra {
  hosts: string[];
  /** The local node, when this call started or reused one; undefined with CQLENGINE_HOSTS. */
  node: NodeStatus | undefined;
}

export async function findCassandra(): Promise<Cassandra> {
  const fromEnv = process.env.CQLENGINE_HOSTS?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (fromEnv?.length) return { hosts: fromEnv, node: undefined };
  const [node] = await start({ nodes: 1, progress: (line) => console.error(line) });
  return { hosts: [node!.address], node };
}
