// Worker threads for store.reencrypt (issue 3): a piscina pool that re-seals stored values
// (decrypt, and if stale encrypt under the current key) off the main thread. Pass it as
// `store.reencrypt({ resealer: pool })`; the store reads pages as stored and writes each result
// unchanged with a CAS. The workers rebuild the transformer from the same EncryptionConfig: its
// keys travel as node:crypto KeyObjects (cloneable), so a config with a kms provider, whose
// KeyEncryptionService is not cloneable, is refused.
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import { createTransformer, DecryptError, EncryptError, type EncryptionConfig, type NamedKey, type ProviderConfig } from './encryption/index.js'
import type { Resealer, StoredItem } from './mvcc/index.js'
import { InvalidArgumentError } from './util/index.js'

export interface ResealPoolOptions {
  /** Worker threads (default 2). */
  threads?: number
}

export interface ResealPool extends Resealer {
  readonly threads: number
  /** Stops the workers; reseal() fails afterwards. */
  close(): Promise<void>
}

type SentKey = { name: string; key: ReturnType<NamedKey['secret']['keyObject']> }
type SentProvider = { identity: Record<string, never> } | { aesgcm: { keys: SentKey[] } } | { aesgcmHkdf: { keys: SentKey[] } }

const sendKeys = (keys: readonly NamedKey[]): SentKey[] => keys.map((k) => ({ name: k.name, key: k.secret.keyObject() }))

function sendProvider(provider: ProviderConfig, at: string): SentProvider {
  if ('kms' in provider) {
    throw new InvalidArgumentError(
      `reseal pool: ${at} is a kms provider (${provider.kms.name}); its key service cannot be sent to worker threads: reencrypt without a resealer`,
    )
  }
  if ('aesgcm' in provider) return { aesgcm: { keys: sendKeys(provider.aesgcm.keys) } }
  if ('aesgcmHkdf' in provider) return { aesgcmHkdf: { keys: sendKeys(provider.aesgcmHkdf.keys) } }
  return { identity: {} }
}

/** The configuration as a worker thread can receive it (keys as KeyObjects); validates it first. Also used by read-pool.ts. */
export function sendEncryptionConfig(config: EncryptionConfig): { resources: Array<{ prefixes: Array<string | Buffer>; providers: SentProvider[] }> } {
  createTransformer(config) // validates, with the layer's own messages
  return {
    resources: config.resources.map((r, i) => ({
      prefixes: r.prefixes.map((p) => (typeof p === 'string' ? p : Buffer.from(p))),
      providers: r.providers.map((p, j) => sendProvider(p, `resources[${i}].providers[${j}]`)),
    })),
  }
}

/** What reseal-worker.mjs answers for a slice: the values it re-sealed, and the encryption error that stopped it. */
interface SliceResult {
  sealed: Array<Uint8Array | null>
  failure?: { kind: 'decrypt' | 'encrypt'; key: Uint8Array; reason: string }
}

/** The error a worker reported, rebuilt with its class (an Error crossing threads loses it). */
function rebuildFailure(failure: NonNullable<SliceResult['failure']>): DecryptError | EncryptError {
  return failure.kind === 'decrypt' ? new DecryptError(failure.key, failure.reason) : new EncryptError(failure.key, failure.reason)
}

/** The smallest slice of a batch worth a message of its own. */
const SLICE_MIN = 32

export function createResealPool(config: EncryptionConfig, options: ResealPoolOptions = {}): ResealPool {
  const threads = options.threads ?? 2
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > Math.max(64, availableParallelism())) {
    throw new InvalidArgumentError(`reseal pool: threads must be in [1, ${Math.max(64, availableParallelism())}], got ${String(threads)}`)
  }
  const sent = sendEncryptionConfig(config)
  const pool = new Piscina({
    filename: new URL('./reseal-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: { config: sent },
  })
  let closed = false
  return {
    threads,
    async reseal(items: StoredItem[]): Promise<Array<Uint8Array | null>> {
      if (closed) throw new InvalidArgumentError('reseal pool: closed')
      // A page is split across the threads, so one page keeps them all busy.
      const slice = Math.max(SLICE_MIN, Math.ceil(items.length / threads))
      const tasks: Array<Promise<SliceResult>> = []
      for (let i = 0; i < items.length; i += slice) tasks.push(pool.run({ items: items.slice(i, i + slice) }) as Promise<SliceResult>)
      const results = await Promise.all(tasks)
      for (const r of results) if (r.failure !== undefined) throw rebuildFailure(r.failure)
      return results.flatMap((r) => r.sealed)
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      await pool.destroy()
    },
  }
}
