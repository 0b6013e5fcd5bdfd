// A checksum per log row (format 2, docs/log-format.md), verified on every read of the row, so a
// flipped or zeroed byte in a row is a CorruptionError naming the key and revision, never data.
//
// Two CRC-32s per row: vsum over the value alone, and sum over the row's fields, its key and
// vsum. A read without values (keys only) verifies sum and never touches the value's pages; a
// read with values also checks the value against vsum. The live index is not checksummed: each
// entry is checked against the log row it points to (same key, revision, version, lease).
//
// Example: put k=v at revision 5 (create 5, version 1, lease 0):
//   vsum = crc32("v");  sum = crc32(be64(5) be64(5) be64(1) be64(0) be32(len k) "k" be32(vsum) 0x01)
// Rows written before format 2 have NULL sums: they are read unverified (docs/log-format.md).
import { crc32 } from 'node:zlib'
import { CorruptionError, describeKey } from '../util/index.js'

export interface SummedFields {
  key: Buffer
  rev: number
  createRev: number
  version: number
  lease: number
}

const header = Buffer.alloc(8 * 4 + 4 + 4 + 1)

/** CRC-32 of a value; 0 for a tombstone (which has none). */
export function valueSum(value: Buffer | null): number {
  return value === null ? 0 : crc32(value)
}

/** The row's checksum over its fields, key and value checksum. */
export function rowSum(r: SummedFields, vsum: number, hasValue: boolean): number {
  header.writeDoubleBE(r.rev, 0)
  header.writeDoubleBE(r.createRev, 8)
  header.writeDoubleBE(r.version, 16)
  header.writeDoubleBE(r.lease, 24)
  header.writeUInt32BE(r.key.length, 32)
  header.writeUInt32BE(vsum >>> 0, 36)
  header[40] = hasValue ? 1 : 0
  return crc32(r.key, crc32(header))
}

/** A key for messages, even when a damaged record gave something that is not bytes. */
export function describeStoredKey(key: unknown): string {
  return Buffer.isBuffer(key) ? describeKey(key) : '(unreadable)'
}

/** A row (or index entry) that fails its checks; the message names its key and revision. */
export class CorruptRowError extends CorruptionError {
  constructor(
    readonly key: string,
    readonly revision: number,
    what: string,
  ) {
    super(`log: corrupt row (key ${key}, revision ${revision}): ${what}; restore from a snapshot`)
  }
}

/**
 * Checks a row read back (legacy: the row's id is below meta.sums_from, so it may have no sums) against its stored sums. `value` is undefined when the read did not
 * fetch the value (keys only): then only the fields and key are checked.
 */
export function verifyRow(r: SummedFields, value: Buffer | null | undefined, sum: number | null, vsum: number | null, legacy: boolean): void {
  // A damaged record can decode to columns of the wrong type (a NULL key, a text value).
  const key: unknown = r.key
  if (!Buffer.isBuffer(key)) throw new CorruptRowError('(unreadable)', Number(r.rev), 'its key is not a byte string')
  for (const n of [r.rev, r.createRev, r.version, r.lease]) {
    if (typeof n !== 'number') throw new CorruptRowError(describeKey(key), Number(r.rev), 'a numeric column holds something else')
  }
  if (value !== undefined && value !== null && !Buffer.isBuffer(value)) throw new CorruptRowError(describeKey(key), r.rev, 'its value is not a byte string')
  if (sum === null) {
    // Written before the file was migrated to format 2 (meta.sums_from): nothing to check against.
    if (legacy) return
    throw new CorruptRowError(describeKey(r.key), r.rev, 'its checksums are missing')
  }
  if (vsum === null || rowSum(r, vsum, r.version !== 0) !== sum) {
    throw new CorruptRowError(describeKey(r.key), r.rev, 'its fields or key do not match their checksum')
  }
  if (value !== undefined && valueSum(value) !== vsum) {
    throw new CorruptRowError(describeKey(r.key), r.rev, 'its value does not match its checksum')
  }
}
