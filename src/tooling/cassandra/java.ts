import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerRelease } from './versions.js';

const run = promisify(execFile);

export interface Java {
  readonly command: string;
  /** The feature release: 17 for 17.0.15. */
  readonly version: number;
}

async function probe(command: string): Promise<Java | undefined> {
  try {
    const { stderr } = await run(command, ['-version']);
    const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr);
    if (!match) return undefined;
    // Java 8 reports itself as 1.8.
    const version = match[1] === '1' ? Number(match[2]) : Number(match[1]);
    return { command, version };
  } catch {
    return undefined;
  }
}

/**
 * A Java the release runs on: $JAVA_HOME's, else `java` on the PATH, else one of the JDKs installed
 * side by side under /usr/lib/jvm (Debian's layout), so that a newer default Java does not stop 5.0.
 */
export async function findJava(release: ServerRelease): Promise<Java> {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  const jvmRoot = '/usr/lib/jvm';
  if (existsSync(jvmRoot)) {
    for (const name of readdirSync(jvmRoot).sort()) candidates.push(join(jvmRoot, name, 'bin', 'java'));
  }
  const seen: string[] = [];
  for (const command of candidates) {
    const java = await probe(command);
    if (!java) continue;
    if (release.javaVersions.includes(java.version)) return java;
    seen.push(`${command} is Java ${java.version}`);
  }
  const wanted = release.javaVersions.join(' or ');
  throw new Error(
    `Cassandra ${release.release} needs Java ${wanted}; ${seen.length ? seen.join(', ') : 'no java was found'}. ` +
      'Install one (Debian: apt-get install -y openjdk-17-jre-headless) or point JAVA_HOME at it.',
  );
}

/** Every package of java.base opened to the class path: what 2.1, written before Java 9, needs. */
async function openAllOfJavaBase(java: Java): Promise<string[]> {
  const { stdout } = await run(java.command, ['--describe-module', 'java.base']);
  return stdout
    .split('\n')
    .map((line) => /^exports\s+(\S+)/.exec(line)?.[1])
    .filter((pkg): pkg is string => pkg !== undefined)
    .flatMap((pkg) => ['--add-opens', `java.base/${pkg}=ALL-UNNAMED`]);
}

/** The module options of Cassandra 5.0's conf/jvm17-server.options, which 5.0 documents for Java 17. */
const JAVA17_MODULE_OPTIONS = [
  '-Djdk.attach.allowAttachSelf=true',
  ...[
    'java.base/jdk.internal.misc',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].flatMap((pkg) => ['--add-exports', `${pkg}=ALL-UNNAMED`]),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
  ].flatMap((pkg) => ['--add-opens', `${pkg}=ALL-UNNAMED`]),
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
];

/** JVM options for a small machine: G1 as the distributions set it up, a fixed small heap. */
export async function jvmOptions(release: ServerRelease, java: Java, heapMb: number): Promise<string[]> {
  const common = [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:+ParallelRefProcEnabled',
    '-Xss256k',
    '-Djava.net.preferIPv4Stack=true',
  ];
  if (release.line === '2.1') return [...common, ...(java.version >= 9 ? await openAllOfJavaBase(java) : [])];
  return [...common, '-XX:MaxTenuringThreshold=1', ...(java.version >= 17 ? JAVA17_MODULE_OPTIONS : [])];
}
