import { Client, policies } from 'cassandra-driver';

/** The release_version a node reports, or undefined when it does not answer CQL. */
export async function releaseVersion(address: string, port = 9042): Promise<string | undefined> {
  const client = new Client({
    contactPoints: [`${address}:${port}`],
    policies: { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
    socketOptions: { connectTimeout: 3000, readTimeout: 5000 },
    pooling: { warmup: false },
  });
  try {
    const rs = await client.execute('SELECT release_version FROM system.local');
    return rs.first()?.get('release_version') as string | undefined;
  } catch {
    return undefined;
  } finally {
    await client.shutdown().catch(() => {});
  }
}
