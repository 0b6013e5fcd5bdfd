// Envelope encryption as Kubernetes KMS v2 does it: a random 32-byte seed, wrapped once by a key
// encryption service, and per write an AES-256-GCM key derived from it with HKDF and a random salt.
// The wrapped seed and the service's key id travel with every value, so a value stays readable
// after the seed or the KEK rotates (as long as the service can still unwrap it).
//
// Body after `etch:enc:kms:v1:<provider name>:`
//   u8 keyIdLength ‖ keyId ‖ u16be wrappedLength ‖ wrapped seed ‖ salt (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16)
import { AssertionError } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { fillRandom } from './random-pool.js'
import { DecryptError, EncryptError } from './errors.js'
import { headerBytes, providerTokens } from './format.js'
import { deriveKey, gcmOpen, gcmSeal, saltBytes } from './gcm.js'
import type { KeyEncryptionService } from './key-encryption-service.js'
import type { Opened, Provider, SealedValue } from './provider.js'
import { SecretKey, secretKeyBytes } from './secret-key.js'
import { assert } from '../util/index.js'

/** Unwrapped seeds kept in memory (Kubernetes KMS v1's default cache size). */
export const seedCacheMax = 1000
const keyIdBytesMax = 255
const wrappedBytesMax = 0xffff

interface WriteState {
  readonly keyId: string
  readonly seed: SecretKey
  /** header ‖ keyId and wrapped seed with their lengths: everything before the salt. */
  readonly prefix: Buffer
}

export class KmsProvider implements Provider {
  readonly token = providerTokens.kms
  readonly acceptsPlain = false
  readonly #header: Buffer
  /** Seed for writes; replaced when the service's keyId() changes. Undefined until the first write. */
  #write: WriteState | undefined
  /** Wrapped seed (as a latin1 string: one char per byte) → seed. Insertion order is recency: at most seedCacheMax. */
  readonly #seeds = new Map<string, SecretKey>()

  constructor(
    readonly kmsName: string,
    readonly service: KeyEncryptionService,
  ) {
    this.#header = headerBytes(this.token, kmsName)
  }

  seal(storageKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const state = this.#writeState(storageKey)
    const prefix = Buffer.allocUnsafe(state.prefix.length + saltBytes)
    state.prefix.copy(prefix, 0)
    fillRandom(prefix, state.prefix.length, saltBytes)
    const salt = prefix.subarray(state.prefix.length)
    const dataKey = deriveKey(state.seed.keyObject(), salt)
    try {
      return gcmSeal(dataKey, prefix, storageKey, plaintext)
    } finally {
      dataKey.fill(0)
    }
  }

  open(storageKey: Uint8Array, sealed: SealedValue): Opened {
    const { stored, bodyOffset } = sealed
    const fail = (reason: string, cause?: unknown): never => {
      throw new DecryptError(storageKey, `kms ${JSON.stringify(this.kmsName)}: ${reason}`, { cause })
    }
    const keyIdLength = stored[bodyOffset] ?? fail('value is truncated')
    const keyIdEnd = bodyOffset + 1 + keyIdLength
    if (stored.length < keyIdEnd + 2) fail('value is truncated')
    const keyId = Buffer.from(stored.subarray(bodyOffset + 1, keyIdEnd)).toString('utf8')
    const wrappedEnd = keyIdEnd + 2 + Buffer.from(stored.buffer, stored.byteOffset, stored.length).readUInt16BE(keyIdEnd)
    const nonceOffset = wrappedEnd + saltBytes
    if (stored.length < nonceOffset) fail('value is truncated')
    const seed = this.#seed(stored.subarray(keyIdEnd + 2, wrappedEnd), fail)
    const dataKey = deriveKey(seed.keyObject(), stored.subarray(wrappedEnd, nonceOffset))
    let value: Buffer | undefined
    try {
      value = gcmOpen(dataKey, stored, nonceOffset, storageKey)
    } finally {
      dataKey.fill(0)
    }
    if (value === undefined) return fail('failed to authenticate the value (tampered, truncated or moved from another key)')
    // Kubernetes: stale when the key id differs from the one writes use now.
    return { value, staleWithin: keyId !== this.#keyIdNow((reason, cause) => fail(reason, cause)) }
  }

  #seed(wrapped: Uint8Array, fail: (reason: string, cause?: unknown) => never): SecretKey {
    const cacheKey = Buffer.from(wrapped).toString('latin1')
    const cached = this.#seeds.get(cacheKey)
    if (cached !== undefined) {
      this.#seeds.delete(cacheKey)
      this.#seeds.set(cacheKey, cached)
      return cached
    }
    let seed: SecretKey
    try {
      const bytes = this.service.unwrap(wrapped)
      try {
        seed = SecretKey.fromBytes(bytes, 'an unwrapped seed')
      } finally {
        bytes.fill(0)
      }
    } catch (error) {
      if (error instanceof AssertionError) throw error
      return fail('the key encryption service could not unwrap the seed', error)
    }
    this.#remember(cacheKey, seed)
    return seed
  }

  #remember(cacheKey: string, seed: SecretKey): void {
    this.#seeds.set(cacheKey, seed)
    if (this.#seeds.size <= seedCacheMax) return
    const oldest = this.#seeds.keys().next()
    if (oldest.done !== true) this.#seeds.delete(oldest.value)
  }

  #keyIdNow(fail: (reason: string, cause?: unknown) => never): string {
    let keyId: string
    try {
      keyId = this.service.keyId()
    } catch (error) {
      if (error instanceof AssertionError) throw error
      return fail('the key encryption service did not name its current key', error)
    }
    const length = Buffer.byteLength(keyId, 'utf8')
    if (length === 0 || length > keyIdBytesMax) return fail(`key id must be 1 to ${keyIdBytesMax} bytes, got ${length}`)
    return keyId
  }

  /** The seed for writes, drawing and wrapping a new one when the service's key id has moved on. */
  #writeState(storageKey: Uint8Array): WriteState {
    const fail = (reason: string, cause?: unknown): never => {
      throw new EncryptError(storageKey, `kms ${JSON.stringify(this.kmsName)}: ${reason}`, { cause })
    }
    const keyId = this.#keyIdNow(fail)
    if (this.#write?.keyId === keyId) return this.#write
    const bytes = randomBytes(secretKeyBytes)
    let wrapped: Buffer
    let seed: SecretKey
    try {
      wrapped = Buffer.from(this.service.wrap(bytes))
      seed = SecretKey.fromBytes(bytes, 'a seed')
    } catch (error) {
      if (error instanceof AssertionError) throw error
      return fail('the key encryption service could not wrap a new seed', error)
    } finally {
      bytes.fill(0)
    }
    if (wrapped.length === 0 || wrapped.length > wrappedBytesMax) {
      return fail(`a wrapped seed must be 1 to ${wrappedBytesMax} bytes, got ${wrapped.length}`)
    }
    const keyIdBytes = Buffer.from(keyId, 'utf8')
    const lengths = Buffer.allocUnsafe(2)
    lengths.writeUInt16BE(wrapped.length, 0)
    const prefix = Buffer.concat([this.#header, Buffer.of(keyIdBytes.length), keyIdBytes, lengths, wrapped])
    assert(prefix.length === this.#header.length + 3 + keyIdBytes.length + wrapped.length, 'encryption: kms prefix layout')
    this.#remember(wrapped.toString('latin1'), seed)
    this.#write = { keyId, seed, prefix }
    return this.#write
  }
}
