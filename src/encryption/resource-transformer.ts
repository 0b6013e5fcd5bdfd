// One resource's ordered provider list (Kubernetes' prefixTransformers): the first provider writes;
// a read goes to the provider its header names, and is stale unless that is the first provider
// under its first key. Unlike Kubernetes there is no trial and error across providers: the header
// names exactly one provider and key, so one failure is final and is reported as such.
import { DecryptError } from './errors.js'
import { formatVersion, parseHeader } from './format.js'
import type { Provider } from './provider.js'
import { assert } from '../util/index.js'

export interface TransformedValue {
  readonly value: Uint8Array
  /** Written under a provider or key other than the current first one: rewrite it to rotate. */
  readonly stale: boolean
}

/** mvcc's ValueTransformer, met structurally (the consumer owns the interface). */
export interface ValueTransformer {
  toStorage(key: Uint8Array, plaintext: Uint8Array): Uint8Array
  fromStorage(key: Uint8Array, stored: Uint8Array): TransformedValue
}

export class ResourceTransformer implements ValueTransformer {
  /** Non-empty; index 0 writes. Each header identity (token, kms name) appears once. */
  readonly #providers: readonly Provider[]

  constructor(providers: readonly Provider[]) {
    assert(providers.length > 0, 'encryption: a resource has a provider')
    this.#providers = providers
  }

  toStorage(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const first = this.#providers[0]
    assert(first !== undefined, 'encryption: a resource has a provider')
    return first.seal(key, plaintext)
  }

  fromStorage(key: Uint8Array, stored: Uint8Array): TransformedValue {
    const header = parseHeader(stored)
    if (header.kind === 'malformed') throw new DecryptError(key, header.reason)
    if (header.kind === 'plain') {
      const index = this.#providers.findIndex((p) => p.acceptsPlain)
      if (index < 0) throw new DecryptError(key, 'the value is not encrypted and no identity provider is configured for its key')
      return { value: stored, stale: index > 0 }
    }
    if (header.version !== formatVersion) {
      throw new DecryptError(key, `unsupported format version ${JSON.stringify(header.version)} of provider ${JSON.stringify(header.provider)}`)
    }
    const index = this.#providers.findIndex((p) => p.token === header.provider && (p.kmsName === undefined || p.kmsName === header.name))
    const provider = this.#providers[index]
    if (provider === undefined) {
      const named = header.provider === 'kms' ? `kms ${JSON.stringify(header.name)}` : JSON.stringify(header.provider)
      throw new DecryptError(key, `provider ${named} is not configured for this key`)
    }
    const opened = provider.open(key, { stored, name: header.name, bodyOffset: header.bodyOffset })
    return { value: opened.value, stale: index > 0 || opened.staleWithin }
  }
}
