// Keys and values are byte strings compared byte-wise (memcmp order, shorter first on a tie),
// which is also how SQLite orders BLOBs. Callers may pass strings; they are UTF-8 encoded.
import { InvalidArgumentError } from './errors.js'

export type Bytes = Uint8Array
export type BytesLike = string | Uint8Array

const EMPTY = new Uint8Array(0)

/** A private copy of the bytes: a caller who changes its buffer later (say, before a put
 *  resolves) cannot change a request in flight. */
export function toBytes(value: BytesLike, what: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value)
  throw new InvalidArgumentError(`etcdserver: ${what} must be a string or Uint8Array`)
}

export function compareBytes(a: Bytes, b: Bytes): number {
  return Buffer.compare(a, b)
}

export function bytesEqual(a: Bytes, b: Bytes): boolean {
  return Buffer.compare(a, b) === 0
}

/** True for the one-byte key "\0", which as a range end means "no upper bound" (etcd RG1). */
export function isZeroByte(b: Bytes): boolean {
  return b.length === 1 && b[0] === 0
}

/**
 * The smallest key greater than every key starting with `prefix`: drop trailing 0xff bytes and
 * increment the last remaining one. An all-0xff (or empty) prefix has no such key: "\0" (no end).
 */
export function prefixEnd(prefix: Bytes): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const b = prefix[i] as number
    if (b < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1))
      end[i] = b + 1
      return end
    }
  }
  return Buffer.from([0])
}

/** Printable form of a key for error messages: UTF-8 when it is clean text, hex otherwise. */
export function describeKey(key: Bytes): string {
  const shown = key.length > 64 ? key.subarray(0, 64) : key
  const text = Buffer.from(shown).toString('utf8')
  const clean = /^[\x20-\x7e]*$/.test(text)
  const body = clean ? JSON.stringify(text) : `0x${Buffer.from(shown).toString('hex')}`
  return key.length > 64 ? `${body}...(${key.length} bytes)` : body
}

export { EMPTY as emptyBytes }
