/**
 * Collections of simple types serialized as the native protocol (v3 and later) carries them, for the
 * driver to send as they are (it passes a Buffer value through untouched). Its own encoder makes
 * two Buffers per element (the bytes and their length) and then concatenates them: on a write with
 * a small set and map, about a sixth of the client's CPU. The bytes are the driver's, exactly
 * (test/unit/pack.test.ts checks them against its Encoder).
 *
 * A collection is [int32 count] then each element as [int32 length][bytes]; a map's elements are
 * its keys and values in turn. Empty collections, and values the mapper's validation refuses, are
 * left to the driver.
 */
import { types } from 'cassandra-driver';
import { INT_RANGES, type IntRange, isInt64, isIntIn, isValidDate } from './bounds.js';

/** How the elements of one CQL type are written. */
export interface ElementPacker {
  /** The element's length in bytes; -1 for a value this packer does not write (the driver encodes the collection then). */
  size(value: unknown): number;
  /** Writes the element's bytes at `at`; returns how many (what size() said). */
  write(buf: Buffer, value: unknown, at: number): number;
}

const fixed = (
  bytes: number,
  is: (value: unknown) => boolean,
  write: (buf: Buffer, value: unknown, at: number) => void,
): ElementPacker => ({
  size: (value) => (is(value) ? bytes : -1),
  write: (buf, value, at) => {
    write(buf, value, at);
    return bytes;
  },
});

// Values reach here validated (assigned, or changed in place and checked on write). Each element is
// still checked against the same bounds: a collection holding anything else goes to the driver as it
// is, never as bytes the validation would have refused.
const isNumber = (value: unknown): boolean => typeof value === 'number';
const intIn =
  (range: IntRange) =>
  (value: unknown): boolean =>
    isIntIn(range, value);
const isBigInt64 = (value: unknown): boolean => typeof value === 'bigint' && isInt64(value);
const isBoolean = (value: unknown): boolean => typeof value === 'boolean';
const isUuid = (value: unknown): boolean => value instanceof types.Uuid;
const writeUuid = (buf: Buffer, v: unknown, at: number): void => void (v as types.Uuid).getBuffer().copy(buf, at);

/** Strings as UTF-8 (ASCII text is the same bytes). A short ASCII string is copied here: a native write costs more than the copy. */
const utf8: ElementPacker = {
  size(value) {
    if (typeof value !== 'string') return -1;
    const n = value.length;
    for (let i = 0; i < n; i++) if (value.charCodeAt(i) > 0x7f) return Buffer.byteLength(value, 'utf8');
    return n;
  },
  write(buf, value, at) {
    const s = value as string;
    const n = s.length;
    if (n <= 32) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[at + i] = c;
      }
      if (i === n) return n;
    }
    // Not ASCII (any bytes copied above are written again), or long. size() counted its bytes, so
    // the buffer has room for all of them.
    return buf.write(s, at, 'utf8');
  },
};

const PACKERS: ReadonlyMap<string, ElementPacker> = new Map([
  ['text', utf8],
  ['varchar', utf8],
  ['ascii', utf8],
  ['int', fixed(4, intIn(INT_RANGES.int), (buf, v, at) => buf.writeInt32BE(v as number, at))],
  ['smallint', fixed(2, intIn(INT_RANGES.smallint), (buf, v, at) => buf.writeInt16BE(v as number, at))],
  ['tinyint', fixed(1, intIn(INT_RANGES.tinyint), (buf, v, at) => buf.writeInt8(v as number, at))],
  ['double', fixed(8, isNumber, (buf, v, at) => buf.writeDoubleBE(v as number, at))],
  ['float', fixed(4, isNumber, (buf, v, at) => buf.writeFloatBE(v as number, at))],
  ['boolean', fixed(1, isBoolean, (buf, v, at) => buf.writeUInt8(v ? 1 : 0, at))],
  ['bigint', fixed(8, isBigInt64, (buf, v, at) => buf.writeBigInt64BE(v as bigint, at))],
  ['timestamp', fixed(8, isValidDate, (buf, v, at) => writeMillis(buf, (v as Date).getTime(), at))],
  ['uuid', fixed(16, isUuid, writeUuid)],
  ['timeuuid', fixed(16, isUuid, writeUuid)],
]);

/** Epoch milliseconds as a signed 64-bit integer, in two 32-bit halves (no bigint made per value). */
function writeMillis(buf: Buffer, ms: number, at: number): void {
  const high = Math.floor(ms / 2 ** 32);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(ms - high * 2 ** 32, at + 4);
}

/** The packer of a collection's element (or key) type; undefined: the driver encodes such collections. */
export function packerOf(type: { readonly kind: string; readonly cql: string }): ElementPacker | undefined {
  return type.kind === 'scalar' ? PACKERS.get(type.cql) : undefined;
}

/**
 * A list's or set's elements serialized; undefined when one of them is not a value the packer writes,
 * or when there are none: the driver sends an empty list or set as null, inside a user type or an
 * IN list too, and so does the mapper.
 */
export function packItems(items: Iterable<unknown>, count: number, packer: ElementPacker): Buffer | undefined {
  if (count === 0) return undefined;
  let total = 4 + 4 * count;
  for (const item of items) {
    const size = packer.size(item);
    if (size < 0) return undefined;
    total += size;
  }
  const buf = Buffer.allocUnsafe(total);
  buf.writeInt32BE(count, 0);
  let at = 4;
  for (const item of items) at = put(buf, packer, item, at);
  return buf;
}

/** A map's keys and values serialized; undefined when one of them is not a value its packer writes, or when it is empty. */
export function packEntries(map: ReadonlyMap<unknown, unknown>, keys: ElementPacker, values: ElementPacker): Buffer | undefined {
  if (map.size === 0) return undefined;
  let total = 4 + 8 * map.size;
  // By key, then get: iterating entries would make a [key, value] array for each.
  for (const k of map.keys()) {
    const ks = keys.size(k);
    const vs = values.size(map.get(k));
    if (ks < 0 || vs < 0) return undefined;
    total += ks + vs;
  }
  const buf = Buffer.allocUnsafe(total);
  buf.writeInt32BE(map.size, 0);
  let at = 4;
  for (const k of map.keys()) at = put(buf, values, map.get(k), put(buf, keys, k, at));
  return buf;
}

/** Writes one element with its length before it; returns the offset after it. */
function put(buf: Buffer, packer: ElementPacker, value: unknown, at: number): number {
  const size = packer.write(buf, value, at + 4);
  buf.writeInt32BE(size, at);
  return at + 4 + size;
}
