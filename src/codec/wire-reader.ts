// Protobuf wire format, reading side. Every read checks bounds and throws CorruptValue on
// truncated or malformed input, so garbage can never read past the value or loop forever.
import { CorruptValue } from './codec-error.js'

export const wireVarint = 0
export const wireFixed64 = 1
export const wireLengthDelimited = 2
export const wireFixed32 = 5

const int32Span = 2 ** 32

// Buffer's native UTF-8 slice (what Buffer#toString('utf8') calls, minus its argument checks):
// the fastest way to a string for the short names, labels and timestamps objects hold. It keeps a
// leading U+FEFF, which is data here. Not in Node's typings, so checked once at load.
interface Utf8Slicer {
  utf8Slice(start: number, end: number): string
}
const nativeSlice = typeof (Buffer.prototype as Partial<Utf8Slicer>).utf8Slice === 'function'

export class WireReader {
  // Next byte to read; `end` bounds the current message (a sub-reader's end is its body's end).
  pos: number
  readonly buf: Buffer
  private readonly view: DataView

  constructor(
    bytes: Uint8Array,
    start = 0,
    public end = bytes.length,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) // a view, not a copy
    this.pos = start
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get done(): boolean {
    return this.pos >= this.end
  }

  /** Reads a tag; returns field number * 8 + wire type, as on the wire. */
  tag(): number {
    const t = this.uint32()
    if (t >>> 3 === 0) throw new CorruptValue('a protobuf field has number 0')
    return t
  }

  uint32(): number {
    const buf = this.buf
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw truncated()
      const b = buf[this.pos++] as number // pos < end <= buf.length
      value += (b & 127) * 2 ** shift
      if (b < 128) return value >>> 0
    }
    // A 32-bit varint may still carry the sign extension of a negative int32: five more bytes.
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw truncated()
      if ((buf[this.pos++] as number) < 128) return value >>> 0
    }
    throw new CorruptValue('a protobuf varint is longer than ten bytes')
  }

  /** A 64-bit varint as [low, high] unsigned 32-bit halves. */
  varint64(): [number, number] {
    const buf = this.buf
    let lo = 0
    let hi = 0
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated()
      const b = buf[this.pos++] as number // pos < end <= buf.length
      const bits = b & 127
      if (i < 4) lo |= bits << (7 * i)
      else if (i === 4) {
        lo |= bits << 28
        hi |= bits >>> 4
      } else hi |= bits << (7 * i - 32)
      if (b < 128) return [lo >>> 0, hi >>> 0]
    }
    throw new CorruptValue('a protobuf varint is longer than ten bytes')
  }

  int32(): number {
    return this.varint64()[0] | 0
  }

  sint32(): number {
    const n = this.uint32()
    return (n >>> 1) ^ -(n & 1)
  }

  /** int64 / uint64: a JS number, refusing anything beyond the safe range (an encoder here never writes it). */
  int64(signed: boolean, kind: string): number {
    const [lo, hi] = this.varint64()
    return toSafeNumber(lo, hi, signed, kind)
  }

  sint64(kind: string): number {
    const [lo, hi] = this.varint64()
    const mask = -(lo & 1)
    return toSafeNumber((((lo >>> 1) | (hi << 31)) ^ mask) >>> 0, ((hi >>> 1) ^ mask) >>> 0, true, kind)
  }

  fixed32(): number {
    this.need(4)
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  sfixed32(): number {
    return this.fixed32() | 0
  }

  fixed64(signed: boolean, kind: string): number {
    this.need(8)
    const lo = this.view.getUint32(this.pos, true)
    const hi = this.view.getUint32(this.pos + 4, true)
    this.pos += 8
    return toSafeNumber(lo, hi, signed, kind)
  }

  float(): number {
    this.need(4)
    const v = this.view.getFloat32(this.pos, true)
    this.pos += 4
    return v
  }

  double(): number {
    this.need(8)
    const v = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return v
  }

  bool(): boolean {
    const [lo, hi] = this.varint64()
    return lo !== 0 || hi !== 0
  }

  /** The end offset of a length-delimited body starting at pos (after its length prefix). */
  delimited(): number {
    const length = this.uint32()
    if (length > this.end - this.pos) throw truncated()
    return this.pos + length
  }

  /** A copy of a bytes field, as a plain Uint8Array (no aliasing of the stored value). */
  bytes(): Uint8Array {
    const end = this.delimited()
    const out = Uint8Array.prototype.slice.call(this.buf, this.pos, end) // a copy: Buffer#slice would be a view
    this.pos = end
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }

  /** A view of a bytes field (for bodies decoded right away). */
  bytesView(): Uint8Array {
    const end = this.delimited()
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.pos, end - this.pos)
    this.pos = end
    return out
  }

  string(): string {
    const end = this.delimited()
    const start = this.pos
    this.pos = end
    const length = end - start
    if (length > 0 && length <= internBytesMax) return intern(this.buf, start, end)
    return slice(this.buf, start, end)
  }

  /** Skips a field of the given wire type (unknown field numbers, as protobuf parsers must). */
  skip(wireType: number): void {
    switch (wireType) {
      case wireVarint:
        this.varint64()
        return
      case wireFixed64:
        this.need(8)
        this.pos += 8
        return
      case wireLengthDelimited:
        this.pos = this.delimited()
        return
      case wireFixed32:
        this.need(4)
        this.pos += 4
        return
      default:
        throw new CorruptValue(`protobuf wire type ${wireType} is not supported (groups are not written here)`)
    }
  }

  private need(bytes: number): void {
    if (this.end - this.pos < bytes) throw truncated()
  }
}

function slice(buf: Buffer, start: number, end: number): string {
  return nativeSlice ? (buf as unknown as Utf8Slicer).utf8Slice(start, end) : buf.toString('utf8', start, end)
}

// Short strings repeat across objects (namespaces, label keys and values, condition types,
// image names): a small direct-mapped table from their bytes to the string built last time
// saves the allocation and the native call. A slot holds the bytes and the string; a hash
// collision just replaces the slot. Strings are immutable, so sharing them is safe.
const internBytesMax = 32
const internSlots = 4096
const internBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(internSlots)
const internStrings: string[] = new Array<string>(internSlots).fill('')

function intern(buf: Buffer, start: number, end: number): string {
  let h = 0x811c9dc5 // FNV-1a
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193) // i < end <= length
  const slot = (h >>> 0) & (internSlots - 1)
  const known = internBytes[slot]
  if (known !== undefined && known.length === end - start) {
    let same = true
    for (let i = 0; i < known.length; i++) {
      if (known[i] !== buf[start + i]) {
        same = false
        break
      }
    }
    if (same) return internStrings[slot] as string // set together with internBytes[slot]
  }
  const text = slice(buf, start, end)
  internBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end)
  internStrings[slot] = text
  return text
}

function truncated(): CorruptValue {
  return new CorruptValue('the protobuf bytes are truncated')
}

function toSafeNumber(lo: number, hi: number, signed: boolean, kind: string): number {
  if (signed && hi >= 0x80000000) {
    // Negative: the magnitude is the two's complement of the 64 bits.
    let mlo = (~lo + 1) >>> 0
    let mhi = ~hi >>> 0
    if (mlo === 0) mhi = (mhi + 1) >>> 0
    const magnitude = mhi * int32Span + mlo
    if (mhi >= 0x200000) throw new CorruptValue(`a ${kind} field holds a value beyond -(2^53 - 1)`)
    return -magnitude
  }
  if (hi >= 0x200000) throw new CorruptValue(`a ${kind} field holds a value beyond 2^53 - 1`)
  return hi * int32Span + lo
}
