// Identity: values are stored as plaintext, as Kubernetes' identity provider does, so a store
// written before encryption was configured stays readable. One twist: a plaintext that happens to
// start with `etch:enc:` would be mistaken for an encrypted value on read, so such a value (and only
// such a value) is written behind the header `etch:enc:identity:v1:`.
import { headerBytes, providerTokens, startsWithMagic } from './format.js'
import type { Opened, Provider, SealedValue } from './provider.js'

const escapeHeader = headerBytes(providerTokens.identity, undefined)

export class IdentityProvider implements Provider {
  readonly token = providerTokens.identity
  readonly kmsName = undefined
  readonly acceptsPlain = true

  /** Returns the plaintext itself (shared memory) unless it has to be escaped. */
  seal(_storageKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!startsWithMagic(plaintext)) return plaintext
    return Buffer.concat([escapeHeader, plaintext])
  }

  open(_storageKey: Uint8Array, sealed: SealedValue): Opened {
    return { value: sealed.stored.subarray(sealed.bodyOffset), staleWithin: false }
  }
}
