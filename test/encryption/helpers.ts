// Shared builders for the encryption tests: random keys, one-resource configs, arbitraries.
import fc from 'fast-check'
import {
  createTransformer,
  LocalKeyEncryptionService,
  SecretKey,
  type EncryptionTransformer,
  type KeyEncryptionService,
  type NamedKey,
  type ProviderConfig,
} from '../../src/encryption/index.js'

export function namedKey(name: string): NamedKey {
  return { name, secret: SecretKey.generate() }
}

export const aesgcm = (...keys: NamedKey[]): ProviderConfig => ({ aesgcm: { keys } })
export const hkdf = (...keys: NamedKey[]): ProviderConfig => ({ aesgcmHkdf: { keys } })
export const identity = (): ProviderConfig => ({ identity: {} })
export const kms = (name: string, service: KeyEncryptionService): ProviderConfig => ({ kms: { name, service } })
export const localKms = (name: string, ...keks: NamedKey[]): ProviderConfig => kms(name, new LocalKeyEncryptionService(keks))

/** A transformer whose one resource covers every key. */
export function transformerFor(...providers: ProviderConfig[]): EncryptionTransformer {
  return createTransformer({ resources: [{ prefixes: [''], providers }] })
}

/** One of each encrypting provider, freshly keyed, by the token its header carries. */
export function encryptingProviders(): Array<[string, ProviderConfig]> {
  return [
    ['aesgcm', aesgcm(namedKey('k1'))],
    ['aesgcm-hkdf', hkdf(namedKey('k1'))],
    ['kms', localKms('local', namedKey('kek1'))],
  ]
}

/** Storage keys, with the edges STYLE.md asks for: empty, \x00, \xff, long. */
export const storageKeyArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.constantFrom(new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0xff), Buffer.from('/registry/secrets/default/db')),
)

export const valueArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.constantFrom(new Uint8Array(0), Buffer.from('etch:enc:aesgcm:v1:k1:'), Buffer.from('etch:enc:'), Buffer.from('k8s\0')),
)

/** Seeds are printed by fast-check on failure; FC_SEED replays one. */
export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env['FC_SEED']
  return { numRuns, ...(seed === undefined ? {} : { seed: Number(seed) }) }
}

export const bytes = (text: string): Buffer => Buffer.from(text, 'utf8')

/** A key service that counts its calls and can change its key id, for seed-rotation tests. */
export class CountingService implements KeyEncryptionService {
  wraps = 0
  unwraps = 0
  constructor(readonly inner: LocalKeyEncryptionService) {}
  wrap(seed: Uint8Array): Uint8Array {
    this.wraps++
    return this.inner.wrap(seed)
  }
  unwrap(wrapped: Uint8Array): Uint8Array {
    this.unwraps++
    return this.inner.unwrap(wrapped)
  }
  keyId(): string {
    return this.inner.keyId()
  }
}
