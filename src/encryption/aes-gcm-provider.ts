// AES-256-GCM under keys from the configuration, in two flavours:
// - aesgcm: the configured key encrypts directly, random 96-bit nonce per write. NIST SP 800-38D
//   caps random nonces at 2^32 messages per key, so such a key must be rotated (Kubernetes: every
//   200k writes, very conservatively).
// - aesgcm-hkdf: the configured key is a seed; each write draws a 32-byte salt and encrypts under
//   HKDF-SHA256(seed, salt), Kubernetes KMS v2's "extended nonce". Every (key, nonce) pair is new
//   with overwhelming probability, so the write count is no longer a reason to rotate.
// The first key encrypts; any configured key decrypts a value whose header names it.
import type { NamedKey } from './config.js'
import { fillRandom } from './random-pool.js'
import { DecryptError } from './errors.js'
import { headerBytes, providerTokens } from './format.js'
import { deriveKey, gcmOpen, gcmSeal, saltBytes } from './gcm.js'
import type { Opened, Provider, SealedValue } from './provider.js'
import type { SecretKey } from './secret-key.js'
import { assert } from '../util/index.js'

interface RingKey {
  readonly name: string
  readonly secret: SecretKey
  /** `etch:enc:<token>:v1:<name>:`, built once. */
  readonly header: Buffer
}

export class AesGcmProvider implements Provider {
  readonly token: typeof providerTokens.aesgcm | typeof providerTokens.aesgcmHkdf
  readonly kmsName = undefined
  readonly acceptsPlain = false
  /** Non-empty, names unique (checked by config.ts); index 0 encrypts. */
  readonly #keys: readonly RingKey[]

  constructor(keys: readonly NamedKey[], readonly deriveKeys: boolean) {
    assert(keys.length > 0, 'encryption: a key ring is not empty')
    this.token = deriveKeys ? providerTokens.aesgcmHkdf : providerTokens.aesgcm
    this.#keys = keys.map((k) => ({ name: k.name, secret: k.secret, header: headerBytes(this.token, k.name) }))
  }

  seal(storageKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const first = this.#keys[0]
    assert(first !== undefined, 'encryption: a key ring is not empty')
    if (!this.deriveKeys) return gcmSeal(first.secret.keyObject(), first.header, storageKey, plaintext)
    const prefix = Buffer.allocUnsafe(first.header.length + saltBytes)
    first.header.copy(prefix, 0)
    fillRandom(prefix, first.header.length, saltBytes)
    const dataKey = deriveKey(first.secret.keyObject(), prefix.subarray(first.header.length))
    try {
      return gcmSeal(dataKey, prefix, storageKey, plaintext)
    } finally {
      dataKey.fill(0)
    }
  }

  open(storageKey: Uint8Array, sealed: SealedValue): Opened {
    const index = this.#keys.findIndex((k) => k.name === sealed.name)
    const key = this.#keys[index]
    if (key === undefined) {
      throw new DecryptError(storageKey, `no key ${JSON.stringify(sealed.name)} configured for provider ${this.token}`)
    }
    const value = this.deriveKeys ? this.#openDerived(storageKey, sealed, key) : gcmOpen(key.secret.keyObject(), sealed.stored, sealed.bodyOffset, storageKey)
    if (value === undefined) {
      throw new DecryptError(storageKey, `${this.token} key ${JSON.stringify(key.name)} failed to authenticate the value (tampered, truncated or moved from another key)`)
    }
    return { value, staleWithin: index > 0 }
  }

  #openDerived(storageKey: Uint8Array, sealed: SealedValue, key: RingKey): Buffer | undefined {
    const nonceOffset = sealed.bodyOffset + saltBytes
    if (sealed.stored.length < nonceOffset) return undefined
    const dataKey = deriveKey(key.secret.keyObject(), sealed.stored.subarray(sealed.bodyOffset, nonceOffset))
    try {
      return gcmOpen(dataKey, sealed.stored, nonceOffset, storageKey)
    } finally {
      dataKey.fill(0)
    }
  }
}
