// @ts-check
// piscina worker for reseal-pool.ts: rebuilds the store's transformer from the configuration in
// workerData (key material as KeyObjects) and re-seals batches of stored values. Plain JavaScript:
// a worker does not inherit the TypeScript loader. From the installed package (dist/) it loads
// the compiled modules beside it; from a source checkout, where only the .ts files exist, it
// registers tsx (a development dependency) itself before importing them.
import { existsSync } from 'node:fs'
import { workerData } from 'node:worker_threads'

const compiled = new URL('./encryption/index.js', import.meta.url)
/** @type {typeof import('./encryption/index.ts')} */
const encryption = existsSync(compiled) ? await import(compiled.href) : await importSource()

async function importSource() {
  const { register } = await import('tsx/esm/api')
  register()
  return import('./encryption/index.ts')
}

/** @typedef {{ key: Uint8Array, stored: Uint8Array }} Item */
/** @typedef {{ name: string, key: import('node:crypto').KeyObject }} SentKey */
/**
 * A provider as reseal-pool.ts sends it: keys as KeyObjects (kms providers are never sent).
 * @typedef {{ identity: Record<string, never> } | { aesgcm: { keys: SentKey[] } } | { aesgcmHkdf: { keys: SentKey[] } }} SentProvider
 */

/** @param {SentProvider} provider */
function rebuildProvider(provider) {
  if ('identity' in provider) return { identity: {} }
  const sentKeys = 'aesgcm' in provider ? provider.aesgcm.keys : provider.aesgcmHkdf.keys
  const keys = sentKeys.map((k) => ({ name: k.name, secret: encryption.SecretKey.fromKeyObject(k.key, k.name) }))
  return 'aesgcm' in provider ? { aesgcm: { keys } } : { aesgcmHkdf: { keys } }
}

/** @type {{ resources: Array<{ prefixes: Array<string | Uint8Array>, providers: SentProvider[] }> }} */
const sent = workerData.config
const transformer = encryption.createTransformer({
  resources: sent.resources.map((r) => ({ prefixes: r.prefixes, providers: r.providers.map(rebuildProvider) })),
})

/**
 * Re-seals a slice. An encryption error stops the slice and is sent back as data (its class,
 * storage key and reason): an Error crossing the thread boundary would arrive as a plain Error.
 * Anything else (a bug) is thrown as it is.
 * @param {{ items: Item[] }} task
 * @returns {{ sealed: Array<Uint8Array | null>, failure?: { kind: 'decrypt' | 'encrypt', key: Uint8Array, reason: string } }}
 */
export default function reseal(task) {
  /** @type {Array<Uint8Array | null>} */
  const sealed = []
  for (const item of task.items) {
    try {
      const { value, stale } = transformer.fromStorage(item.key, item.stored)
      sealed.push(stale ? transformer.toStorage(item.key, value) : null)
    } catch (err) {
      if (err instanceof encryption.DecryptError) return { sealed, failure: { kind: 'decrypt', key: item.key, reason: err.reason } }
      if (err instanceof encryption.EncryptError) return { sealed, failure: { kind: 'encrypt', key: item.key, reason: err.reason } }
      throw err
    }
  }
  return { sealed }
}
