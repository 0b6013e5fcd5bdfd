// What the per-resource transformer (resource-transformer.ts) needs from a provider. A provider
// writes its own header and reads values whose header names its provider token.
import type { ProviderToken } from './format.js'

export interface SealedValue {
  readonly stored: Uint8Array
  /** Header fields already parsed by format.ts parseHeader. */
  readonly name: string
  readonly bodyOffset: number
}

export interface Opened {
  readonly value: Uint8Array
  /** Readable, but not under this provider's current key (a later key, an old kms key id). */
  readonly staleWithin: boolean
}

export interface Provider {
  readonly token: ProviderToken
  /** For kms the provider's name, which the header carries; undefined for the others. */
  readonly kmsName: string | undefined
  /** The value as stored, header included. */
  seal(storageKey: Uint8Array, plaintext: Uint8Array): Uint8Array
  /** Throws DecryptError on any failure; never returns wrong plaintext. */
  open(storageKey: Uint8Array, sealed: SealedValue): Opened
  /** Plaintext that carries no header at all: only identity accepts it. */
  readonly acceptsPlain: boolean
}
