// Nonces and salts from a pool of CSPRNG bytes. One randomFillSync costs ~3-8 us whatever its
// size (a native call into OpenSSL), which was up to half of a 1 KiB seal; refilling 4 KiB at a
// time makes it ~0.1 us. The bytes are the same CSPRNG output, used once each, and nonces and
// salts are stored in clear anyway, so holding them in memory beforehand reveals nothing.
import { randomFillSync } from 'node:crypto'
import { assert } from '../util/index.js'

const poolBytes = 4096
const pool = Buffer.allocUnsafe(poolBytes)
/** Bytes of `pool` before this offset have been handed out and must never be handed out again. */
let used = poolBytes

/** Fills out[offset, offset + length) with fresh random bytes. */
export function fillRandom(out: Uint8Array, offset: number, length: number): void {
  assert(length > 0 && length <= poolBytes, 'encryption: random request fits the pool')
  if (used + length > poolBytes) {
    randomFillSync(pool)
    used = 0
  }
  out.set(pool.subarray(used, used + length), offset)
  // Wipe what was handed out, so a bug that re-reads the pool gets zeros, not a repeat.
  pool.fill(0, used, used + length)
  used += length
}
