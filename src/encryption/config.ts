// The encryption configuration, shaped like Kubernetes' EncryptionConfiguration: a list of
// resources, each a set of key prefixes with an ordered provider list. The first provider (and its
// first key) encrypts; every listed provider and key decrypts. Key material arrives here already
// wrapped in SecretKey (key-source.ts reads it from files or the environment), so this module is
// pure. checkConfig validates at runtime too, since a config may come from untyped JSON.
import { InvalidArgumentError, type BytesLike } from '../util/index.js'
import { namePattern } from './format.js'
import type { KeyEncryptionService } from './key-encryption-service.js'
import { SecretKey } from './secret-key.js'

export interface NamedKey {
  /** Stored in every value's header: 1-64 of [A-Za-z0-9._-], starting with a letter or digit. */
  readonly name: string
  readonly secret: SecretKey
}

export type ProviderConfig =
  | { readonly identity: Record<string, never> }
  | { readonly aesgcm: { readonly keys: readonly NamedKey[] } }
  | { readonly aesgcmHkdf: { readonly keys: readonly NamedKey[] } }
  | { readonly kms: { readonly name: string; readonly service: KeyEncryptionService } }

export interface ResourceConfig {
  /** Storage-key prefixes, e.g. '/registry/secrets/'. '' matches every key. */
  readonly prefixes: readonly BytesLike[]
  readonly providers: readonly ProviderConfig[]
}

export interface EncryptionConfig {
  /** A key takes the resource with its longest matching prefix; a key matching none is stored as plaintext. */
  readonly resources: readonly ResourceConfig[]
}

const providerKinds = ['identity', 'aesgcm', 'aesgcmHkdf', 'kms'] as const
export type ProviderKind = (typeof providerKinds)[number]

/** The one property naming a provider's kind, e.g. 'aesgcm' for `{ aesgcm: {...} }`. */
export function providerKind(provider: unknown, where: string): ProviderKind {
  if (typeof provider !== 'object' || provider === null) throw invalid(`${where} must be an object`)
  const names = Object.keys(provider)
  const kind = providerKinds.find((k) => k === names[0])
  if (names.length !== 1 || kind === undefined) {
    throw invalid(`${where} must have exactly one of ${providerKinds.join(', ')}; got ${JSON.stringify(names)}`)
  }
  return kind
}

export function checkConfig(config: EncryptionConfig): void {
  if (typeof config !== 'object' || config === null || !Array.isArray(config.resources)) {
    throw invalid('config must be an object with a resources array')
  }
  const prefixesSeen = new Set<string>()
  config.resources.forEach((resource, r) => {
    const where = `resources[${r}]`
    if (typeof resource !== 'object' || resource === null) throw invalid(`${where} must be an object`)
    // Array.isArray narrows a readonly array to any[]; keep the declared types.
    const prefixes: readonly BytesLike[] = resource.prefixes
    const providers: readonly ProviderConfig[] = resource.providers
    if (!Array.isArray(prefixes) || prefixes.length === 0) throw invalid(`${where}.prefixes must be a non-empty array`)
    for (const prefix of prefixes) {
      if (typeof prefix !== 'string' && !(prefix instanceof Uint8Array)) throw invalid(`${where}.prefixes holds a non-string`)
      const seen = Buffer.from(prefix).toString('hex')
      if (prefixesSeen.has(seen)) throw invalid(`${where}: prefix ${JSON.stringify(Buffer.from(prefix).toString('utf8'))} is configured twice`)
      prefixesSeen.add(seen)
    }
    if (!Array.isArray(providers) || providers.length === 0) throw invalid(`${where}.providers must be a non-empty array`)
    const kindsSeen = new Set<string>()
    providers.forEach((provider, p) => {
      const at = `${where}.providers[${p}]`
      const kind = providerKind(provider, at)
      checkProvider(provider, at)
      // A value's header names its provider kind (and for kms its name); two entries with the same
      // header could not be told apart on read.
      const identity = 'kms' in provider ? `kms:${provider.kms.name}` : kind
      if (kindsSeen.has(identity)) throw invalid(`${at}: ${identity} is listed twice; list its keys in one entry`)
      kindsSeen.add(identity)
    })
  })
}

function checkProvider(provider: ProviderConfig, at: string): void {
  if ('aesgcm' in provider) checkKeys(provider.aesgcm?.keys, `${at}.aesgcm.keys`)
  else if ('aesgcmHkdf' in provider) checkKeys(provider.aesgcmHkdf?.keys, `${at}.aesgcmHkdf.keys`)
  else if ('kms' in provider) {
    if (typeof provider.kms !== 'object' || provider.kms === null) throw invalid(`${at}.kms must be an object`)
    checkName(provider.kms.name, `${at}.kms.name`)
    const service: unknown = provider.kms.service
    if (typeof service !== 'object' || service === null || !('wrap' in service) || !('unwrap' in service) || !('keyId' in service)) {
      throw invalid(`${at}.kms.service must be a KeyEncryptionService (wrap, unwrap, keyId)`)
    }
  } else if (typeof provider.identity !== 'object' || provider.identity === null || Object.keys(provider.identity).length > 0) {
    throw invalid(`${at}.identity takes no settings: write {}`)
  }
}

function checkKeys(keys: readonly NamedKey[] | undefined, at: string): void {
  if (!Array.isArray(keys) || keys.length === 0) throw invalid(`${at} must be a non-empty array`)
  const names = new Set<string>()
  keys.forEach((key: NamedKey, i) => {
    if (typeof key !== 'object' || key === null) throw invalid(`${at}[${i}] must be an object with name and secret`)
    checkName(key.name, `${at}[${i}].name`)
    if (names.has(key.name)) throw invalid(`${at}: key name ${JSON.stringify(key.name)} is used twice`)
    names.add(key.name)
    if (!(key.secret instanceof SecretKey)) throw invalid(`${at}[${i}].secret must be a SecretKey (see key-source.ts)`)
  })
}

function checkName(name: unknown, at: string): void {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw invalid(`${at} must match ${namePattern}, got ${typeof name === 'string' ? JSON.stringify(name) : typeof name}`)
  }
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`encryption: ${message}`)
}
