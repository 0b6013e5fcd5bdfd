// Lists served from the watch cache's current state, as Kubernetes' cacher serves them
// (../shared/reference/kubernetes-storage.md 1.5, 2.3): resourceVersion "0" (any) and "not older
// than N" read the cache's state of the prefix instead of ranging the store, and answer at the
// cache's revision. Exact reads, continue pages and "" (consistent) stay on the store (list.ts).
//
// limit: ignored for "0", as Kubernetes does; honoured for "not older than N": the page ends
// after `limit` matching items with a continue token pinned at the cache's revision, so the next
// pages are exact reads of the store at that revision (Kubernetes without cache snapshots
// delegates continue pages to etcd the same way). The state at the cache's revision equals the
// store at that revision, so the pages form one consistent list.
//
// Decoding: the state hands out the same frozen KeyValue for a key until the key changes, so a
// WeakMap from it to its decoded, deeply frozen object decodes each version once however often it
// is listed; the entry lives exactly as long as the cache keeps that version.
import type { KubeObject, ObjectCodec } from '../codec/index.js'
import type { KeyValue } from '../mvcc/index.js'
import { CacheTooOldError, type CachedRange, type CachedRangeRequest } from '../watchcache/index.js'
import { encodeContinue } from './continue-token.js'
import { TooLargeResourceVersionError } from './errors.js'
import { deepFreeze } from './object-data.js'
import type { ListResult } from './types.js'

/** Decoded objects of cached versions, shared by every read that returns them. */
export class SharedDecoder {
  // The object each cached version decodes to; frozen, so readers cannot change each other's.
  private readonly byKv = new WeakMap<KeyValue, KubeObject>()

  constructor(private readonly codec: ObjectCodec) {}

  object(kv: KeyValue): KubeObject {
    let object = this.byKv.get(kv)
    if (object === undefined) {
      object = deepFreeze(this.codec.decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision }))
      this.byKv.set(kv, object)
    }
    return object
  }
}

export type CacheRead = (request: CachedRangeRequest) => Promise<CachedRange | undefined>

/** Reads the cache, turning "the cache did not get there in time" into the object layer's 504. */
export async function readCache(read: CacheRead, request: CachedRangeRequest): Promise<CachedRange | undefined> {
  try {
    return await read(request)
  } catch (err) {
    if (err instanceof CacheTooOldError) throw new TooLargeResourceVersionError(err.revision, err.cacheRevision, { cause: err })
    throw err
  }
}

export interface CachedListScan {
  keyPrefix: string
  rangeEnd: Buffer
  notOlderThan: number
  /** Items per page; 0: all. */
  limit: number
  keep: ((object: KubeObject) => boolean) | undefined
}

/** The list from the cache; undefined when the cache keeps no state (read the store instead). */
export async function listFromCache(read: CacheRead, decoder: SharedDecoder, scan: CachedListScan): Promise<ListResult | undefined> {
  const r = await readCache(read, { key: scan.keyPrefix, rangeEnd: scan.rangeEnd, notOlderThan: scan.notOlderThan })
  if (r === undefined) return undefined
  const items: KubeObject[] = []
  let i = 0
  for (; i < r.kvs.length; i++) {
    if (scan.limit > 0 && items.length >= scan.limit) break
    const object = decoder.object(r.kvs[i] as KeyValue)
    if (scan.keep === undefined || scan.keep(object)) items.push(object)
  }
  const result: ListResult = { items, resourceVersion: String(r.revision) }
  const last = r.kvs[i - 1]
  if (i < r.kvs.length && last !== undefined) {
    const lastKey = Buffer.from(last.key.buffer, last.key.byteOffset, last.key.byteLength).toString('utf8')
    result.continue = encodeContinue(`${lastKey}\0`, scan.keyPrefix, r.revision)
    // As on the store path: the count is exact only without selectors.
    if (scan.keep === undefined) result.remainingItemCount = r.kvs.length - i
  }
  return result
}
