// Key rotation, the rewrite half: every live value whose stored form is not under the current
// first encryption key (reads report it `stale`) is written again, so the old key can be retired.
// Like Kubernetes' storage migration, each rewrite is a put: a new revision, a MODIFIED-style
// event with unchanged content. Each one is a compare-and-swap on the modRevision that was read,
// so a concurrent update wins (it already wrote under the current key) and nothing is lost.
// Keys are visited in order in bounded batches; the rewrites of one batch are submitted together
// and commit as one group. Nothing is persisted: after a crash, run it again; values already
// rewritten are no longer stale and are skipped.
import { InvalidArgumentError, StorageError, prefixEnd } from '../util/index.js'
import type { KeyValue, RangeRequest, TxnResponse } from './types.js'

export interface ReencryptOptions {
  /** Only keys under this prefix; default every key. */
  prefix?: string | Uint8Array
  /** Keys read per batch (default 256). */
  batchKeys?: number
  signal?: AbortSignal
  onProgress?: (progress: ReencryptProgress) => void
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
}

const BATCH_KEYS_DEFAULT = 256
const BATCH_KEYS_MAX = 10_000

export async function reencrypt(store: ReencryptTarget, options: ReencryptOptions = {}): Promise<ReencryptProgress> {
  const batchKeys = options.batchKeys ?? BATCH_KEYS_DEFAULT
  if (!Number.isSafeInteger(batchKeys) || batchKeys < 1 || batchKeys > BATCH_KEYS_MAX) {
    throw new InvalidArgumentError(`mvcc: reencrypt batchKeys must be in [1, ${BATCH_KEYS_MAX}], got ${String(batchKeys)}`)
  }
  const prefix = options.prefix === undefined || options.prefix.length === 0 ? Buffer.from([0]) : Buffer.from(options.prefix)
  const end = options.prefix === undefined || options.prefix.length === 0 ? Buffer.from([0]) : prefixEnd(prefix)
  const progress: ReencryptProgress = { scanned: 0, rewritten: 0, raced: 0 }
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
