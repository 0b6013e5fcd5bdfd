// Protobuf wire format, writing side: a growable byte buffer with the scalar encodings of
// https://protobuf.dev/programming-guides/encoding/. Nested messages are written in place: begin()
// reserves one byte for the length and end() fills it in, moving the body along in the rare case
// the length needs more than one byte (bodies of 128 bytes or more). One pass, no size pre-pass.
import { assert } from '../util/index.js'

const int32Span = 2 ** 32
const utf8 = new TextEncoder()

export class WireWriter {
  buf: Uint8Array
  // Bytes written so far: buf[0, pos) is the output.
  pos = 0
  private view: DataView

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(initialBytes)
    this.view = new DataView(this.buf.buffer)
  }

  /** A copy of what was written, sized exactly. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }

  /** Starts over, keeping the buffer (writers are reused per codec). */
  reset(): void {
    this.pos = 0
  }

  private ensure(extra: number): void {
    const need = this.pos + extra
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** Field number and wire type. */
  tag(field: number, wireType: number): void {
    this.uint32(((field << 3) | wireType) >>> 0)
  }

  uint32(value: number): void {
    this.ensure(5)
    let v = value >>> 0
    const buf = this.buf
    while (v > 127) {
      buf[this.pos++] = (v & 127) | 128
      v >>>= 7
    }
    buf[this.pos++] = v
  }

  /** int32 and enums: a negative value is sign-extended to 64 bits (ten bytes), as the spec says. */
  int32(value: number): void {
    if (value >= 0) this.uint32(value)
    else this.varint64(value >>> 0, 0xffffffff)
  }

  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0)
  }

  /** A safe integer as a 64-bit two's-complement varint (int64, uint64). */
  int64(value: number): void {
    const [lo, hi] = split64(value)
    this.varint64(lo, hi)
  }

  sint64(value: number): void {
    // zigzag on the two halves, (n << 1) ^ (n >> 63): exact where doubling the number would not be.
    const [lo, hi] = split64(value)
    const sign = hi >> 31
    this.varint64(((lo << 1) ^ sign) >>> 0, (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0)
  }

  private varint64(lo: number, hi: number): void {
    this.ensure(10)
    const buf = this.buf
    while (hi !== 0 || lo > 127) {
      buf[this.pos++] = (lo & 127) | 128
      lo = ((lo >>> 7) | (hi << 25)) >>> 0
      hi >>>= 7
    }
    buf[this.pos++] = lo
  }

  fixed32(value: number): void {
    this.ensure(4)
    this.view.setUint32(this.pos, value >>> 0, true)
    this.pos += 4
  }

  fixed64(value: number): void {
    const [lo, hi] = split64(value)
    this.ensure(8)
    this.view.setUint32(this.pos, lo, true)
    this.view.setUint32(this.pos + 4, hi, true)
    this.pos += 8
  }

  float(value: number): void {
    this.ensure(4)
    this.view.setFloat32(this.pos, value, true)
    this.pos += 4
  }

  double(value: number): void {
    this.ensure(8)
    this.view.setFloat64(this.pos, value, true)
    this.pos += 8
  }

  bool(value: boolean): void {
    this.ensure(1)
    this.buf[this.pos++] = value ? 1 : 0
  }

  /** Bytes as they are, without a length prefix. */
  raw(value: Uint8Array): void {
    this.ensure(value.length)
    this.buf.set(value, this.pos)
    this.pos += value.length
  }

  bytes(value: Uint8Array): void {
    this.uint32(value.length)
    this.ensure(value.length)
    this.buf.set(value, this.pos)
    this.pos += value.length
  }

  /** Length-prefixed UTF-8 (the caller has checked the string is well-formed). */
  string(value: string): void {
    const n = value.length
    // ASCII, the common case for names, labels and timestamps: one byte per code unit.
    if (n < 128) {
      this.ensure(n * 3 + 1)
      const buf = this.buf
      const start = this.pos
      let p = start + 1
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i)
        if (c >= 128) return this.stringSlow(value)
        buf[p++] = c
      }
      buf[start] = n
      this.pos = p
      return
    }
    this.stringSlow(value)
  }

  private stringSlow(value: string): void {
    // At most three bytes per UTF-16 code unit; a five-byte length prefix is enough for any of it.
    const max = value.length * 3
    this.ensure(max + 5)
    const bodyAt = this.pos + varintSize(max)
    const { written } = utf8.encodeInto(value, this.buf.subarray(bodyAt))
    assert(written !== undefined, 'codec: TextEncoder reports the bytes it wrote')
    const lengthBytes = varintSize(written)
    // The prefix reserved for `max` may be longer than `written` needs: close the gap.
    if (this.pos + lengthBytes !== bodyAt) this.buf.copyWithin(this.pos + lengthBytes, bodyAt, bodyAt + written)
    this.uint32(written)
    this.pos += written
  }

  /** Opens a length-delimited body; pass the result to end(). */
  begin(): number {
    this.ensure(1)
    return this.pos++
  }

  /** Closes the body opened at `at` by writing its length there (moving the body if it needs more than one byte). */
  end(at: number): void {
    const length = this.pos - at - 1
    if (length < 128) {
      this.buf[at] = length
      return
    }
    const extra = varintSize(length) - 1
    this.ensure(extra)
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos)
    const end = this.pos + extra
    this.pos = at
    this.uint32(length)
    this.pos = end
  }
}

function varintSize(value: number): number {
  if (value < 2 ** 7) return 1
  if (value < 2 ** 14) return 2
  if (value < 2 ** 21) return 3
  if (value < 2 ** 28) return 4
  return 5
}

/** A safe integer's 64-bit two's complement as [low, high] unsigned 32-bit halves. */
function split64(value: number): [number, number] {
  const magnitude = Math.abs(value)
  let lo = magnitude % int32Span >>> 0
  let hi = Math.floor(magnitude / int32Span) >>> 0
  if (value < 0) {
    // Two's complement: invert and add one, carrying from the low half into the high half.
    lo = ~lo >>> 0
    hi = ~hi >>> 0
    lo = (lo + 1) >>> 0
    if (lo === 0) hi = (hi + 1) >>> 0
  }
  return [lo, hi]
}
