// Kubernetes' storage.Interface over a key-value store (apiserver pkg/storage/etcd3/store.go):
// objects go through the codec, resourceVersion is the key's modRevision, and every write is a
// compare-and-swap on it (etcd-semantics T9). Reads are served from the watch cache when the store
// has one and the cache can answer (cached-list.ts, docs/read-path.md): "0", not older than N,
// consistent "" (KEP-2340: once the cache reached the store's revision), exact N and continue
// pages (while the ring covers N); the rest, and every read inside a write, go to the store.
import { randomUUID } from 'node:crypto'
import type { KubeObject, KubeObjectInput, ObjectCodec, Stored } from '../codec/index.js'
import type { KeyValue, RangeRequest, RangeResponse, TxnResponse } from '../mvcc/index.js'
import type { CachedRangeRequest } from '../watchcache/index.js'
import { assert, bytesEqual, defaultLimits, FutureRevisionError, InvalidArgumentError, LeaseNotFoundError, prefixEnd, type Clock, describeValue } from '../util/index.js'
import { AlreadyExistsError, ConflictError, InternalObjectError, NotFoundError, TooLargeResourceVersionError } from './errors.js'
import { prepareKey } from './keys.js'
import { LeaseManager } from './lease-manager.js'
import { type CacheRead, readCache, SharedDecoder } from './cached-list.js'
import { listObjects, type ListSource } from './list.js'
import { deepFreeze, forCreate, forUpdate } from './object-data.js'
import { ObjectWatcher } from './object-watcher.js'
import { parseResourceVersion } from './resource-version.js'
import { EventDecoder } from './watch-events.js'
import { planWatch } from './watch-plan.js'
import * as checks from './entry-checks.js'
import type {
  CreateOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  ObjectKv,
  ObjectReadPathStats,
  ObjectStoreOptions,
  ObjectWatchOptions,
  Preconditions,
  TryUpdate,
  TryUpsert,
  UpdateOptions,
} from './types.js'

/** What a write loop knows about the stored object: its row (plaintext, modRevision, stale) and the decoded object. */
interface State {
  kv: KeyValue
  object: KubeObject
}

export class ObjectStore {
  private readonly kv: ObjectKv
  private readonly codec: ObjectCodec
  private readonly clock: Clock
  private readonly newUid: () => string
  // Shared by this store's watchers, so an event they all receive is decoded once.
  private readonly decoder: EventDecoder
  // Leases for creates with ttlSeconds, shared between objects of one TTL.
  private readonly leases: LeaseManager
  // The watch cache's reads, when the store has a cache; objects they return are decoded once.
  private readonly cache: { read: CacheRead; decoder: SharedDecoder } | undefined
  // Longest synchronous slice of a store-path list, and where its pages are read (worker threads).
  private readonly sliceMs: number
  private readonly storeRange: ((request: RangeRequest) => Promise<RangeResponse>) | undefined
  // Gets answered by the cache / the store, and lists answered; each only grows.
  private readonly served = { cache: 0, store: 0, lists: 0 }

  constructor(options: ObjectStoreOptions) {
    this.kv = options.kv
    this.codec = options.codec
    this.clock = options.clock
    this.newUid = options.uid ?? randomUUID
    this.sliceMs = options.readSliceMs ?? defaultLimits.readSliceMs
    this.storeRange = options.storeRange
    this.decoder = new EventDecoder(options.codec)
    this.leases = new LeaseManager(options.kv, options.clock)
    const kv = this.kv
    const rangeFromCache = kv.rangeFromCache
    this.cache = rangeFromCache === undefined ? undefined : { read: (r) => rangeFromCache.call(kv, r), decoder: new SharedDecoder(options.codec) }
  }

  /** The store's current revision as a resourceVersion (Kubernetes GetCurrentResourceVersion). */
  currentResourceVersion(): string {
    return String(this.kv.revision)
  }

  /** Reads below it answer Expired (Kubernetes CompactRevision). */
  get compactRevision(): number {
    return this.kv.compactRevision
  }

  /**
   * Stores a new object: AlreadyExists if the key is taken. Sets metadata.uid, creationTimestamp
   * and generation 1; with ttlSeconds the object is attached to a lease and expires with it (the
   * lease is shared with other objects of that TTL, so it may live up to 5 % (at most 60 s)
   * longer: lease-manager.ts). Returns the object as stored, with its resourceVersion.
   */
  async create<T extends KubeObjectInput>(key: string, object: T, given: CreateOptions = {}): Promise<Stored<T>> {
    const options = checks.createOptions(given, 'create options')
    const k = prepareKey(key, false)
    const ttl = options.ttlSeconds
    if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl <= 0)) throw new InvalidArgumentError(`objects: ttlSeconds must be a positive integer, got ${describeValue(ttl)}`)
    const stored = forCreate(object, this.newUid(), this.clock.now())
    const value = this.codec.encode(stored)
    // The object a get would return, copied now (before any await) rather than decoded later.
    const created = this.codec.decodedCopy(stored)
    for (let attempt = 0; ; attempt++) {
      const lease = ttl === undefined ? 0 : await this.leases.leaseFor(ttl)
      let r: TxnResponse
      try {
        r = await this.kv.txn({
          compare: [{ key: k, target: 'MOD', result: 'EQUAL', value: 0 }],
          success: [{ put: { key: k, value, lease } }],
        })
      } catch (err) {
        // The shared lease was revoked by someone else since it was granted: grant a new one, once.
        if (err instanceof LeaseNotFoundError && lease !== 0 && attempt === 0) {
          this.leases.forget(lease)
          continue
        }
        throw err
      }
      if (!r.succeeded) throw new AlreadyExistsError(k)
      created.metadata.resourceVersion = String(r.revision)
      // decodedCopy is what decode(encode(object)) gives: the caller's fields, plus the ones set above.
      return created as Stored<T>
    }
  }

  /**
   * "" (or absent) reads the latest (linearizable), "0" any version, "N" the object as of revision
   * N: Expired if N is compacted, Timeout if the store has not reached N. When the store has a
   * watch cache, each is answered from it where it can be (docs/read-path.md): the object is then
   * deeply frozen and shared, copy it to change it.
   * A missing key is NotFound, or undefined with ignoreNotFound.
   */
  get(key: string, options: GetOptions & { ignoreNotFound: true }): Promise<KubeObject | undefined>
  get(key: string, options?: GetOptions & { ignoreNotFound?: false }): Promise<KubeObject>
  get(key: string, options?: GetOptions): Promise<KubeObject | undefined>
  async get(key: string, given: GetOptions = {}): Promise<KubeObject | undefined> {
    const options = checks.getOptions(given, 'get options')
    const k = prepareKey(key, false)
    const revision = parseResourceVersion(options.resourceVersion)
    const request = this.cache === undefined ? undefined : this.cachedGet(k, options.resourceVersion, revision)
    if (this.cache !== undefined && request !== undefined) {
      const r = await readCache(this.cache.read, request)
      if (r !== undefined) {
        this.served.cache++
        const kv = r.kvs[0]
        if (kv !== undefined) return this.cache.decoder.object(kv)
        if (options.ignoreNotFound === true) return undefined
        throw new NotFoundError(k)
      }
    }
    this.served.store++
    const kv = await this.read(k, revision)
    if (kv !== undefined) return this.decode(kv)
    if (options.ignoreNotFound === true) return undefined
    throw new NotFoundError(k)
  }

  /**
   * Objects under `prefix` (a '/' is added): see docs/objects.md for resourceVersion, paging and
   * selectors, and docs/read-path.md for where each list is served from. Items served from the
   * watch cache (as most are) are deeply frozen and shared: copy one to change it.
   */
  async list(prefix: string, given: ListOptions = {}): Promise<ListResult> {
    const options = checks.listOptions(given, 'list options')
    const source: ListSource = { kv: this.kv, decode: (kv) => this.decode(kv), cache: this.cache, sliceMs: this.sliceMs, range: this.storeRange }
    const result = await listObjects(source, prefix, options)
    this.served.lists++
    return result
  }

  /**
   * The read path's figures (docs/read-path.md), for the API server's /metrics: gets answered by
   * the cache or the store, the cache's hits, fallbacks by reason and waits, and the event loop's
   * delay (both from the Store; absent over an ObjectKv without readPathStats). reset clears the
   * event-loop histogram after reading it.
   */
  readPathStats(options: { reset?: boolean } = {}): ObjectReadPathStats {
    const below = this.kv.readPathStats?.(options)
    return { gets: { cache: this.served.cache, store: this.served.store }, lists: this.served.lists, cache: below?.cache, eventLoopDelay: below?.eventLoopDelay }
  }

  /** Which cached read a get is, if any: "" consistent, "0" any, "N" exact (only between compaction and now). */
  private cachedGet(key: string, rv: string | undefined, revision: number): CachedRangeRequest | undefined {
    if (rv === undefined || rv === '') return { key, consistent: true }
    if (rv === '0') return { key }
    return revision >= this.kv.compactRevision && revision <= this.kv.revision ? { key, revision } : undefined
  }

  /** Number of keys under `prefix` (a '/' is added). */
  async count(prefix: string): Promise<number> {
    const keyPrefix = prepareKey(prefix, true)
    const r = await this.kv.range({ key: keyPrefix, rangeEnd: prefixEnd(Buffer.from(keyPrefix, 'utf8')), countOnly: true })
    return r.count
  }

  /**
   * The optimistic-concurrency loop: check preconditions (Conflict), apply tryUpdate to the current
   * object (deeply frozen: return a new object, e.g. `{ ...o, status }`), compare-and-swap on its
   * modRevision; on a lost race take the fresh object the failed txn returned and go again (no
   * retry cap, as Kubernetes). Writes nothing and returns
   * the current object when the encoded bytes are unchanged and the value is not stale. uid and
   * creationTimestamp are kept; generation grows when anything but metadata and status changed;
   * the key's lease is kept.
   */
  guaranteedUpdate(key: string, tryUpdate: TryUpsert, options: UpdateOptions & { ignoreNotFound: true }): Promise<KubeObject>
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, options?: UpdateOptions & { ignoreNotFound?: false }): Promise<KubeObject>
  guaranteedUpdate(key: string, tryUpdate: TryUpsert, options?: UpdateOptions): Promise<KubeObject>
  async guaranteedUpdate(key: string, tryUpdate: TryUpdate | TryUpsert, given: UpdateOptions = {}): Promise<KubeObject> {
    checks.tryUpdate(tryUpdate, 'tryUpdate')
    const options = checks.updateOptions(given, 'update options')
    const k = prepareKey(key, false)
    // Without ignoreNotFound, a missing key throws before tryUpdate runs, so a TryUpdate never sees undefined.
    const update = tryUpdate as TryUpsert
    // Kubernetes' cachedExistingObject: start from the caller's copy and skip the read. Anything
    // that copy decides on its own (a precondition failing, tryUpdate throwing, a no-op) is
    // checked again against the store before it is believed.
    let state = options.cachedExistingObject !== undefined ? this.cachedState(k, options.cachedExistingObject) : await this.readState(k)
    let current = options.cachedExistingObject === undefined
    for (;;) {
      if (state === undefined && options.ignoreNotFound !== true) throw new NotFoundError(k)
      let next: KubeObjectInput
      try {
        checkPreconditions(k, options.preconditions, state?.object)
        // Frozen, not copied (a third of the cost): tryUpdate returns a new object, sharing what it keeps.
        next = await update(state === undefined ? undefined : deepFreeze(state.object))
      } catch (err) {
        if (current) throw err
        ;[state, current] = [await this.readState(k), true]
        continue
      }
      const stored = state === undefined ? forCreate(withoutVersion(next), this.newUid(), this.clock.now()) : forUpdate(state.object, next)
      const value = this.codec.encode(stored)
      // A stale value (under a retired encryption key) is rewritten even when unchanged: that is how re-encryption works.
      if (state !== undefined && state.kv.stale !== true && bytesEqual(value, state.kv.value)) {
        if (current) return this.decode(state.kv)
        ;[state, current] = [await this.readState(k), true]
        continue
      }
      const updated = this.codec.decodedCopy(stored) // before the await: a copy of what was encoded
      const r = await this.kv.txn({
        compare: [{ key: k, target: 'MOD', result: 'EQUAL', value: state?.kv.modRevision ?? 0 }],
        // A cached state does not know the key's lease: keep whatever it is.
        success: [{ put: { key: k, value, ...(current ? { lease: state?.kv.lease ?? 0 } : { ignoreLease: true }) } }],
        failure: [{ range: { key: k } }],
      })
      if (r.succeeded) {
        updated.metadata.resourceVersion = String(r.revision)
        return updated
      }
      ;[state, current] = [this.elseState(r), true]
    }
  }

  /**
   * Deletes with a compare-and-swap on the modRevision; a lost race retries with the fresh object
   * while the preconditions still hold. Returns the last state of the object, with the deletion's
   * revision as resourceVersion (as Kubernetes and its delete watch events do). NotFound if absent.
   */
  async delete(key: string, given: DeleteOptions = {}): Promise<KubeObject> {
    const options = checks.deleteOptions(given, 'delete options')
    const k = prepareKey(key, false)
    let state = await this.readState(k)
    for (;;) {
      if (state === undefined) throw new NotFoundError(k)
      checkPreconditions(k, options.preconditions, state.object)
      const r = await this.kv.txn({
        compare: [{ key: k, target: 'MOD', result: 'EQUAL', value: state.kv.modRevision }],
        success: [{ deleteRange: { key: k } }],
        failure: [{ range: { key: k } }],
      })
      // state.object was decoded for this call and never handed out: reuse it.
      if (r.succeeded) return { ...state.object, metadata: { ...state.object.metadata, resourceVersion: String(r.revision) } }
      state = this.elseState(r)
    }
  }

  /**
   * Kubernetes' watch: ADDED / MODIFIED / DELETED / BOOKMARK / ERROR events with decoded, frozen
   * objects, over the KV watch (see docs/objects.md, Watch). Bad options throw Invalid; a start
   * the store can no longer serve is an ERROR event (410) and the end. Stop with cancel(), by
   * leaving the loop, or with the signal.
   */
  watch(key: string, given: ObjectWatchOptions = {}): ObjectWatcher {
    const options = checks.watchOptions(given, 'watch options')
    const kv = this.kv
    const watch = kv.watch
    if (watch === undefined) throw new InternalObjectError('watch needs an ObjectKv with a watch method (a Store has one); this one has none')
    const plan = planWatch(key, options)
    return new ObjectWatcher({ range: (r) => kv.range(r), watch: (r) => watch.call(kv, r), decoder: this.decoder }, plan, options.signal)
  }

  /**
   * A BOOKMARK, as soon as each is in sync, to every watcher that allows bookmarks (through the
   * store's requestProgress: every KV watcher of the store gets a progress response too).
   */
  requestBookmarks(): void {
    if (this.kv.requestProgress === undefined) throw new InternalObjectError('bookmarks on request need an ObjectKv with requestProgress (a Store has one); this one has none')
    this.kv.requestProgress()
  }

  private decode(kv: KeyValue): KubeObject {
    return this.codec.decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision })
  }

  private async read(key: string, revision: number): Promise<KeyValue | undefined> {
    try {
      // get, not range: the store answers a single-key latest read without opening a read transaction.
      return await this.kv.get(key, { revision })
    } catch (err) {
      if (err instanceof FutureRevisionError) throw new TooLargeResourceVersionError(err.revision, err.currentRevision, { cause: err })
      throw err
    }
  }

  /** A state built from the caller's copy of the object: its resourceVersion stands for the row's modRevision. */
  private cachedState(key: string, object: KubeObject): State {
    const rv = object.metadata?.resourceVersion
    const modRevision = typeof rv === 'string' && /^[1-9][0-9]*$/.test(rv) ? Number(rv) : Number.NaN
    if (!Number.isSafeInteger(modRevision)) {
      throw new InvalidArgumentError(`objects: cachedExistingObject needs the resourceVersion it was read at, got ${JSON.stringify(rv)}`)
    }
    // Not stale as far as anyone knows: a stale row fails the byte comparison's refresh, or the CAS.
    const kv: KeyValue = { key: Buffer.from(key, 'utf8'), value: this.codec.encode(object), modRevision, createRevision: 0, version: 0, lease: 0 }
    return { kv, object }
  }

  private async readState(key: string): Promise<State | undefined> {
    const kv = await this.read(key, 0)
    return kv === undefined ? undefined : { kv, object: this.decode(kv) }
  }

  /** The current object from a failed CAS txn's Else-range: no extra read needed for the retry. */
  private elseState(r: TxnResponse): State | undefined {
    const op = r.responses[0]
    assert(op !== undefined && 'range' in op, 'objects: a failed CAS txn answers its Else-range')
    const kv = op.range.kvs[0]
    return kv === undefined ? undefined : { kv, object: this.decode(kv) }
  }
}

function checkPreconditions(key: string, preconditions: Preconditions | undefined, object: KubeObject | undefined): void {
  if (preconditions === undefined) return
  const meta = object?.metadata
  if (preconditions.uid !== undefined && preconditions.uid !== meta?.uid) {
    throw new ConflictError(key, `UID in precondition: ${preconditions.uid}, UID in object meta: ${meta?.uid ?? ''}`)
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== meta?.resourceVersion) {
    throw new ConflictError(key, `ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta?.resourceVersion ?? ''}`)
  }
}

/** An upsert's result may carry the version tryUpdate saw; a create stores none. */
function withoutVersion(object: KubeObjectInput): KubeObjectInput {
  if (object === null || typeof object !== 'object' || object.metadata === null || typeof object.metadata !== 'object') return object
  const { resourceVersion: _dropped, ...metadata } = object.metadata
  return { ...object, metadata }
}
