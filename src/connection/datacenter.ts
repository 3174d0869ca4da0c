import { Client, policies, type ClientOptions } from 'cassandra-driver';
import { connectWithin, shutdownClean } from './lifecycle.js';

/**
 * Finds the data centre of the first contact point the driver can reach.
 *
 * cassandra-driver 4.x insists on `localDataCenter`, Python's driver does not. The probe uses a
 * RoundRobinPolicy, which needs no data centre, because a Client whose connect fails over a wrong
 * `localDataCenter` can keep the process alive even after shutdown().
 */
export async function discoverLocalDataCenter(options: ClientOptions): Promise<string> {
  const probe = new Client({
    ...options,
    keyspace: undefined,
    policies: { ...options.policies, loadBalancing: new policies.loadBalancing.RoundRobinPolicy() },
    pooling: { ...options.pooling, warmup: false },
  });
  try {
    await connectWithin(probe, options);
    const hosts = probe.hosts.values();
    const contacts = new Set((options.contactPoints ?? []).map((point) => point.replace(/:\d+$/, '')));
    const reached = hosts.find((host) => contacts.has(host.address.replace(/:\d+$/, ''))) ?? hosts[0];
    if (!reached?.datacenter) throw new Error('the cluster reported no data centre for its hosts');
    return reached.datacenter;
  } finally {
    await shutdownClean(probe);
  }
}

/** Whether the options leave the driver without a way to choose local hosts. */
export function needsLocalDataCenter(options: ClientOptions): boolean {
  return !options.localDataCenter && !options.policies?.loadBalancing;
}
