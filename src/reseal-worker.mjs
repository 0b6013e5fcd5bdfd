// @ts-check
// piscina worker for reseal-pool.ts: rebuilds the store's transformer from the configuration in
// workerData (key material as KeyObjects) and re-seals batches of stored values. Plain JavaScript:
// a worker does not inherit the TypeScript loader, so it registers tsx itself before importing.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const encryption = await import('./encryption/index.ts')

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

/** @param {{ items: Item[] }} task */
export default function reseal(task) {
  return task.items.map((item) => {
    const { value, stale } = transformer.fromStorage(item.key, item.stored)
    return stale ? transformer.toStorage(item.key, value) : null
  })
}
