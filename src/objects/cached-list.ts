// Reads served from the watch cache's current state, as Kubernetes' cacher serves them
// (../shared/reference/kubernetes-storage.md 1.5, 2.3, and KEP-2340 consistent reads; see
// docs/read-path.md):
//  - resourceVersion "0" (any) and "not older than N": the cache's state at its revision;
//  - "" (consistent): the cache's state once it has reached the store's current revision (Store
//    learns it first), else the store;
//  - an exact revision and continue pages: the state at that revision, rebuilt from the current
//    state and the ring (state-at.ts in the cache), when the ring still covers it, else the store.
//
// limit: ignored for "0", as Kubernetes does; otherwise the page ends after `limit` matching items
// with a continue token pinned at the revision read, so the next pages read that same revision,
// from the cache while its ring covers it and from the store otherwise; both give the store's
// state at that revision, so the pages form one consistent list.
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
  /** Items per page; 0: all. */
  limit: number
  keep: ((object: KubeObject) => boolean) | undefined
}

/** The list from the cache; undefined when the cache cannot answer it (read the store instead). */
export async function listFromCache(read: CacheRead, decoder: SharedDecoder, request: CachedRangeRequest, scan: CachedListScan): Promise<ListResult | undefined> {
  const r = await readCache(read, request)
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
