// The store's ValueTransformer: routes each storage key to the resource with the longest matching
// prefix (so '/registry/secrets/' can be encrypted while '/registry/' is not), and keys that match
// no resource to plaintext, as Kubernetes leaves unconfigured resources unencrypted.
import { AesGcmProvider } from './aes-gcm-provider.js'
import { checkConfig, providerKind, type EncryptionConfig, type ProviderConfig } from './config.js'
import { IdentityProvider } from './identity-provider.js'
import { KmsProvider } from './kms-provider.js'
import type { Provider } from './provider.js'
import { ResourceTransformer, type TransformedValue, type ValueTransformer } from './resource-transformer.js'
import { unreachable } from '../util/index.js'

interface Route {
  readonly prefix: Buffer
  readonly transformer: ResourceTransformer
}

export class EncryptionTransformer implements ValueTransformer {
  /** Longest prefix first, so the first match is the longest. */
  readonly #routes: readonly Route[]
  readonly #plain = new ResourceTransformer([new IdentityProvider()])

  constructor(config: EncryptionConfig) {
    checkConfig(config)
    const routes: Route[] = []
    for (const resource of config.resources) {
      // One transformer per resource, shared by its prefixes: a kms provider keeps one seed.
      const transformer = new ResourceTransformer(resource.providers.map(buildProvider))
      for (const prefix of resource.prefixes) routes.push({ prefix: Buffer.from(prefix), transformer })
    }
    this.#routes = routes.sort((a, b) => b.prefix.length - a.prefix.length)
  }

  toStorage(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return this.#route(key).toStorage(key, plaintext)
  }

  fromStorage(key: Uint8Array, stored: Uint8Array): TransformedValue {
    return this.#route(key).fromStorage(key, stored)
  }

  #route(key: Uint8Array): ResourceTransformer {
    for (const route of this.#routes) {
      if (key.length >= route.prefix.length && route.prefix.equals(key.subarray(0, route.prefix.length))) return route.transformer
    }
    return this.#plain
  }
}

/** Builds the transformer for a validated config; throws InvalidArgumentError on a bad one. */
export function createTransformer(config: EncryptionConfig): EncryptionTransformer {
  return new EncryptionTransformer(config)
}

function buildProvider(config: ProviderConfig): Provider {
  const kind = providerKind(config, 'provider')
  if ('aesgcm' in config) return new AesGcmProvider(config.aesgcm.keys, false)
  if ('aesgcmHkdf' in config) return new AesGcmProvider(config.aesgcmHkdf.keys, true)
  if ('kms' in config) return new KmsProvider(config.kms.name, config.kms.service)
  if ('identity' in config) return new IdentityProvider()
  return unreachable(config, `encryption: unknown provider kind ${kind}`)
}
