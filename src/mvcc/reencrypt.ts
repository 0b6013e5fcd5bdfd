// Key rotation, the rewrite half: every live value whose stored form is not under the current
// first encryption key (reads report it `stale`) is written again, so the old key can be retired.
// Like Kubernetes' storage migration, each rewrite is a put: a new revision, a MODIFIED-style
// event with unchanged content. Each one is a compare-and-swap on the modRevision that was read,
// so a concurrent update wins (it already wrote under the current key) and nothing is lost.
// Keys are visited in order in bounded batches; the rewrites of one batch are submitted together
// and commit as one group. Nothing is persisted: after a crash, run it again; values already
// rewritten are no longer stale and are skipped.
// With a Resealer (e.g. a pool of worker threads, see src/reseal-pool.ts) the crypto leaves the
// main thread: pages are read as stored (not decrypted), the resealer returns the new stored form
// of each stale value (null: not stale), and each is written AS STORED with the same CAS.
import { InvalidArgumentError, StorageError, prefixEnd, describeValue } from '../util/index.js'
import type { KeyValue, RangeRequest, TxnResponse } from './types.js'

export interface ReencryptOptions {
  /** Only keys under this prefix; default every key. */
  prefix?: string | Uint8Array
  /** Keys read per batch (default 256). */
  batchKeys?: number
  signal?: AbortSignal
  onProgress?: (progress: ReencryptProgress) => void
  /** Does the decrypt + re-encrypt elsewhere (worker threads); default: on this thread. */
  resealer?: Resealer
}

/** A value as stored (encrypted), for a resealer. */
export interface StoredItem {
  key: Uint8Array
  stored: Uint8Array
}

/**
 * Re-seals stored values: for each item, null when it is not stale (leave it), otherwise the
 * bytes to store for the same plaintext under the current key. Must use the store's configuration.
 */
export interface Resealer {
  reseal(items: StoredItem[]): Promise<Array<Uint8Array | null>>
}

/** A live key's row as stored, read without decrypting. */
export interface StoredRow {
  key: Buffer
  stored: Buffer
  modRevision: number
}

export interface ReencryptProgress {
  /** Live keys looked at so far. */
  scanned: number
  /** Values rewritten under the current key. */
  rewritten: number
  /** Stale values that changed before they could be rewritten (the newer write is current). */
  raced: number
}

/** What reencrypt needs from the store. */
export interface ReencryptTarget {
  range(request: RangeRequest): Promise<{ kvs: KeyValue[]; more: boolean }>
  txn(request: {
    compare: Array<{ key: Uint8Array; target: 'MOD'; result: 'EQUAL'; value: number }>
    success: Array<{ put: { key: Uint8Array; value: Uint8Array; lease: number } }>
  }): Promise<TxnResponse>
  /** Live keys in [key, rangeEnd) with their values as stored; at most limit rows. */
  storedRange(request: { key: Buffer; rangeEnd: Buffer; limit: number }): Promise<{ rows: StoredRow[]; more: boolean }>
  /** Writes stored bytes unchanged as a new revision of key if its modRevision is still the one given. */
  rewriteStored(item: { key: Buffer; stored: Uint8Array; modRevision: number }): Promise<boolean>
}

const BATCH_KEYS_DEFAULT = 256
const BATCH_KEYS_MAX = 10_000

export async function reencrypt(store: ReencryptTarget, options: ReencryptOptions = {}): Promise<ReencryptProgress> {
  const batchKeys = options.batchKeys ?? BATCH_KEYS_DEFAULT
  if (!Number.isSafeInteger(batchKeys) || batchKeys < 1 || batchKeys > BATCH_KEYS_MAX) {
    throw new InvalidArgumentError(`mvcc: reencrypt batchKeys must be in [1, ${BATCH_KEYS_MAX}], got ${describeValue(batchKeys)}`)
  }
  const prefix = options.prefix === undefined || options.prefix.length === 0 ? Buffer.from([0]) : Buffer.from(options.prefix)
  const end = options.prefix === undefined || options.prefix.length === 0 ? Buffer.from([0]) : prefixEnd(prefix)
  const progress: ReencryptProgress = { scanned: 0, rewritten: 0, raced: 0 }
  if (options.resealer !== undefined) return reencryptStored(store, options.resealer, options, batchKeys, prefix, end)
  let from: Buffer = prefix
  for (;;) {
    if (options.signal?.aborted === true) {
      throw new StorageError('Timeout', `mvcc: reencrypt aborted after ${progress.scanned} keys`, { cause: options.signal.reason })
    }
    const page = await store.range({ key: from, rangeEnd: end, limit: batchKeys })
    const stale = page.kvs.filter((kv) => kv.stale === true)
    const results = await Promise.all(
      stale.map((kv) =>
        store.txn({
          compare: [{ key: kv.key, target: 'MOD', result: 'EQUAL', value: kv.modRevision }],
          success: [{ put: { key: kv.key, value: kv.value, lease: kv.lease } }],
        }),
      ),
    )
    progress.scanned += page.kvs.length
    for (const r of results) {
      if (r.succeeded) progress.rewritten++
      else progress.raced++
    }
    options.onProgress?.({ ...progress })
    const last = page.kvs[page.kvs.length - 1]
    if (!page.more || last === undefined) return progress
    // The next key after `last` in byte order: last + 0x00.
    from = Buffer.concat([Buffer.from(last.key), Buffer.from([0])])
  }
}

async function reencryptStored(
  store: ReencryptTarget,
  resealer: Resealer,
  options: ReencryptOptions,
  batchKeys: number,
  prefix: Buffer,
  end: Buffer,
): Promise<ReencryptProgress> {
  const progress: ReencryptProgress = { scanned: 0, rewritten: 0, raced: 0 }
  let from: Buffer = prefix
  for (;;) {
    if (options.signal?.aborted === true) {
      throw new StorageError('Timeout', `mvcc: reencrypt aborted after ${progress.scanned} keys`, { cause: options.signal.reason })
    }
    const page = await store.storedRange({ key: from, rangeEnd: end, limit: batchKeys })
    const sealed = await resealer.reseal(page.rows.map((r) => ({ key: r.key, stored: r.stored })))
    if (sealed.length !== page.rows.length) {
      throw new StorageError('InternalError', `mvcc: reencrypt resealer returned ${sealed.length} values for ${page.rows.length}`)
    }
    const writes: Array<Promise<boolean>> = []
    page.rows.forEach((row, i) => {
      const stored = sealed[i]
      if (stored != null) writes.push(store.rewriteStored({ key: row.key, stored, modRevision: row.modRevision }))
    })
    const results = await Promise.all(writes)
    progress.scanned += page.rows.length
    for (const ok of results) {
      if (ok) progress.rewritten++
      else progress.raced++
    }
    options.onProgress?.({ ...progress })
    const last = page.rows[page.rows.length - 1]
    if (!page.more || last === undefined) return progress
    from = Buffer.concat([last.key, Buffer.from([0])])
  }
}
