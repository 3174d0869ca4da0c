import { types } from 'cassandra-driver';
import { ConfigurationError, describe } from '../errors.js';

/** A driver consistency (`types.consistencies.quorum`) or its name in any case: 'QUORUM', 'local_quorum', 'localQuorum'. */
export type Consistency = number | string;

// The driver's table is a plain object of name to number (typed as an enum).
const entries = Object.entries(types.consistencies as unknown as Record<string, number>);
const byName = new Map<string, number>();
const known = new Set<number>();
for (const [name, value] of entries) {
  byName.set(name.toLowerCase(), value);
  known.add(value);
}

/** Resolves a consistency to the driver's number, or throws a ConfigurationError naming the option. */
export function parseConsistency(value: Consistency, option = 'consistency'): number {
  if (typeof value === 'number' && known.has(value)) return value;
  if (typeof value === 'string') {
    const found = byName.get(value.replace(/_/g, '').toLowerCase());
    if (found !== undefined) return found;
  }
  throw new ConfigurationError(
    `Unknown ${option} ${describe(value)}: use a value of types.consistencies or one of ${[...byName.keys()]
      .map((n) => n.toUpperCase().replace('LOCAL', 'LOCAL_').replace('EACH', 'EACH_'))
      .join(', ')}`,
    option,
    value,
  );
}

const names = new Map(entries.map(([name, value]) => [value, name]));

/** The driver's name of a consistency number, for messages. */
export function consistencyName(value: number): string {
  return names.get(value) ?? String(value);
}
