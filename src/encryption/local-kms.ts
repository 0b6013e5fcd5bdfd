// A KMS-style key encryption service that keeps its key-encryption keys (KEKs) locally, from the
// configuration. It stands where a Kubernetes KMS v2 plugin (Vault, a cloud KMS) would: it wraps
// the provider's data-key seed, and it can unwrap seeds wrapped under any KEK it still holds, so a
// KEK can rotate ([new, old]) while old values stay readable.
//
// Wrapped seed: u8 nameLength ‖ KEK name (ASCII) ‖ nonce (12) ‖ AES-256-GCM(seed) (32) ‖ tag (16),
// authenticated together with a fixed label, so a wrapped seed cannot pass for anything else.
import type { NamedKey } from './config.js'
import { KeyServiceError } from './errors.js'
import { namePattern } from './format.js'
import { gcmOpen, gcmSeal, nonceBytes, tagBytes } from './gcm.js'
import type { SecretKey } from './secret-key.js'
import { InvalidArgumentError } from '../util/index.js'
import type { KeyEncryptionService } from './key-encryption-service.js'

const label = Buffer.from('etchlog local kek v1', 'latin1')

export class LocalKeyEncryptionService implements KeyEncryptionService {
  /** Non-empty, names unique and valid; index 0 wraps. */
  readonly #keks: ReadonlyMap<string, { prefix: Buffer; secret: SecretKey }>
  readonly #current: string

  constructor(keks: readonly NamedKey[]) {
    const first = keks[0]
    if (first === undefined) throw new InvalidArgumentError('encryption: a local kms needs at least one kek')
    const map = new Map<string, { prefix: Buffer; secret: SecretKey }>()
    for (const { name, secret } of keks) {
      if (!namePattern.test(name)) throw new InvalidArgumentError(`encryption: kek name ${JSON.stringify(name)} must match ${namePattern}`)
      if (map.has(name)) throw new InvalidArgumentError(`encryption: kek name ${JSON.stringify(name)} is used twice`)
      const nameBytes = Buffer.from(name, 'latin1')
      map.set(name, { prefix: Buffer.concat([Buffer.of(nameBytes.length), nameBytes]), secret })
    }
    this.#keks = map
    this.#current = first.name
  }

  keyId(): string {
    return this.#current
  }

  wrap(seed: Uint8Array): Uint8Array {
    const kek = this.#keks.get(this.#current)
    if (kek === undefined) throw new KeyServiceError('local-kms: current kek missing')
    return gcmSeal(kek.secret.keyObject(), kek.prefix, label, seed)
  }

  unwrap(wrapped: Uint8Array): Uint8Array {
    const nameLength = wrapped[0]
    if (nameLength === undefined || wrapped.length < 1 + nameLength + nonceBytes + tagBytes) {
      throw new KeyServiceError('local-kms: wrapped seed is truncated')
    }
    const name = Buffer.from(wrapped.subarray(1, 1 + nameLength)).toString('latin1')
    const kek = this.#keks.get(name)
    if (kek === undefined) throw new KeyServiceError(`local-kms: no kek ${JSON.stringify(name)} configured`)
    const seed = gcmOpen(kek.secret.keyObject(), wrapped, 1 + nameLength, label)
    if (seed === undefined) throw new KeyServiceError(`local-kms: kek ${JSON.stringify(name)} failed to authenticate the wrapped seed`)
    return seed
  }
}
