/**
 * What one value of CQL's fixed-width types may hold: one definition, read by the validation
 * (types.ts) and by the collection packer (pack.ts), which must never write what the first refuses.
 */

/** The inclusive ranges of CQL's 32-, 16- and 8-bit integers. */
export const INT_RANGES = {
  int: { min: -2147483648, max: 2147483647 },
  smallint: { min: -32768, max: 32767 },
  tinyint: { min: -128, max: 127 },
} as const;

export type IntKind = keyof typeof INT_RANGES;

export interface IntRange {
  readonly min: number;
  readonly max: number;
}

/** Whether v is an integer number within range (one of INT_RANGES). */
export const isIntIn = (range: IntRange, v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= range.min && v <= range.max;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether a bigint fits CQL's bigint, counter and timestamp: a signed 64-bit integer. */
export const isInt64 = (n: bigint): boolean => n >= INT64_MIN && n <= INT64_MAX;

/** A Date that holds a time; every such Date fits a timestamp's 64-bit milliseconds (Dates stop at ±8.64e15 ms). */
export const isValidDate = (v: unknown): v is Date => v instanceof Date && !Number.isNaN(v.getTime());
