// The configuration as written in a JSON file: the shape of EncryptionConfig, with each key given
// as a reference (an environment variable or a key file) instead of key material, so the file can
// be reviewed and versioned without secrets. Parsing and resolving are pure; key-source.ts
// supplies the reader that touches the file system and the environment.
//
//   { "resources": [ { "prefixes": ["/registry/secrets/"], "providers": [
//       { "aesgcmHkdf": { "keys": [ { "name": "key2", "env": "ETCHLOG_KEY2" },
//                                   { "name": "key1", "file": "keys/key1.b64" } ] } },
//       { "kms": { "name": "local", "keks": [ { "name": "kek1", "env": "ETCHLOG_KEK1" } ] } },
//       { "identity": {} } ] } ] }
import { InvalidArgumentError } from '../util/index.js'
import { providerKind, type EncryptionConfig, type NamedKey, type ProviderConfig } from './config.js'
import type { KeyEncryptionService } from './key-encryption-service.js'
import { LocalKeyEncryptionService } from './local-kms.js'
import type { SecretKey } from './secret-key.js'

/** Where one key's base64 text lives. */
export type KeyRef = { readonly name: string; readonly env: string } | { readonly name: string; readonly file: string }

export interface ResolveOptions {
  /** Turns a reference into key material (key-source.ts reads files and the environment). */
  readonly readKey: (ref: KeyRef, where: string) => SecretKey
  /** Remote or custom services for kms providers configured without `keks`, by provider name. */
  readonly keyEncryptionServices?: Readonly<Record<string, KeyEncryptionService>>
}

/** Validates the file's shape and resolves every key reference; createTransformer checks the rest. */
export function resolveConfigFile(json: unknown, options: ResolveOptions): EncryptionConfig {
  const root = record(json, 'config')
  const resources = array(root['resources'], 'resources').map((entry, r) => {
    const resource = record(entry, `resources[${r}]`)
    const prefixes = array(resource['prefixes'], `resources[${r}].prefixes`).map((p, i) => string(p, `resources[${r}].prefixes[${i}]`))
    const providers = array(resource['providers'], `resources[${r}].providers`).map((p, i) =>
      resolveProvider(p, `resources[${r}].providers[${i}]`, options),
    )
    return { prefixes, providers }
  })
  return { resources }
}

function resolveProvider(json: unknown, where: string, options: ResolveOptions): ProviderConfig {
  const kind = providerKind(json, where)
  const body = record(record(json, where)[kind], `${where}.${kind}`)
  switch (kind) {
    case 'identity':
      if (Object.keys(body).length > 0) throw invalid(`${where}.identity takes no settings: write {}`)
      return { identity: {} }
    case 'aesgcm':
      return { aesgcm: { keys: resolveKeys(body['keys'], `${where}.aesgcm.keys`, options) } }
    case 'aesgcmHkdf':
      return { aesgcmHkdf: { keys: resolveKeys(body['keys'], `${where}.aesgcmHkdf.keys`, options) } }
    case 'kms': {
      const name = string(body['name'], `${where}.kms.name`)
      if (body['keks'] !== undefined) {
        return { kms: { name, service: new LocalKeyEncryptionService(resolveKeys(body['keks'], `${where}.kms.keks`, options)) } }
      }
      const service = options.keyEncryptionServices?.[name]
      if (service === undefined) throw invalid(`${where}.kms: give keks, or pass a key encryption service named ${JSON.stringify(name)}`)
      return { kms: { name, service } }
    }
  }
}

function resolveKeys(json: unknown, where: string, options: ResolveOptions): NamedKey[] {
  return array(json, where).map((entry, i) => {
    const at = `${where}[${i}]`
    const ref = record(entry, at)
    const name = string(ref['name'], `${at}.name`)
    const hasEnv = ref['env'] !== undefined
    const hasFile = ref['file'] !== undefined
    if (hasEnv === hasFile) throw invalid(`${at} must give exactly one of env, file`)
    const keyRef: KeyRef = hasEnv ? { name, env: string(ref['env'], `${at}.env`) } : { name, file: string(ref['file'], `${at}.file`) }
    return { name, secret: options.readKey(keyRef, at) }
  })
}

function record(json: unknown, where: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(`${where} must be an object`)
  return json as Record<string, unknown> // narrowed just above: a non-null, non-array object
}

function array(json: unknown, where: string): unknown[] {
  if (!Array.isArray(json)) throw invalid(`${where} must be an array`)
  return json
}

function string(json: unknown, where: string): string {
  if (typeof json !== 'string') throw invalid(`${where} must be a string`)
  return json
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`encryption: ${message}`)
}
