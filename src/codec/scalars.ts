// Which JS values a protobuf scalar holds exactly. A value that does not fit is not an error: it
// travels in unknownFields instead (split.ts), so these checks only decide the cheaper path.
import { CorruptValue } from './codec-error.js'
import type { ScalarKind } from './message-plan.js'
import { isWellFormed } from './values.js'

const int32Min = -(2 ** 31)
const int32Max = 2 ** 31 - 1
const uint32Max = 2 ** 32 - 1

export function scalarFits(kind: ScalarKind, value: unknown): boolean {
  if (kind === 'string') return typeof value === 'string' && isWellFormed(value)
  if (kind === 'bool') return typeof value === 'boolean'
  if (kind === 'bytes') return value instanceof Uint8Array
  if (typeof value !== 'number') return false
  // -0 goes the MessagePack way, which stores 0 (as JSON would): one rule on both paths.
  if (Object.is(value, -0)) return false
  switch (kind) {
    case 'double':
      return true
    case 'float':
      return Number.isNaN(value) || Math.fround(value) === value
    case 'int32':
      return Number.isInteger(value) && value >= int32Min && value <= int32Max
    case 'uint32':
      return Number.isInteger(value) && value >= 0 && value <= uint32Max
    case 'int64':
      return Number.isSafeInteger(value)
    case 'uint64':
      return Number.isSafeInteger(value) && value >= 0
  }
}

/** The value proto3 leaves off the wire for a field without presence ('' 0 false, empty bytes). */
export function isScalarDefault(value: unknown): boolean {
  if (value instanceof Uint8Array) return value.length === 0
  return value === '' || value === 0 || value === false
}

interface LongLike {
  toNumber(): number
}

function isLongLike(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && typeof (value as Partial<LongLike>).toNumber === 'function'
}

/** A decoded scalar as the object holds it; protobufjs gives Long for 64-bit and views for bytes. */
export function scalarFromWire(kind: ScalarKind, value: unknown): unknown {
  switch (kind) {
    case 'int64':
    case 'uint64': {
      const n = typeof value === 'number' ? value : isLongLike(value) ? value.toNumber() : Number.NaN
      // An encoder here only writes safe integers; anything else is not ours.
      if (!Number.isSafeInteger(n)) throw new CorruptValue(`a ${kind} field holds ${String(value)}, beyond 2^53`)
      return n
    }
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw new CorruptValue('a bytes field holds a non-binary value')
      // A copy, as a plain Uint8Array: no aliasing of the stored bytes, one class for every read.
      return new Uint8Array(value)
    default:
      return value
  }
}
