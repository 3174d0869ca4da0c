/**
 * CQL data types: what each accepts from users, its TypeScript form, and its conversion to and from
 * the driver, whatever encoding options the driver's Client was built with.
 */
import { isIP } from 'node:net';
import { types } from 'cassandra-driver';
import { ConfigurationError, describe, ValidationError } from '../errors.js';
import { packEntries, packerOf, packItems } from './pack.js';
import { INT_RANGES, type IntKind, isInt64, isIntIn, isValidDate } from './bounds.js';

/** What the mapper needs to know of a Client's `encoding` options to hand it values it accepts. */
export interface Codec {
  readonly bigIntAsLong: boolean;
  readonly bigIntAsVarint: boolean;
  readonly mapClass: boolean;
  /** The Client reads and writes sets as Set (`encoding.set`). */
  readonly setClass: boolean;
  /** The Client speaks protocol v3 or later: collections of simple types go to it already serialized (see pack.ts). */
  readonly packed: boolean;
}

export type TypeKind = 'scalar' | 'counter' | 'list' | 'set' | 'map' | 'tuple' | 'udt' | 'vector';

/** What a CqlType knows of a user-defined type, for schema management. */
export interface UserTypeShape {
  readonly name: string;
  readonly fields: readonly { readonly dbName: string; readonly quoted: string; readonly type: CqlType<unknown> }[];
}

/** A CQL type whose values are R in TypeScript; W is what users may also write. */
export interface CqlType<R, W = R> {
  readonly cql: string;
  readonly kind: TypeKind;
  /** The Cassandra release that introduced this type, for a clear error on older servers. */
  readonly since?: string;
  readonly element?: CqlType<unknown>;
  readonly keyType?: CqlType<unknown>;
  /** The item types of a tuple. */
  readonly items?: readonly CqlType<unknown>[];
  /** The number of elements of a vector. */
  readonly dimension?: number;
  /** The user-defined type of a 'udt' column (see user-type.ts). */
  readonly userType?: UserTypeShape;
  readonly frozen: boolean;
  /** Validates and normalizes a user's value; throws ValidationError naming the column. */
  coerce(value: unknown, column: string): R;
  toDriver(value: R, codec: Codec): unknown;
  /** Whether toDriver() returns every value as it is under this codec (unset: only when it is the identity). */
  readonly sendsAsIs?: ((codec: Codec) => boolean) | undefined;
  fromDriver(value: unknown, codec: Codec): R;
  /** Whether fromDriver() returns every non-null driver value as it is under this codec (unset: only when it is the identity). */
  readonly keepsDriverValue?: ((codec: Codec) => boolean) | undefined;
  /** The length bounds of a text type (see withLength). */
  readonly length?: TextLength | undefined;
  /** Phantom fields, for inference only. */
  readonly $read?: R;
  readonly $write?: W;
}

function invalid(column: string, value: unknown, expected: string): never {
  throw new ValidationError(`${column}: expected ${expected}, got ${describe(value)}`, column, value);
}

const identity = <T>(value: T): T => value;

function scalar<R, W = R>(
  cql: string,
  coerce: (value: unknown, column: string) => R,
  convert?: {
    toDriver?: (value: R, codec: Codec) => unknown;
    sendsAsIs?: (codec: Codec) => boolean;
    fromDriver?: (value: unknown, codec: Codec) => R;
    since?: string;
    kind?: TypeKind;
  },
): CqlType<R, W> {
  return {
    cql,
    kind: convert?.kind ?? 'scalar',
    since: convert?.since,
    frozen: false,
    coerce,
    toDriver: convert?.toDriver ?? identity,
    sendsAsIs: convert?.sendsAsIs,
    fromDriver: convert?.fromDriver ?? (identity as (value: unknown) => R),
  };
}

const intOf = (kind: IntKind, since?: string) => {
  const range = INT_RANGES[kind];
  return scalar<number>(kind, (v, c) => (isIntIn(range, v) ? v : invalid(c, v, `an integer in ${range.min}..${range.max}`)), { since });
};

// String.prototype.isWellFormed (Node 20+, not yet in the ES2022 lib): native, and at once true for
// a one-byte string, where a regex scans every character.
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

const text = (cql: string, ascii: boolean) =>
  scalar<string>(cql, (v, c) => {
    if (typeof v !== 'string') return invalid(c, v, 'a string');
    // eslint-disable-next-line no-control-regex
    if (ascii && /[^\x00-\x7f]/.test(v)) return invalid(c, v, 'an ASCII string');
    // A lone surrogate has no UTF-8 form: the driver would store U+FFFD in its place.
    if (!ascii && !isWellFormed(v)) return invalid(c, v, 'a string without lone surrogates (well-formed UTF-16)');
    return v;
  });

/** Bounds on a string's length in characters (code points, as Python's len counts them). */
export interface LengthBounds {
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
}

/** A text type's bounds, with the unbounded type they were put on. */
export interface TextLength extends LengthBounds {
  readonly base: CqlType<string>;
}

/**
 * A text type that also checks length, as cqlengine's Text(min_length, max_length). A minLength of
 * 1 or more makes the column refuse null too (buildSchema's isRequired), as cqlengine's does.
 */
export function withLength(type: CqlType<string>, bounds: LengthBounds): CqlType<string> {
  if (bounds === null || typeof bounds !== 'object')
    throw new ConfigurationError(`${type.cql}() takes { minLength?, maxLength? }, got ${describe(bounds)}`, type.cql, bounds);
  const { minLength, maxLength } = bounds;
  for (const [option, n] of [
    ['minLength', minLength],
    ['maxLength', maxLength],
  ] as const) {
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
      throw new ConfigurationError(`${option} of ${type.cql} must be a whole number of characters, not negative`, option, n);
    }
  }
  if (minLength !== undefined && maxLength !== undefined && maxLength < minLength) {
    throw new ConfigurationError(`maxLength (${maxLength}) of ${type.cql} is below minLength (${minLength})`, 'maxLength', maxLength);
  }
  if (minLength === undefined && maxLength === undefined) return type;
  return {
    ...type,
    length: { base: type, minLength, maxLength },
    coerce: (value, column) => {
      const text = type.coerce(value, column);
      // Surrogate pairs count as one character, as in Python (text is well-formed by now).
      const length = /[\uD800-\uDBFF]/.test(text) ? [...text].length : text.length;
      if (maxLength !== undefined && length > maxLength)
        throw new ValidationError(`${column} is longer than ${maxLength} characters (${length})`, column, value);
      if (minLength !== undefined && length < minLength)
        throw new ValidationError(`${column} is shorter than ${minLength} characters (${length})`, column, value);
      return text;
    },
  };
}

const TEXT_CQL = new Set(['text', 'ascii', 'varchar']);

/** Whether a type is text, ascii or varchar (with or without length bounds). */
export const isTextType = (type: CqlType<unknown, unknown>): boolean => type.kind === 'scalar' && TEXT_CQL.has(type.cql);

/**
 * A type as `required()` makes it: cqlengine's required Text has a min_length of 1 unless one is
 * given, so that an empty string is refused too. Other types are left as they are.
 */
export function requiredType<R, W>(type: CqlType<R, W>): CqlType<R, W> {
  if (!isTextType(type)) return type;
  const length = type.length ?? { base: type as unknown as CqlType<string>, minLength: undefined, maxLength: undefined };
  if (length.minLength !== undefined) return type;
  return withLength(length.base, { minLength: 1, maxLength: length.maxLength }) as unknown as CqlType<R, W>;
}

/** Finite numbers beyond float32's range would be stored as Infinity; NaN and ±Infinity given as such are kept (Cassandra takes them). */
const floatIn = (cql: string, bits: 32 | 64) =>
  scalar<number>(cql, (v, c) => {
    if (typeof v !== 'number') return invalid(c, v, 'a number');
    if (bits === 32 && Number.isFinite(v) && !Number.isFinite(Math.fround(v)))
      return invalid(c, v, 'a number within the 32-bit float range (±3.4e38)');
    return v;
  });

const DAY_NANOS = 86_400n * 1_000_000_000n;

/** A varint's bound, so that one value cannot hold the process: 64 KiB, far beyond any real use. */
const MAX_VARINT_BITS = 2 ** 19;

function toBigInt(v: unknown, c: string, range: boolean): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (v instanceof types.Long) n = BigInt(v.toString());
  else if (v instanceof types.Integer) n = integerToBigInt(v);
  else return invalid(c, v, range ? 'a 64-bit integer (bigint or safe integer number)' : 'an integer (bigint or safe integer number)');
  if (range && !isInt64(n)) return invalid(c, v, 'a 64-bit integer');
  if (!range && (n < 0n ? -n : n) >= 1n << BigInt(MAX_VARINT_BITS)) return invalid(c, v, `an integer of at most ${MAX_VARINT_BITS} bits`);
  return n;
}

/** Two's complement, big-endian, shortest form: the wire form of varint (and of decimal's unscaled value). */
function bigintToBuffer(n: bigint): Buffer {
  const hex = (n < 0n ? -n - 1n : n).toString(16);
  let buf = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (buf[0]! & 0x80) buf = Buffer.concat([Buffer.alloc(1), buf]);
  if (n < 0n) for (let i = 0; i < buf.length; i++) buf[i] = ~buf[i]! & 0xff;
  return buf;
}

function bufferToBigInt(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  const n = BigInt(`0x${buf.toString('hex')}`);
  return buf[0]! & 0x80 ? n - (1n << BigInt(buf.length * 8)) : n;
}

// The driver's Integer.toString never returns for values of 2^1024 and more: convert through bytes.
export const integerToBigInt = (v: types.Integer): bigint => bufferToBigInt(types.Integer.toBuffer(v));
const bigintToInteger = (n: bigint): types.Integer => types.Integer.fromBuffer(bigintToBuffer(n));

const bigintFromDriver = (v: unknown): bigint =>
  typeof v === 'bigint' ? v : v instanceof types.Integer ? integerToBigInt(v) : BigInt(String(v));

const long = (cql: string, kind: TypeKind) =>
  scalar<bigint, bigint | number>(cql, (v, c) => toBigInt(v, c, true), {
    kind,
    toDriver: (v, codec) => (codec.bigIntAsLong ? v : types.Long.fromString(v.toString())),
    sendsAsIs: (codec) => codec.bigIntAsLong,
    fromDriver: bigintFromDriver,
  });

function fromClass<T>(
  cls: { new (...args: never[]): T; fromString(s: string): T },
  name: string,
  valid: (s: string) => boolean = () => true,
) {
  return (v: unknown, c: string): T => {
    if (v instanceof cls) return v;
    // The driver's parsers are lenient (they read 'abc' as midnight, '2020-13-45' as 2021-02-14): check the text first.
    if (typeof v === 'string' && valid(v)) {
      try {
        return cls.fromString(v);
      } catch {
        // Falls through to the error naming the column.
      }
    }
    return invalid(c, v, name);
  };
}

/**
 * Bounds of a decimal. The driver's BigDecimal.toString (called by JSON.stringify, logging, String())
 * never returns once the unscaled value reaches 2^1024, and writes out the scale as zeros.
 */
const MAX_DECIMAL_DIGITS = 308;
const MAX_DECIMAL_SCALE = 10_000;
const DECIMAL_LIMIT = 10n ** BigInt(MAX_DECIMAL_DIGITS);
const DECIMAL_EXPECTED = `a BigDecimal, finite number or decimal string (at most ${MAX_DECIMAL_DIGITS} digits, scale within ±${MAX_DECIMAL_SCALE})`;

function decimalOf(unscaled: bigint, scale: number): types.BigDecimal | undefined {
  if ((unscaled < 0n ? -unscaled : unscaled) >= DECIMAL_LIMIT || !Number.isInteger(scale) || Math.abs(scale) > MAX_DECIMAL_SCALE)
    return undefined;
  return new types.BigDecimal(bigintToInteger(unscaled) as unknown as number, scale);
}

/** A decimal string (exponent allowed, which the driver's BigDecimal.fromString misreads) as a BigDecimal; undefined if malformed or out of bounds. */
function decimalFromString(text: string): types.BigDecimal | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) return undefined;
  const fraction = m[3] ?? '';
  const digits = `${m[2]}${fraction}`.replace(/^0+/, '');
  const exponent = (m[4] ?? '0').replace(/^([+-]?)0+(?=\d)/, '$1');
  if (digits.length > MAX_DECIMAL_DIGITS || exponent.length > 12) return undefined;
  let scale = fraction.length - Number(exponent);
  let unscaled = BigInt(`${m[1]}${digits || '0'}`);
  // A positive exponent is written out (scale 0), as the driver renders negative scales wrongly.
  if (scale < 0) {
    if (digits.length - scale > MAX_DECIMAL_DIGITS) return unscaled === 0n ? decimalOf(0n, 0) : undefined;
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return decimalOf(unscaled, scale);
}

/** A BigDecimal as its wire form (scale, then unscaled value), read without the driver's toString. */
export function decimalParts(v: types.BigDecimal): { scale: number; unscaled: bigint } {
  const buf = types.BigDecimal.toBuffer(v);
  return { scale: buf.readInt32BE(0), unscaled: bufferToBigInt(buf.subarray(4)) };
}

/**
 * A decimal as Java's BigDecimal.toString writes it (Cassandra's own text form): plain unless the
 * exponent is large, then scientific (`1.5E+10`). Built from the wire form, never through the
 * driver's toString, which does not return for very large values and misrenders negative scales.
 */
export function decimalText(value: types.BigDecimal): string {
  const { scale, unscaled } = decimalParts(value);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  let text: string;
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) text = digits;
    else if (digits.length > scale) text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
    else text = `0.${'0'.repeat(scale - digits.length)}${digits}`;
  } else {
    text = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }
  return negative ? `-${text}` : text;
}

/** Past this many 32-bit words (2^1024), the driver's Integer.toString never returns. */
const HANG_WORDS = 32;

/**
 * A decimal read from the server: one written by another client can be past the bounds this mapper
 * writes, and its driver toString (String(), logging, the driver's toJSON) would spin forever; such a
 * value gets a toString that writes it from the wire form instead.
 */
function readDecimal(value: unknown): types.BigDecimal {
  const d = value as types.BigDecimal;
  const words = (d as unknown as { _intVal?: { bits_?: unknown[] } })._intVal?.bits_?.length ?? 0;
  if (words >= HANG_WORDS) {
    Object.defineProperty(d, 'toString', { value: () => decimalText(d), enumerable: false, configurable: true });
  }
  return d;
}

function isDateText(text: string): boolean {
  const m = /^(-?\d{1,9})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = types.LocalDate.fromString(text);
  return d.year === Number(m[1]) && d.month === Number(m[2]) && d.day === Number(m[3]);
}

/** ISO-8601 as Cassandra writes it: a date, optionally a time (T or space) and a zone (Z, ±HH, ±HHMM, ±HH:MM). */
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A strict ISO-8601 timestamp: real calendar dates only (JavaScript's Date parser reads '2020-02-30'
 * as 1 March and '1' as 2001). Without a zone, a date alone is UTC and a date with a time local
 * time, as in JavaScript.
 */
function timestampFromString(text: string): Date | undefined {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const zone = m[8];
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = zone === undefined && m[4] !== undefined;
  const date = new Date(0);
  if (local) {
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, ms);
    return date;
  }
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (zone && zone !== 'Z') {
    const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    if (Number(hh) > 23 || Number(mm ?? 0) > 59) return undefined;
    date.setTime(date.getTime() - (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm ?? 0)) * 60_000);
  }
  return date;
}

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const TIME_TEXT = /^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;
const DURATION_TEXT = [
  /^-?(\d+(y|mo|w|d|h|ms|us|µs|ns|m|s))+$/i,
  /^-?P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/,
  /^-?P\d+W$/,
  /^-?P\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/,
];

/** 32 hex digits, as Python's uuid.UUID takes them, in the dashed form the driver parses; anything else unchanged. */
function withDashes(v: unknown): unknown {
  if (typeof v !== 'string' || !/^[0-9a-f]{32}$/i.test(v)) return v;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`;
}

export const cqlTypes = {
  ascii: text('ascii', true),
  text: text('text', false),
  varchar: text('varchar', false),
  int: intOf('int'),
  smallint: intOf('smallint', '2.2'),
  tinyint: intOf('tinyint', '2.2'),
  bigint: long('bigint', 'scalar'),
  counter: long('counter', 'counter'),
  varint: scalar<bigint, bigint | number>('varint', (v, c) => toBigInt(v, c, false), {
    toDriver: (v, codec) => (codec.bigIntAsVarint ? v : bigintToInteger(v)),
    sendsAsIs: (codec) => codec.bigIntAsVarint,
    fromDriver: bigintFromDriver,
  }),
  float: floatIn('float', 32),
  double: floatIn('double', 64),
  decimal: scalar<types.BigDecimal, types.BigDecimal | number | string>(
    'decimal',
    (v, c) => {
      let d: types.BigDecimal | undefined;
      if (v instanceof types.BigDecimal) {
        try {
          const { scale, unscaled } = decimalParts(v);
          if (decimalOf(unscaled, scale)) d = v;
        } catch {
          // A BigDecimal the driver cannot encode: refused below.
        }
      } else if (typeof v === 'number' && Number.isFinite(v)) d = decimalFromString(String(v));
      else if (typeof v === 'string') d = decimalFromString(v);
      return d ?? invalid(c, v, DECIMAL_EXPECTED);
    },
    { fromDriver: readDecimal },
  ),
  boolean: scalar<boolean>('boolean', (v, c) => (typeof v === 'boolean' ? v : invalid(c, v, 'a boolean'))),
  // Written out with `as` so the declarations say `Buffer`, not `Buffer<ArrayBufferLike>` (TypeScript 5.7+ only).
  blob: scalar<Buffer, Buffer | Uint8Array>('blob', (v, c) => {
    if (Buffer.isBuffer(v)) return v;
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return invalid(c, v, 'a Buffer');
  }) as CqlType<Buffer, Buffer | Uint8Array>,
  inet: scalar<types.InetAddress, types.InetAddress | string>('inet', (v, c) => {
    if (v instanceof types.InetAddress) return v;
    // Zoned IPv6 ('fe80::1%eth0') passes isIP, but the inet type has no zone.
    if (typeof v === 'string' && isIP(v) && !v.includes('%')) {
      try {
        return types.InetAddress.fromString(v);
      } catch {
        // Falls through to the error naming the column.
      }
    }
    return invalid(c, v, 'an IP address (without zone)');
  }),
  timestamp: scalar<Date, Date | number | string>('timestamp', (v, c) => {
    const date = v instanceof Date ? v : typeof v === 'number' ? new Date(v) : typeof v === 'string' ? timestampFromString(v) : undefined;
    return isValidDate(date) ? date : invalid(c, v, 'a Date, epoch milliseconds or ISO-8601 date string');
  }),
  uuid: scalar<types.Uuid, types.Uuid | string>('uuid', (v, c) =>
    fromClass(types.Uuid, 'a UUID (with or without dashes)')(withDashes(v), c),
  ),
  timeuuid: scalar<types.TimeUuid, types.TimeUuid | string>('timeuuid', (v, c) => {
    if (v instanceof types.TimeUuid) return v;
    const text = v instanceof types.Uuid ? v.toString() : withDashes(v);
    if (typeof text === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
      return types.TimeUuid.fromString(text);
    }
    return invalid(c, v, 'a version 1 (time-based) UUID');
  }),
  date: scalar<types.LocalDate, types.LocalDate | string | Date>(
    'date',
    (v, c) => (isValidDate(v) ? types.LocalDate.fromDate(v) : fromClass(types.LocalDate, 'a LocalDate or YYYY-MM-DD', isDateText)(v, c)),
    { since: '2.2' },
  ),
  // As in cqlengine, an integer is nanoseconds since midnight.
  time: scalar<types.LocalTime, types.LocalTime | string | bigint | number>(
    'time',
    (v, c) => {
      const nanos = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v as number) : undefined;
      if (nanos !== undefined && nanos >= 0n && nanos < DAY_NANOS) return new types.LocalTime(types.Long.fromString(String(nanos)));
      return fromClass(types.LocalTime, 'a LocalTime, HH:MM:SS[.fff] or nanoseconds since midnight', (s) => TIME_TEXT.test(s))(v, c);
    },
    { since: '2.2' },
  ),
  duration: scalar<types.Duration, types.Duration | string>(
    'duration',
    fromClass(types.Duration, 'a Duration or duration string', (s) => DURATION_TEXT.some((re) => re.test(s)) && !/^-?PT?$/.test(s)),
    { since: '3.10' },
  ),
} as const;

function collectionCql(name: string, inner: string, frozen: boolean): string {
  return frozen ? `frozen<${name}<${inner}>>` : `${name}<${inner}>`;
}

/** Nested collections must be frozen in Cassandra; the inner type is frozen automatically. */
function nested<T>(type: CqlType<T, unknown>): CqlType<T, unknown> {
  return type.kind === 'scalar' || type.kind === 'counter' || type.frozen
    ? type
    : frozenCollection({ ...type, frozen: true, cql: `frozen<${type.cql}>`, since: FROZEN_COLLECTIONS });
}

/** An empty collection on the wire (protocol v3+: a 32-bit count of zero). */
const EMPTY_COLLECTION = Buffer.alloc(4);

/**
 * A frozen collection is a value, and an empty one is a value too: inside another collection or in
 * a key it cannot be null. The driver encodes an empty array as null, which it then cannot put
 * inside a list or set (a TypeError deep in its encoder), so an empty one is sent as its bytes.
 */
function frozenCollection<T extends CqlType<unknown, unknown>>(type: T): T {
  const toDriver = type.toDriver;
  return {
    ...type,
    toDriver: (v: unknown, codec: Codec) => (isEmptyCollection(v) ? EMPTY_COLLECTION : toDriver(v, codec)),
    sendsAsIs: undefined,
  };
}

const isEmptyCollection = (v: unknown): boolean =>
  v instanceof Set || v instanceof Map ? v.size === 0 : Array.isArray(v) && v.length === 0;

/** Cassandra 2.1.0 freezes only tuples and user types; frozen (and so nested) collections came in 2.1.3. */
const FROZEN_COLLECTIONS = '2.1.3';

export function list<R, W>(element: CqlType<R, W>, frozen = false): CqlType<R[], W[]> {
  const inner = nested(element);
  const packer = packerOf(inner);
  // Unserialized, an array is sent as it is when its items are.
  const unpackedAsIs = (codec: Codec): boolean => sentAsIs(inner, codec);
  const asIs = (codec: Codec): boolean => !(packer && codec.packed) && unpackedAsIs(codec);
  const type: CqlType<R[], W[]> = {
    cql: collectionCql('list', inner.cql, frozen),
    kind: 'list',
    frozen,
    ...(frozen && { since: FROZEN_COLLECTIONS }),
    element: inner as CqlType<unknown>,
    coerce: (v, c) => {
      if (!Array.isArray(v)) return invalid(c, v, 'an array');
      checkSize(v, c);
      const out = new Array<R>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = coerceItem(inner, v[i], c, i, itemLabel);
      return out;
    },
    toDriver: (v, codec) =>
      (packer && codec.packed && packItems(v, v.length, packer)) ||
      (unpackedAsIs(codec) ? v : v.map((item) => inner.toDriver(item, codec))),
    sendsAsIs: asIs,
    keepsDriverValue: () => inner.fromDriver === identity,
    // The driver builds a fresh array per row: kept as it is when its items need no conversion.
    fromDriver: (v, codec) =>
      v == null
        ? []
        : inner.fromDriver === identity
          ? (v as unknown[] as R[])
          : (v as unknown[]).map((item) => inner.fromDriver(item, codec)),
  };
  return frozen ? frozenCollection(type) : type;
}

export function set<R, W>(element: CqlType<R, W>, frozen = false): CqlType<Set<R>, Set<W> | W[]> {
  const inner = nested(element);
  const packer = packerOf(inner);
  // Unserialized: an array is accepted whatever the Client's `encoding.set`; a Set only with it.
  const unpackedAsIs = (codec: Codec): boolean => codec.setClass && sentAsIs(inner, codec);
  const asIs = (codec: Codec): boolean => !(packer && codec.packed) && unpackedAsIs(codec);
  const type: CqlType<Set<R>, Set<W> | W[]> = {
    cql: collectionCql('set', inner.cql, frozen),
    kind: 'set',
    frozen,
    ...(frozen && { since: FROZEN_COLLECTIONS }),
    element: inner as CqlType<unknown>,
    coerce: (v, c) => {
      if (!(v instanceof Set) && !Array.isArray(v)) return invalid(c, v, 'a Set or an array');
      const out = new Set<R>();
      for (const item of v as Iterable<unknown>) out.add(coerceItem(inner, item, c, undefined, elementLabel));
      checkSize(out, c);
      return out;
    },
    toDriver: (v, codec) =>
      (packer && codec.packed && packItems(v, v.size, packer)) ||
      (unpackedAsIs(codec) ? v : [...v].map((item) => inner.toDriver(item, codec))),
    sendsAsIs: asIs,
    keepsDriverValue: (codec) => codec.setClass && inner.fromDriver === identity,
    // The driver builds a fresh Set per row: kept as it is when its items need no conversion.
    fromDriver: (v, codec) => {
      if (v instanceof Set && inner.fromDriver === identity) return v as Set<R>;
      return new Set(v == null ? [] : [...(v as Iterable<unknown>)].map((item) => inner.fromDriver(item, codec)));
    },
  };
  return frozen ? frozenCollection(type) : type;
}

export function map<KR, KW, VR, VW>(
  key: CqlType<KR, KW>,
  value: CqlType<VR, VW>,
  frozen = false,
): CqlType<Map<KR, VR>, Map<KW, VW> | (KW extends string ? Record<KW, VW> : never)> {
  const k = nested(key);
  const val = nested(value);
  const keyPacker = packerOf(k);
  const valuePacker = keyPacker && packerOf(val);
  // Unserialized, as it is only to a Client that encodes maps as Map (`encoding.map`).
  const unpackedAsIs = (codec: Codec): boolean => codec.mapClass && sentAsIs(k, codec) && sentAsIs(val, codec);
  const asIs = (codec: Codec): boolean => !(valuePacker && codec.packed) && unpackedAsIs(codec);
  const type: CqlType<Map<KR, VR>, Map<KW, VW> | (KW extends string ? Record<KW, VW> : never)> = {
    cql: collectionCql('map', `${k.cql}, ${val.cql}`, frozen),
    kind: 'map',
    frozen,
    ...(frozen && { since: FROZEN_COLLECTIONS }),
    keyType: k as CqlType<unknown>,
    element: val as CqlType<unknown>,
    coerce: (v, c) => {
      const out = new Map<KR, VR>();
      if (v instanceof Map) {
        checkSize(v, c);
        // By key, then get: iterating entries made a [key, value] array for each.
        for (const ek of v.keys()) out.set(coerceItem(k, ek, c, undefined, keyLabel), coerceItem(val, v.get(ek), c, ek, itemLabel));
        return out;
      }
      if (!isPlainObject(v)) return invalid(c, v, 'a Map or a plain object');
      const entries = checkSize(Object.entries(v), c);
      for (const [ek, ev] of entries) out.set(coerceItem(k, ek, c, undefined, keyLabel), coerceItem(val, ev, c, ek, itemLabel));
      return out;
    },
    sendsAsIs: asIs,
    keepsDriverValue: (codec) => codec.mapClass && k.fromDriver === identity && val.fromDriver === identity,
    toDriver: (v, codec) => {
      const packed = valuePacker && codec.packed && packEntries(v, keyPacker!, valuePacker);
      if (packed) return packed;
      if (unpackedAsIs(codec)) return v;
      const entries = [...v].map(([ek, ev]) => [k.toDriver(ek, codec), val.toDriver(ev, codec)] as const);
      if (codec.mapClass) return new Map(entries);
      // A Client without `encoding.map` takes a plain object, whose keys are strings.
      return Object.fromEntries(entries.map(([ek, ev]) => [String(ek), ev]));
    },
    fromDriver: (v, codec) => {
      if (v == null) return new Map();
      // The driver builds a fresh Map per row: kept as it is when its entries need no conversion.
      if (v instanceof Map && k.fromDriver === identity && val.fromDriver === identity) return v as Map<KR, VR>;
      if (v instanceof Map) return new Map([...v].map(([ek, ev]) => [k.fromDriver(ek, codec), val.fromDriver(ev, codec)]));
      return new Map(Object.entries(v as object).map(([ek, ev]) => [keyFromString(k, ek, codec), val.fromDriver(ev, codec)]));
    },
  };
  return frozen ? frozenCollection(type) : type;
}

function keyFromString<K>(type: CqlType<K>, text: string, codec: Codec): K {
  switch (type.cql) {
    case 'int':
    case 'smallint':
    case 'tinyint':
    case 'float':
    case 'double':
      return Number(text) as K;
    case 'bigint':
    case 'varint':
      return BigInt(text) as K;
    case 'boolean':
      return (text === 'true') as K;
    default:
      return type.fromDriver(text, codec);
  }
}

type TupleRead<T extends readonly CqlType<unknown, unknown>[]> = {
  -readonly [I in keyof T]: T[I] extends CqlType<infer R, unknown> ? R : never;
};

/** A tuple, always frozen in Cassandra; its TypeScript form is a fixed-length array. */
export function tuple<const T extends readonly CqlType<unknown, unknown>[]>(...items: T): CqlType<TupleRead<T>> {
  const inner = items.map(nested);
  return {
    cql: `frozen<tuple<${inner.map((t) => t.cql).join(', ')}>>`,
    kind: 'tuple',
    frozen: true,
    items: inner as CqlType<unknown>[],
    coerce: (v, c) => {
      const values = v instanceof types.Tuple ? v.values() : v;
      // Fewer items leave the last fields null, as Cassandra and cqlengine take a short tuple; more are refused.
      if (!Array.isArray(values) || values.length > inner.length) return invalid(c, v, `an array of at most ${inner.length} items`);
      return inner.map((type, i) => (values[i] == null ? null : type.coerce(values[i], `${c}[${i}]`))) as TupleRead<T>;
    },
    toDriver: (v, codec) =>
      types.Tuple.fromArray((v as unknown[]).map((item, i) => (item == null ? null : inner[i]!.toDriver(item, codec)))),
    fromDriver: (v, codec) =>
      (v instanceof types.Tuple ? v.values() : (v as unknown[])).map((item, i) =>
        item == null ? null : inner[i]!.fromDriver(item, codec),
      ) as TupleRead<T>,
  };
}

/** Far beyond any embedding model: a bound against typos, not a server limit. */
const MAX_VECTOR_DIMENSION = 1 << 16;

// Readonly arrays: a vector has a fixed length, and (unlike a list) reads as null when unset.
export type VectorRead<R> = [R] extends [number] ? (number extends R ? Float32Array : readonly R[]) : readonly R[];

/**
 * A fixed-length vector (Cassandra 5.0), always a whole value. `vector<float, n>` reads as a
 * Float32Array, the form embedding libraries hand out; other element types as arrays.
 */
export function vector<R, W>(element: CqlType<R, W>, dimension: number): CqlType<VectorRead<R>, VectorRead<R> | W[]> {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_VECTOR_DIMENSION) {
    throw new ValidationError(
      `vector dimension must be an integer from 1 to ${MAX_VECTOR_DIMENSION}, got ${describe(dimension)}`,
      'vector',
      dimension,
    );
  }
  if (element.kind === 'counter') throw new ValidationError('a vector cannot hold counters', 'vector', element.cql);
  const inner = nested(element);
  const floats = element.cql === 'float';
  const expected = `${floats ? 'a Float32Array or ' : ''}an array of ${dimension} ${element.cql} values`;
  return {
    cql: `vector<${inner.cql}, ${dimension}>`,
    kind: 'vector',
    since: '5.0',
    frozen: true,
    dimension,
    element: inner as CqlType<unknown>,
    coerce: (v, c) => {
      const items = v instanceof Float32Array || v instanceof Float64Array ? [...v] : Array.isArray(v) ? v : invalid(c, v, expected);
      if (items.length !== dimension) return invalid(c, v, expected);
      const coerced = items.map((item, i) => coerceItem(inner, item, c, i, itemLabel));
      return (floats ? Float32Array.from(coerced as number[]) : coerced) as VectorRead<R>;
    },
    toDriver: (v, codec) => new types.Vector([...(v as Iterable<R>)].map((item) => inner.toDriver(item, codec))),
    fromDriver: (v, codec) => {
      const items = v instanceof types.Vector ? (v as unknown as { elements: unknown[] }).elements : [...(v as Iterable<unknown>)];
      return (floats ? Float32Array.from(items as number[]) : items.map((item) => inner.fromDriver(item, codec))) as VectorRead<R>;
    },
  };
}

/** What an unset value reads as: an empty collection for list, set and map, 0 for a counter (as in cqlengine), null for the rest. */
export function emptyOf(type: CqlType<unknown>): unknown {
  switch (type.kind) {
    case 'counter':
      return 0n;
    case 'set':
      return new Set();
    case 'map':
      return new Map();
    case 'list':
      return [];
    default:
      return null;
  }
}

/** Null, undefined and an empty list, set or map: one and the same to Cassandra (an unset value). */
export function isNullish(value: unknown): boolean {
  if (value == null) return true;
  if (value instanceof Set || value instanceof Map) return value.size === 0;
  return Array.isArray(value) && value.length === 0;
}

/** A value from the driver, null or empty when unset. */
export function readValue(type: CqlType<unknown>, value: unknown, codec: Codec): unknown {
  return value == null ? emptyOf(type) : type.fromDriver(value, codec);
}

/** Whether toDriver() hands every value of this type to a Client with this codec as it is. */
export function sentAsIs(type: CqlType<unknown>, codec: Codec): boolean {
  return type.toDriver === identity || type.sendsAsIs?.(codec) === true;
}

/** Whether readValue() hands a non-null driver value of this type back as it is under this codec. */
export function keepsDriverValue(type: CqlType<unknown>, codec: Codec): boolean {
  return type.fromDriver === identity || type.keepsDriverValue?.(codec) === true;
}

/** Whether readValue() hands a driver value of this type back as it is, null included. */
export function readsAsIs(type: CqlType<unknown>): boolean {
  return type.fromDriver === identity && emptyOf(type) === null;
}

/** An object literal (or Object.create(null)): not a Date, RegExp, class instance or array, whose fields would read as missing. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Cassandra's (and cqlengine's) bound on a collection: its size is an unsigned 16-bit number in older protocols. */
export const MAX_COLLECTION_SIZE = 65_535;

function checkSize<T extends { readonly length: number } | { readonly size: number }>(items: T, column: string): T {
  const n = 'length' in items ? items.length : items.size;
  if (n > MAX_COLLECTION_SIZE) {
    throw new ValidationError(`${column}: a collection holds at most ${MAX_COLLECTION_SIZE} elements, got ${n}`, column, `${n} elements`);
  }
  return items;
}

/**
 * A collection item, coerced by its type. Errors name the item (`tags{}`, `xs[2]`, `scores key`,
 * `scores[a]`): that label is built only for an item that fails, since building it for every item
 * cost a string per element on every write.
 */
function coerceItem<R>(
  type: CqlType<R, unknown>,
  value: unknown,
  column: string,
  at: unknown,
  label: (column: string, at: unknown) => string,
): R {
  if (value != null) {
    try {
      return type.coerce(value, column);
    } catch {
      // Coerced again below, for the error that names the item.
    }
  }
  const where = label(column, at);
  if (value == null) throw new ValidationError(`${where}: a collection cannot hold null`, where, value);
  return type.coerce(value, where);
}

const itemLabel = (column: string, at: unknown): string => `${column}[${String(at)}]`;
const elementLabel = (column: string): string => `${column}{}`;
const keyLabel = (column: string): string => `${column} key`;

/** The codec a Client's `encoding` options, and the protocol version it speaks (if known yet), call for. */
export function codecOf(
  options: { encoding?: { map?: unknown; set?: unknown; useBigIntAsLong?: boolean; useBigIntAsVarint?: boolean } } | undefined,
  protocolVersion?: number | null,
): Codec {
  const encoding = options?.encoding;
  return {
    bigIntAsLong: !!encoding?.useBigIntAsLong,
    bigIntAsVarint: !!encoding?.useBigIntAsVarint,
    mapClass: encoding?.map === Map,
    setClass: encoding?.set === Set,
    // Collections have had 32-bit counts and lengths since v3; v1 and v2 (Cassandra 2.0 and older) are left to the driver.
    packed: protocolVersion != null && protocolVersion >= 3,
  };
}
