// Kubernetes GetList over the key-value store (apiserver pkg/storage/etcd3/store.go GetList): pick the
// read revision, read pages pinned to one revision, filter by selectors, and cut a continue token.
// With selectors the store cannot filter, so pages are read, doubling in size up to pageRowsMax,
// until `limit` items match or the range ends. Lists that accept a cached answer ("0", not older
// than N) are served from the watch cache when the source has one (cached-list.ts).
import type { KubeObject } from '../codec/index.js'
import type { KeyValue, RangeRequest, RangeResponse } from '../mvcc/index.js'
import { CompactedError, FutureRevisionError, InvalidArgumentError, prefixEnd, ReadSlicer, describeValue } from '../util/index.js'
import type { CachedRangeRequest } from '../watchcache/index.js'
import { type CacheRead, listFromCache, type SharedDecoder } from './cached-list.js'
import { type ContinuePoint, decodeContinue, encodeContinue } from './continue-token.js'
import { ExpiredError, InternalObjectError, TooLargeResourceVersionError } from './errors.js'
import { FieldSelector } from './field-selector.js'
import { prepareKey } from './keys.js'
import { LabelSelector } from './label-selector.js'
import { type ListRead, planListRead } from './resource-version.js'
import type { ListOptions, ListResult, ObjectKv } from './types.js'

/** Largest page read while selectors drop items (Kubernetes maxLimit). */
export const pageRowsMax = 10_000

export interface ListSource {
  kv: ObjectKv
  decode(kv: KeyValue): KubeObject
  /** The watch cache, if the store has one, and the decoder of the objects it serves. */
  cache?: { read: CacheRead; decoder: SharedDecoder } | undefined
  /** Longest synchronous slice of a store read (limits.readSliceMs). */
  sliceMs: number
  /** Reads the pages instead of kv.range (a ReadPool: on worker threads). */
  range?: ((request: RangeRequest) => Promise<RangeResponse>) | undefined
}

/** A read of the list's range: where it starts, at which revision (0: latest) and how much is wanted. */
interface ListScan {
  keyPrefix: string
  rangeEnd: Buffer
  start: string
  revision: number
  /** Items wanted; 0: all. */
  limit: number
  keep: ((object: KubeObject) => boolean) | undefined
}

export async function listObjects(source: ListSource, prefix: string, options: ListOptions = {}): Promise<ListResult> {
  const keyPrefix = prepareKey(prefix, true)
  const limit = options.limit ?? 0
  if (!Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError(`objects: limit must be a non-negative integer, got ${describeValue(limit)}`)
  const labels = LabelSelector.parse(options.labelSelector ?? '')
  const fields = FieldSelector.parse(options.fieldSelector ?? '')
  const plan = planListRead(options)
  const scan: ListScan = {
    keyPrefix,
    rangeEnd: prefixEnd(Buffer.from(keyPrefix, 'utf8')),
    start: keyPrefix,
    revision: plan.exact,
    limit,
    keep: labels.empty && fields.empty ? undefined : (o) => labels.matches(o.metadata.labels) && fields.matches(o),
  }
  const point = hasContinueToken(options) ? decodeContinue(options.continue, keyPrefix) : undefined
  const cache = source.cache
  if (cache !== undefined) {
    const request = cacheRequest(source.kv, scan, plan, options, point)
    // Kubernetes ignores limit for "0" (any): the whole current state, in one page.
    const pageLimit = options.resourceVersion === '0' ? 0 : limit
    const fromCache = request === undefined ? undefined : await listFromCache(cache.read, cache.decoder, request, { ...scan, limit: pageLimit })
    if (fromCache !== undefined) return fromCache
  }
  if (point !== undefined) {
    scan.start = point.start
    scan.revision = point.revision > 0 ? point.revision : 0 // -1: an inconsistent continue, at the latest
  }
  const continueKey = point?.start
  try {
    const result = await readPages(source, scan, new ReadSlicer(source.sliceMs))
    // Kubernetes checks "not older than" against the revision actually read, so no race is possible.
    const readAt = Number(result.resourceVersion)
    if (plan.notOlderThan > readAt) throw new TooLargeResourceVersionError(plan.notOlderThan, readAt)
    return result
  } catch (err) {
    if (err instanceof CompactedError) throw expired(err, continueKey, keyPrefix)
    if (err instanceof FutureRevisionError) throw new TooLargeResourceVersionError(err.revision, err.currentRevision, { cause: err })
    throw err
  }
}

/**
 * The store path: ranges pinned to one revision, each sized by `slicer` to take about readSliceMs,
 * yielding to the event loop between slices, so a list of 10k objects never stalls the process.
 * With a limit, reading stops once `limit` items matched (selectors may need more rows).
 */
async function readPages(source: ListSource, scan: ListScan, slicer: ReadSlicer): Promise<ListResult> {
  const items: KubeObject[] = []
  const paging = scan.limit > 0
  let start = scan.start
  let readAt = scan.revision
  let lastKey: Uint8Array | undefined
  let more = false
  // Keys after the last item returned, as of the last range read (exact without selectors).
  let remaining = 0
  // Rows wanted by a page: limit, doubling (up to pageRowsMax) while selectors drop items.
  let want = scan.limit
  for (;;) {
    const rows = paging ? Math.min(want, slicer.pageRows) : slicer.pageRows
    // Unpaged, nothing needs the count: skipping it keeps a walk of many slices linear.
    const r = await (source.range ?? source.kv.range.bind(source.kv))({ key: start, rangeEnd: scan.rangeEnd, revision: readAt, limit: rows, ...(paging ? {} : { withoutCount: true }) })
    // Later pages read at the first page's revision, so the whole list is one snapshot.
    if (readAt === 0) readAt = r.revision
    more = r.more
    if (r.kvs.length === 0 && r.more) throw new InternalObjectError('no results were found, but the store indicated there were more values remaining')
    let used = 0
    for (const kv of r.kvs) {
      if (paging && items.length >= scan.limit) {
        more = true
        break
      }
      used++
      lastKey = kv.key
      const object = source.decode(kv)
      if (scan.keep === undefined || scan.keep(object)) items.push(object)
    }
    remaining = r.count - used
    if (!more || (paging && items.length >= scan.limit)) break
    start = `${keyText(lastKey)}\0`
    if (want < pageRowsMax) want = Math.min(want * 2, pageRowsMax)
    await slicer.pageDone(used)
  }
  const result: ListResult = { items, resourceVersion: String(readAt) }
  if (paging && more && lastKey !== undefined) {
    result.continue = encodeContinue(`${keyText(lastKey)}\0`, scan.keyPrefix, readAt)
    // Without selectors the count covers exactly the items not yet returned.
    if (scan.keep === undefined) result.remainingItemCount = remaining
  }
  return result
}

function hasContinueToken(options: ListOptions): options is ListOptions & { continue: string } {
  return options.continue !== undefined && options.continue !== ''
}

/**
 * What to ask the watch cache for, if anything: "" a consistent read, an exact revision or a
 * continue page the state at that revision (the store answers compacted or future revisions
 * itself, with their own errors), "0" and "not older than N" the current state.
 */
function cacheRequest(kv: ObjectKv, scan: ListScan, plan: ListRead, options: ListOptions, point: ContinuePoint | undefined): CachedRangeRequest | undefined {
  const range = { key: scan.keyPrefix, rangeEnd: scan.rangeEnd }
  if (point !== undefined) {
    const from = { ...range, key: point.start }
    if (point.revision < 0) return { ...from, consistent: true }
    return point.revision >= kv.compactRevision ? { ...from, revision: point.revision } : undefined
  }
  if (plan.exact > 0) return plan.exact >= kv.compactRevision && plan.exact <= kv.revision ? { ...range, revision: plan.exact } : undefined
  if (options.resourceVersion === undefined || options.resourceVersion === '') return { ...range, consistent: true }
  return { ...range, notOlderThan: plan.notOlderThan }
}

/** Keys under an object prefix are the strings create wrote, so UTF-8 round-trips them. */
function keyText(key: Uint8Array | undefined): string {
  if (key === undefined) throw new InternalObjectError('a page ended without a last key')
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8')
}

function expired(err: CompactedError, continueKey: string | undefined, keyPrefix: string): ExpiredError {
  if (continueKey === undefined) return new ExpiredError(`the resourceVersion for the provided list is too old (revision ${err.revision}, compacted up to ${err.compactRevision})`, undefined, { cause: err })
  return new ExpiredError(
    'the provided continue parameter is too old to display a consistent list result. You can start a new list without the ' +
      'continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing ' +
      'with the provided token results in an inconsistent list - objects that were created, modified, or deleted between ' +
      'the time the first chunk was returned and now may show up in the list.',
    encodeContinue(continueKey, keyPrefix, -1),
    { cause: err },
  )
}
