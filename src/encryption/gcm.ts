// AES-256-GCM sealing shared by every encrypting provider, plus the per-write HKDF key derivation.
// The additional authenticated data of a value is every stored byte before the nonce (header,
// salt, wrapped seed: whatever the provider puts there) followed by the storage key. So a value
// moved to another key fails, and so does a value whose header was edited (say a kms key id, which
// no other check covers). The header is self-delimiting (format.ts), so prefix ‖ key is unambiguous.
import { createCipheriv, createDecipheriv, createHmac, type KeyObject } from 'node:crypto'
import { fillRandom } from './random-pool.js'
import { AssertionError } from 'node:assert'
import { assert } from '../util/index.js'

export const nonceBytes = 12
export const tagBytes = 16
export const saltBytes = 32
const cipherName = 'aes-256-gcm'
// Appended to the HKDF info after the random salt: domain separation, so a seed used elsewhere
// cannot yield the same keys. The trailing 0x01 is HKDF-Expand's block counter (RFC 5869 §2.3).
const hkdfLabel = Buffer.from('etchlog aes-256-gcm data key v1\x01', 'latin1')

/** Returns `prefix ‖ nonce ‖ ciphertext ‖ tag`, with a fresh random 96-bit nonce. */
export function gcmSeal(key: KeyObject | Uint8Array, prefix: Uint8Array, storageKey: Uint8Array, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + nonceBytes + plaintext.length + tagBytes)
  out.set(prefix, 0)
  fillRandom(out, prefix.length, nonceBytes)
  const nonce = out.subarray(prefix.length, prefix.length + nonceBytes)
  const cipher = createCipheriv(cipherName, key, nonce, { authTagLength: tagBytes })
  cipher.setAAD(prefix)
  cipher.setAAD(storageKey)
  const body = cipher.update(plaintext)
  const rest = cipher.final()
  // GCM is a stream mode: update() returns every byte at once and final() none.
  assert(body.length === plaintext.length, 'encryption: GCM ciphertext has the plaintext length')
  assert(rest.length === 0, 'encryption: GCM final() emits nothing')
  out.set(body, prefix.length + nonceBytes)
  out.set(cipher.getAuthTag(), out.length - tagBytes)
  return out
}

/**
 * Opens what gcmSeal wrote, `nonceOffset` being the prefix length. Returns undefined when the value
 * is too short or fails authentication: the caller turns that into a DecryptError naming the key.
 */
export function gcmOpen(key: KeyObject | Uint8Array, stored: Uint8Array, nonceOffset: number, storageKey: Uint8Array): Buffer | undefined {
  if (stored.length < nonceOffset + nonceBytes + tagBytes) return undefined
  const bodyOffset = nonceOffset + nonceBytes
  const tagOffset = stored.length - tagBytes
  const decipher = createDecipheriv(cipherName, key, stored.subarray(nonceOffset, bodyOffset), { authTagLength: tagBytes })
  decipher.setAAD(stored.subarray(0, nonceOffset))
  decipher.setAAD(storageKey)
  decipher.setAuthTag(stored.subarray(tagOffset))
  const plaintext = decipher.update(stored.subarray(bodyOffset, tagOffset))
  try {
    decipher.final()
  } catch (error) {
    if (error instanceof AssertionError) throw error
    // OpenSSL's only complaint here is a failed tag check. The unauthenticated bytes in
    // `plaintext` must not escape: wipe them and report failure.
    plaintext.fill(0)
    return undefined
  }
  return plaintext
}

/**
 * A one-time AES-256 key: HKDF-Expand(SHA-256, PRK = seed, info = salt ‖ label, L = 32), as
 * Kubernetes KMS v2 does. The extract step is skipped because the seed is already 32 uniformly
 * random bytes (RFC 5869 §3.3); with L equal to the hash length, Expand is one HMAC, T(1). This
 * costs ~3 us against ~9-12 us for Node's hkdfSync (extract + expand and more native calls).
 */
export function deriveKey(seed: KeyObject, salt: Uint8Array): Buffer {
  assert(salt.length === saltBytes, 'encryption: HKDF salt has saltBytes')
  return hkdfExpand32(seed, salt)
}

/** HKDF-Expand for L = 32: HMAC-SHA256(prk, info ‖ label ‖ 0x01). Exported for its known-answer test. */
export function hkdfExpand32(prk: KeyObject | Uint8Array, info: Uint8Array, label: Uint8Array = hkdfLabel): Buffer {
  return createHmac('sha256', prk).update(info).update(label).digest()
}
