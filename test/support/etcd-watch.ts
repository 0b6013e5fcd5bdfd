// etcd's Watch service for the tests: one bidirectional gRPC stream (W1) that carries many
// watchers, each read as an async iterable of etchlog-shaped WatchResponses, so the same code can
// read a watch from etcd and from store.watch(). Used by the watch differential test and by the
// fan-out benchmark against etcd.
//
//   const stream = new EtcdWatchStream('127.0.0.1:2379')
//   const w = await stream.watch({ key: 'a', prefix: true, startRevision: 5, prevKv: true })
//   for await (const r of w) { ... }       // r = { revision, events, compactRevision?, canceled?, cancelReason? }
//   w.cancel(); stream.close()
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type { BytesLike, KeyValue, WatchEvent, WatchRequest, WatchResponse } from '../../src/index.js'
import { identityLeases, type LeaseMap, prefixEnd } from './etcd-client.js'

// ---- wire shapes (proto-loader: longs and enums as strings, bytes as Buffer, defaults filled) ----

interface WireKv { key: Buffer; value: Buffer; createRevision: string; modRevision: string; version: string; lease: string }
interface WireEvent { type: 'PUT' | 'DELETE'; kv: WireKv | null; prevKv: WireKv | null }
interface WireWatchResponse {
  header: { revision: string } | null
  watchId: string
  created: boolean
  canceled: boolean
  compactRevision: string
  cancelReason: string
  fragment: boolean
  events: WireEvent[]
}

type Duplex = grpc.ClientDuplexStream<object, WireWatchResponse>

// etcd's client API as the etcd front serves it (a superset of what the tests call).
const protoPath = fileURLToPath(new URL('../../src/etcdserver/etcd-rpc.proto', import.meta.url))
// etcd 3.4 answers a progress request with watch_id -1: it is for every watcher on the stream (W12).
const STREAM_WIDE_ID = '-1'

const bytes = (v: BytesLike | undefined): Buffer =>
  v === undefined ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)

function kvOf(kv: WireKv, leases: LeaseMap): KeyValue {
  return {
    key: kv.key,
    value: kv.value,
    createRevision: Number(kv.createRevision),
    modRevision: Number(kv.modRevision),
    version: Number(kv.version),
    lease: leases.fromEtcd(kv.lease),
  }
}

function eventOf(e: WireEvent, leases: LeaseMap): WatchEvent {
  // etcd always sends the kv of an event; an empty one would be a broken server, not a case to model.
  if (e.kv === null) throw new Error('etcd-watch: an event without a kv')
  const kv = kvOf(e.kv, leases)
  return e.prevKv === null ? { type: e.type, kv } : { type: e.type, kv, prevKv: kvOf(e.prevKv, leases) }
}

function responseOf(r: WireWatchResponse, leases: LeaseMap): WatchResponse {
  const response: WatchResponse = { revision: Number(r.header?.revision ?? 0), events: r.events.map((e) => eventOf(e, leases)) }
  const compact = Number(r.compactRevision)
  if (compact !== 0) response.compactRevision = compact
  if (r.canceled) response.canceled = true
  if (r.cancelReason !== '') response.cancelReason = r.cancelReason
  return response
}

/** One watcher on an etcd stream. Ends after a canceled response, or when the stream fails. */
export class EtcdWatcher implements AsyncIterableIterator<WatchResponse> {
  // Responses not yet read, oldest first.
  private readonly queue: WatchResponse[] = []
  // The next() waiting for a response.
  private waiter: (() => void) | undefined
  // A canceled response was queued (or the stream ended): nothing comes after it.
  private ended = false
  // The stream failed: next() rejects once the queue is drained.
  private failure: Error | undefined

  constructor(
    readonly id: string,
    /** The created response's header revision: the store's revision when the watch began (W4). */
    readonly createdRevision: number,
    /** W3: the first revision delivered; 0 was resolved to createdRevision + 1. */
    readonly startRevision: number,
    private readonly stream: EtcdWatchStream,
  ) {}

  push(r: WatchResponse): void {
    if (this.ended) return
    this.queue.push(r)
    if (r.canceled === true) this.ended = true
    this.wake()
  }

  fail(err: Error): void {
    if (this.ended) return
    this.ended = true
    this.failure = err
    this.wake()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  async next(): Promise<IteratorResult<WatchResponse, undefined>> {
    for (;;) {
      const r = this.queue.shift()
      if (r !== undefined) return { done: false, value: r }
      if (this.failure !== undefined) throw this.failure
      if (this.ended) return { done: true, value: undefined }
      await new Promise<void>((resolve) => {
        this.waiter = resolve
      })
    }
  }

  /** W14: asks etcd to cancel; the canceled response still arrives through next(). */
  cancel(): void {
    this.stream.cancel(this.id)
  }

  async return(): Promise<IteratorResult<WatchResponse, undefined>> {
    if (!this.ended) this.cancel()
    this.ended = true
    this.queue.length = 0
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator](): this {
    return this
  }
}

export class EtcdWatchStream {
  private readonly client: grpc.Client & Record<string, unknown>
  private readonly call: Duplex
  private readonly watchers = new Map<string, EtcdWatcher>()
  // Creates answered in the order they were sent (etcd handles one stream's requests in order).
  private readonly creating: Array<{ request: WatchRequest; resolve: (w: EtcdWatcher) => void; reject: (e: Error) => void }> = []
  private closed = false

  /** leases: maps etcd's lease IDs (int64 decimal strings) in events, as EtcdClient does. */
  constructor(
    endpoint: string,
    private readonly leases: LeaseMap = identityLeases,
  ) {
    const definition = protoLoader.loadSync(protoPath, { longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true })
    const pkg = grpc.loadPackageDefinition(definition).etcdserverpb as grpc.GrpcObject
    const Watch = pkg.Watch as grpc.ServiceClientConstructor
    this.client = new Watch(endpoint, grpc.credentials.createInsecure()) as grpc.Client & Record<string, unknown>
    const open = this.client.Watch as (options: grpc.CallOptions) => Duplex
    this.call = open.call(this.client, {})
    this.call.on('data', (r: WireWatchResponse) => this.receive(r))
    this.call.on('error', (err: grpc.ServiceError) => {
      // close() cancels the call: CANCELLED then is the expected end, not a failure.
      if (this.closed && err.code === grpc.status.CANCELLED) return
      this.failAll(new Error(`etcd-watch: stream failed: ${err.code} ${err.details}`))
    })
    this.call.on('end', () => this.failAll(new Error('etcd-watch: stream ended by the server')))
  }

  private receive(r: WireWatchResponse): void {
    if (r.created) {
      const pending = this.creating.shift()
      if (pending === undefined) throw new Error(`etcd-watch: created response for watch ${r.watchId} nobody asked for`)
      const created = Number(r.header?.revision ?? 0)
      const start = pending.request.startRevision ?? 0
      const w = new EtcdWatcher(r.watchId, created, start === 0 ? created + 1 : start, this)
      this.watchers.set(r.watchId, w)
      // A create refused at once (e.g. a negative start, W3) comes back created and canceled.
      if (r.canceled) w.push(responseOf(r, this.leases))
      pending.resolve(w)
      return
    }
    if (r.watchId === STREAM_WIDE_ID) {
      for (const w of this.watchers.values()) w.push(responseOf(r, this.leases))
      return
    }
    const w = this.watchers.get(r.watchId)
    if (w === undefined) return // a response racing a cancel we already handled: nobody reads it
    // Fragments (W13) are never asked for, so each response is whole.
    w.push(responseOf(r, this.leases))
    if (r.canceled) this.watchers.delete(r.watchId)
  }

  private failAll(err: Error): void {
    for (const p of this.creating.splice(0)) p.reject(err)
    for (const w of this.watchers.values()) w.fail(err)
    this.watchers.clear()
  }

  /** Creates a watcher (W1-W10 fields of etchlog's WatchRequest; signal is not supported). */
  watch(request: WatchRequest): Promise<EtcdWatcher> {
    if (this.closed) return Promise.reject(new Error('etcd-watch: stream closed'))
    const key = bytes(request.key)
    const end = request.prefix === true ? prefixEnd(key) : bytes(request.rangeEnd)
    const create: Record<string, unknown> = {
      key,
      startRevision: request.startRevision ?? 0,
      progressNotify: request.progressNotify ?? false,
      filters: [...(request.filters ?? [])],
      prevKv: request.prevKv ?? false,
    }
    // As in etcd-client.ts: an empty range_end must be left off the wire for etcd 3.4.
    if (end.length > 0) create.rangeEnd = end
    return new Promise((resolve, reject) => {
      this.creating.push({ request, resolve, reject })
      this.call.write({ createRequest: create })
    })
  }

  cancel(id: string): void {
    if (!this.closed) this.call.write({ cancelRequest: { watchId: id } })
  }

  /** W12: a progress response to every watcher of this stream, once all are in sync. */
  requestProgress(): void {
    this.call.write({ progressRequest: {} })
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.call.cancel()
    this.client.close()
    for (const w of this.watchers.values()) w.fail(new Error('etcd-watch: stream closed'))
    this.watchers.clear()
  }
}
