import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function javaCommand(): string {
  return process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
}

/**
 * Cassandra 2.1 predates the module system: on Java 9+ it needs every package of java.base
 * opened to the class path, or it fails reflecting into JDK internals at start-up.
 */
export async function javaModuleFlags(java = javaCommand()): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(java, ['--describe-module', 'java.base']));
  } catch (err) {
    throw new Error(
      `Cannot run '${java}' (${(err as Error).message.split('\n')[0]}). ` +
        'Install a JRE, e.g. apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME.',
    );
  }
  const packages = stdout
    .split('\n')
    .map((line) => /^exports\s+(\S+)/.exec(line)?.[1])
    .filter((pkg): pkg is string => pkg !== undefined);
  return packages.flatMap((pkg) => ['--add-opens', `java.base/${pkg}=ALL-UNNAMED`]);
}
