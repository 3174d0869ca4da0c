/** Cassandra release numbers, for refusing what a server is too old for before anything is sent. */

/** A dotted release ('5.0.9', '3.11.4-SNAPSHOT') as numbers. */
export function parseVersion(text: string): number[] {
  return text
    .split(/[.-]/)
    .slice(0, 3)
    .map((n) => Number(n) || 0);
}

/** Whether a server of `version` is older than the release `since` ('2.1.3'). */
export function olderThan(version: readonly number[], since: string): boolean {
  const wanted = since.split('.').map(Number);
  for (let i = 0; i < wanted.length; i++) {
    const have = version[i] ?? 0;
    if (have !== wanted[i]) return have < wanted[i]!;
  }
  return false;
}

/**
 * The first release whose prepared `SELECT *` sees a column added after it was prepared
 * (CASSANDRA-7910, checked: 2.1.0 keeps the old columns, 5.0 does not).
 */
export const FRESH_WILDCARD_SINCE = '2.1.3';

/**
 * The release from which a list prepend of several elements (`l = ? + l`) is stored in the order
 * given. 2.1.0, the 2.1 of the tests, stores it reversed, and 5.0 in order (its integration test).
 * The fix is taken to be in every 3.0; the releases between are not checked here.
 */
export const ORDERED_PREPEND_SINCE = '3.0';

/** A statement feature and the first Cassandra release that accepts it. */
export interface Requirement {
  readonly feature: string;
  readonly since: string;
}

export const FEATURES = {
  // 2.1.0's grammar has neither (checked against a 2.1.0 node); 2.1.1 is taken as the first that does (not checked here).
  updateIfExists: { feature: 'UPDATE … IF EXISTS', since: '2.1.1' },
  conditionOperators: { feature: 'IF conditions with operators other than = (>, >=, <, <=, !=, IN)', since: '2.1.1' },
  perPartitionLimit: { feature: 'PER PARTITION LIMIT', since: '3.6' },
  rangeDelete: { feature: 'range deletes on clustering columns', since: '3.0' },
  ann: { feature: 'vector search (ORDER BY … ANN OF)', since: '5.0' },
  similarity: { feature: 'similarity functions (similarity_cosine, …)', since: '5.0' },
} as const satisfies Record<string, Requirement>;
