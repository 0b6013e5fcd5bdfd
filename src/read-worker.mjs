// @ts-check
// piscina worker for read-pool.ts: a read-only Store of its own on the database file (SQLite WAL
// lets any number of readers run beside the writer), answering range requests off the main
// thread: the SQL and the decryption happen here, the main thread only decodes what it needs.
// Plain JavaScript: a worker does not inherit the TypeScript loader, so it registers tsx itself.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { openStore } = await import('./open-store.ts')
const encryption = await import('./encryption/index.ts')
const { CompactedError, FutureRevisionError, StorageError } = await import('./util/index.ts')

/** @typedef {{ name: string, key: import('node:crypto').KeyObject }} SentKey */
/** @typedef {{ identity: Record<string, never> } | { aesgcm: { keys: SentKey[] } } | { aesgcmHkdf: { keys: SentKey[] } }} SentProvider */

/** @param {SentProvider} provider */
function rebuildProvider(provider) {
  if ('identity' in provider) return { identity: {} }
  const sentKeys = 'aesgcm' in provider ? provider.aesgcm.keys : provider.aesgcmHkdf.keys
  const keys = sentKeys.map((k) => ({ name: k.name, secret: encryption.SecretKey.fromKeyObject(k.key, k.name) }))
  return 'aesgcm' in provider ? { aesgcm: { keys } } : { aesgcmHkdf: { keys } }
}

/** @type {{ path: string, config?: { resources: Array<{ prefixes: Array<string | Uint8Array>, providers: SentProvider[] }> } }} */
const data = workerData
const transformer =
  data.config === undefined
    ? undefined
    : encryption.createTransformer({ resources: data.config.resources.map((r) => ({ prefixes: r.prefixes, providers: r.providers.map(rebuildProvider) })) })
const store = await openStore({ path: data.path, readOnly: true, checkpointThread: false, ...(transformer === undefined ? {} : { transformer }) })

/**
 * One range. A StorageError is sent back as data (code and message): an Error crossing the thread
 * boundary arrives as a plain Error and loses its class. 'exit' ends this thread mid-task (fault
 * tests: a worker that dies answers only its own read with an error, and piscina replaces it).
 * @param {{ op: 'range', request: import('./mvcc/index.ts').RangeRequest } | { op: 'exit' }} task
 */
export default async function read(task) {
  if (task.op === 'exit') process.exit(1)
  try {
    return { ok: await store.range(task.request) }
  } catch (err) {
    if (err instanceof CompactedError) return { error: { code: err.code, message: err.message, compacted: [err.revision, err.compactRevision] } }
    if (err instanceof FutureRevisionError) return { error: { code: err.code, message: err.message, future: [err.revision, err.currentRevision] } }
    if (err instanceof StorageError) return { error: { code: err.code, message: err.message } }
    throw err
  }
}
