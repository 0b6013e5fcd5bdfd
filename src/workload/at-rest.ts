// Encryption at rest for `npm start`, as a cluster operator sets it up for kube-apiserver: a key
// file and an EncryptionConfiguration beside the data, made on the first run and reused after.
// The key is 32 random bytes, base64, in a file of mode 0600; it is never printed or logged (the
// config holds only a reference to the file). Pods, Secrets and ConfigMaps are sealed with
// aes-gcm-hkdf: a per-write derived key, so the pods' high write rate never nears AES-GCM's
// random-nonce limit and needs no rotation for it; identity follows it so that a database from
// a run before encryption still reads (its plaintext values count as stale and get rewritten).
// Everything else (Nodes, Events, Endpoints, Namespaces) is stored as plaintext.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createTransformer, loadEncryptionConfig, type EncryptionTransformer } from '../encryption/index.js'
import { InvalidArgumentError } from '../util/index.js'

export const keyFileName = 'etchlog.key'
export const configFileName = 'encryption-config.json'
const keyName = 'key1'

/** The prefixes the workload encrypts (longest-prefix routing: every other key is plaintext). */
export const encryptedPrefixes: readonly string[] = ['/registry/pods/', '/registry/secrets/', '/registry/configmaps/']

/** What the report says about encryption: file names and providers, never key material. */
export interface EncryptionSummary {
  configFile: string
  keyFile: string
  /** True when this run made the key and config (the first run on this data directory). */
  created: boolean
  resources: Array<{ prefixes: string[]; providers: string[] }>
  /** Keys under no configured prefix. */
  otherKeys: 'identity'
}

export interface AtRest {
  transformer: EncryptionTransformer
  summary: EncryptionSummary
}

/** The config file's JSON (config-file.ts format): one resource, a key by file reference. */
function configJson(): unknown {
  return {
    resources: [{ prefixes: encryptedPrefixes, providers: [{ aesgcmHkdf: { keys: [{ name: keyName, file: keyFileName }] } }, { identity: {} }] }],
  }
}

/**
 * Loads the key and config beside `dbPath`, creating them when the config is absent. An existing
 * config is used as it is (an operator may have rotated keys in it); a config whose key file is
 * gone is an error, not a reason to make a new key that could not read the old values.
 */
export function prepareAtRest(dbPath: string): AtRest {
  const dir = dirname(dbPath)
  const configFile = join(dir, configFileName)
  const keyFile = join(dir, keyFileName)
  const created = !existsSync(configFile)
  if (created) {
    mkdirSync(dir, { recursive: true })
    const key = randomBytes(32)
    try {
      // 'wx': never overwrite a key that exists without a config (that key may still seal data).
      if (!existsSync(keyFile)) writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    } finally {
      key.fill(0)
    }
    writeFileSync(configFile, `${JSON.stringify(configJson(), null, 2)}\n`, { mode: 0o644, flag: 'wx' })
  }
  const config = loadEncryptionConfig(configFile)
  return { transformer: createTransformer(config), summary: { configFile, keyFile, created, resources: describe(configFile), otherKeys: 'identity' } }
}

/** Prefixes and provider names from the config file (its JSON holds references, not keys). */
function describe(configFile: string): EncryptionSummary['resources'] {
  const json: unknown = JSON.parse(readFileSync(configFile, 'utf8'))
  const resources = (json as { resources?: unknown }).resources
  if (!Array.isArray(resources)) throw new InvalidArgumentError(`workload: ${configFile} has no resources array`)
  return resources.map((r: unknown) => {
    const prefixes = (r as { prefixes?: unknown }).prefixes
    const providers = (r as { providers?: unknown }).providers
    return {
      prefixes: Array.isArray(prefixes) ? prefixes.map(String) : [],
      providers: Array.isArray(providers) ? providers.map(providerName) : [],
    }
  })
}

function providerName(p: unknown): string {
  if (p === null || typeof p !== 'object') return 'unknown'
  const [kind] = Object.keys(p)
  const body: unknown = kind === undefined ? undefined : (p as Record<string, unknown>)[kind]
  const keys = body !== null && typeof body === 'object' ? (body as { keys?: unknown }).keys : undefined
  const names = Array.isArray(keys) ? keys.map((k: unknown) => String((k as { name?: unknown }).name)) : []
  const token = kind === 'aesgcmHkdf' ? 'aes-gcm-hkdf' : kind === 'aesgcm' ? 'aes-gcm' : String(kind)
  return names.length === 0 ? token : `${token} (keys ${names.join(', ')})`
}
