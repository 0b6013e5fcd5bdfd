// MessagePack for bodies of unregistered kinds and for unknownFields. Settings are fixed because
// the bytes are persisted and must not depend on encoder state.
import { Packr, Unpackr } from 'msgpackr'
import { CorruptValue } from './codec-error.js'
import { checkDecodedValue } from './values.js'

// useRecords: false — records/shared structures make the output depend on what was packed before.
// variableMapSize: smallest map header, still deterministic.
const packr = new Packr({ useRecords: false, variableMapSize: true, moreTypes: false })
// copyBuffers: binary values are fresh Uint8Arrays, not views pinning (or aliasing) the input.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, copyBuffers: true })

/** `value` must already be canonical (values.ts canonicalValue). */
export function packValue(value: unknown): Uint8Array {
  return packr.pack(value)
}

export function unpackValue(bytes: Uint8Array, what: string): unknown {
  if (bytes.length === 0) throw new CorruptValue(`${what} is empty`)
  // A plain Uint8Array (not a Buffer) makes msgpackr return Uint8Array for binary values.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let value: unknown
  try {
    value = unpackr.unpack(view)
  } catch (err) {
    throw new CorruptValue(`${what} is not valid MessagePack (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    })
  }
  checkDecodedValue(value, 0)
  return value
}
