import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ServerRelease } from './versions.js';

/**
 * Where downloaded servers are kept: $CQLENGINE_CASSANDRA_CACHE, else $XDG_CACHE_HOME/cqlengine,
 * else ~/.cache/cqlengine. Outside any checkout, so a new clone or a `clear` downloads nothing again.
 */
export function cacheDir(): string {
  const explicit = process.env.CQLENGINE_CASSANDRA_CACHE;
  if (explicit) return resolve(explicit);
  return join(process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'cqlengine');
}

/**
 * Where a cluster's data, logs and pids live: the given home, else $CQLENGINE_CASSANDRA_HOME, else
 * one folder per release line in the cache (data of one line cannot be read by the other).
 */
export function clusterHome(release: ServerRelease, home?: string): string {
  const explicit = home ?? process.env.CQLENGINE_CASSANDRA_HOME;
  return explicit ? resolve(explicit) : join(cacheDir(), `cassandra-${release.line}`);
}
