// Watch: one bidirectional stream carrying many watchers (etcd-semantics.md §6). Requests are
// handled in order, so `created` answers come back in request order (etcd3 relies on it); each
// watcher then pumps its store watch into the stream. Writes honour HTTP/2 flow control: while
// the client does not read, nothing more is pulled, the store watchers' bounded buffers fill and
// end those watchers alone (overflow); other streams are not affected.
import type * as grpc from '@grpc/grpc-js'
import { TooManyWatchersError, type WatchEvent, type Watcher, type WatchFilter, type WatchRequest, type WatchResponse } from '../watchcache/index.js'
import protobuf from 'protobufjs'
import { etcdMessages, toGrpcStatus } from './errors.js'
import type { FrontContext } from './front-context.js'
import { protoRoot } from './proto.js'
import { int64, kvToWire, type Int64, type WireKv } from './wire.js'

interface WireCreate {
  key: Buffer; range_end: Buffer; start_revision: Int64; progress_notify: boolean; filters: number[]; prev_kv: boolean; watch_id: Int64; fragment: boolean
}
export interface WireWatchRequest {
  create_request?: WireCreate | null
  cancel_request?: { watch_id: Int64 } | null
  progress_request?: object | null
}
interface WireEvent { type: number; kv: WireKv; prev_kv: WireKv | null }

interface Entry {
  id: string
  watcher: Watcher
  progressNotify: boolean
  fragment: boolean
  // Every event of this watcher at or below it has been written to the stream.
  synced: number
}

export const watchReasons = Object.freeze({
  duplicateId: 'mvcc: duplicate watch ID provided on the WatchStream',
  emptyRange: 'mvcc: watcher range is empty',
})

// A shared, frozen store event as the bytes of WatchResponse field 11 (tag, length, Event): encoded
// once and reused by every watcher that gets it; a response is its header and ID plus these.
const framedEvents = new WeakMap<WatchEvent, Buffer>()
const framedEventsNoPrev = new WeakMap<WatchEvent, Buffer>()
const eventsField = (11 << 3) | 2

let eventTypeCache: protobuf.Type | undefined
let responseTypeCache: protobuf.Type | undefined
const eventType = (): protobuf.Type => (eventTypeCache ??= protoRoot().lookupType('etcdserverpb.Event'))
const responseType = (): protobuf.Type => (responseTypeCache ??= protoRoot().lookupType('etcdserverpb.WatchResponse'))

function eventToWire(e: WatchEvent, prevKv: boolean): WireEvent {
  return { type: e.type === 'PUT' ? 0 : 1, kv: kvToWire(e.kv), prev_kv: prevKv && e.prevKv !== undefined ? kvToWire(e.prevKv) : null }
}

function framedEvent(e: WatchEvent, prevKv: boolean): Buffer {
  const cache = prevKv ? framedEvents : framedEventsNoPrev
  let framed = cache.get(e)
  if (framed === undefined) {
    const type = eventType()
    const body = type.encode(type.fromObject(eventToWire(e, prevKv))).finish()
    framed = Buffer.from(protobuf.Writer.create().uint32(eventsField).bytes(body).finish())
    cache.set(e, framed)
  }
  return framed
}

function encodeEvents(header: object, watchId: string, events: Buffer[], fragment: boolean): Buffer {
  const type = responseType()
  const head = type.encode(type.fromObject(fragment ? { header, watch_id: watchId, fragment } : { header, watch_id: watchId })).finish()
  return Buffer.concat([head, ...events])
}


export class WatchStream {
  private readonly watches = new Map<string, Entry>()
  // Next server-chosen ID candidate (etcd: per stream, from 0, skipping IDs in use).
  private nextId = 0n
  // Resolves when the stream drains; set while a write found the HTTP/2 buffer full.
  private blocked: Promise<void> | undefined
  // Revisions of progress requests not answered yet, oldest first (W12).
  private progressWaits: number[] = []
  // Requests are handled one after another, in arrival order.
  private chain: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    private readonly ctx: FrontContext,
    private readonly call: grpc.ServerDuplexStream<WireWatchRequest, object>,
    private readonly onClosed: (s: WatchStream) => void,
  ) {
    call.on('data', (req: WireWatchRequest) => {
      this.chain = this.chain.then(() => this.handle(req)).catch((err: unknown) => this.fail(err))
    })
    call.on('end', () => this.close(true))
    call.on('cancelled', () => this.close(false))
    call.on('error', () => this.close(false))
    call.on('close', () => this.close(false))
  }

  get watcherCount(): number {
    return this.watches.size
  }

  /** Ends every watcher and, when the client is still there, the call. */
  close(endCall: boolean): void {
    if (this.closed) return
    this.closed = true
    for (const e of this.watches.values()) e.watcher.cancel()
    this.watches.clear()
    if (endCall) this.call.end()
    this.onClosed(this)
  }

  /** A request the stream could not handle: the call ends with that status, its watchers with it. */
  private fail(err: unknown): void {
    if (this.closed) return
    const s = toGrpcStatus(err)
    this.close(false)
    this.call.emit('error', { code: s.code, details: s.details })
  }

  private async handle(req: WireWatchRequest): Promise<void> {
    if (this.closed) return
    if (req.create_request != null) await this.create(req.create_request)
    else if (req.cancel_request != null) this.cancel(String(BigInt(req.cancel_request.watch_id ?? 0)))
    else if (req.progress_request != null) this.progress()
  }

  private async send(message: object): Promise<void> {
    while (this.blocked !== undefined) await this.blocked
    if (this.closed) return
    if (!this.call.write(message)) {
      this.blocked = new Promise((resolve) => {
        const done = (): void => {
          this.call.off('drain', done)
          this.call.off('close', done)
          this.blocked = undefined
          resolve()
        }
        this.call.on('drain', done)
        this.call.on('close', done)
      })
    }
  }

  private refuse(reason: string): Promise<void> {
    return this.send({ header: this.ctx.header(this.ctx.store.revision), watch_id: '-1', created: true, canceled: true, cancel_reason: reason })
  }

  private pickId(requested: bigint): string | undefined {
    if (requested !== 0n) return this.watches.has(requested.toString()) ? undefined : requested.toString()
    while (this.watches.has(this.nextId.toString())) this.nextId++
    const id = this.nextId.toString()
    this.nextId++
    return id
  }

  private async create(c: WireCreate): Promise<void> {
    const key = c.key !== null && c.key !== undefined && c.key.length > 0 ? c.key : Buffer.from([0])
    const end = c.range_end ?? Buffer.alloc(0)
    const start = int64(c.start_revision)
    if (start < 0) return this.refuse(etcdMessages.compacted)
    if (end.length > 0 && !(end.length === 1 && end[0] === 0) && Buffer.compare(key, end) >= 0) return this.refuse(watchReasons.emptyRange)
    const id = this.pickId(BigInt(c.watch_id ?? 0))
    if (id === undefined) return this.refuse(watchReasons.duplicateId)
    const filters: WatchFilter[] = (c.filters ?? []).flatMap((f): WatchFilter[] => (f === 0 ? ['NOPUT'] : f === 1 ? ['NODELETE'] : []))
    const request: WatchRequest = { key, startRevision: start, prevKv: c.prev_kv === true, filters, progressNotify: c.progress_notify === true }
    if (end.length > 0) request.rangeEnd = end
    let watcher: Watcher
    try {
      watcher = this.ctx.store.watch(request)
    } catch (err) {
      if (err instanceof TooManyWatchersError) return this.refuse(err.message)
      return this.refuse(err instanceof Error ? err.message : String(err))
    }
    const entry: Entry = { id, watcher, progressNotify: c.progress_notify === true, fragment: c.fragment === true, synced: watcher.startRevision - 1 }
    this.watches.set(id, entry)
    await this.send({ header: this.ctx.header(this.ctx.store.revision), watch_id: id, created: true })
    void this.pump(entry)
  }

  private cancel(id: string): void {
    // etcd answers nothing for an ID it does not know.
    this.watches.get(id)?.watcher.cancel()
  }

  private progress(): void {
    this.progressWaits.push(this.ctx.store.revision)
    if (this.watches.size > 0) this.ctx.store.requestProgress()
    this.answerProgress()
  }

  /** W12: a progress request is answered (watch_id -1) once every watcher is in sync with it. */
  private answerProgress(): void {
    while (this.progressWaits.length > 0) {
      const rev = this.progressWaits[0] as number
      for (const e of this.watches.values()) if (e.synced < rev) return
      this.progressWaits.shift()
      void this.send({ header: this.ctx.header(rev), watch_id: '-1' })
    }
  }

  private async pump(e: Entry): Promise<void> {
    try {
      for await (const r of e.watcher) {
        await this.forward(e, r)
        if (r.canceled === true || this.closed) break
      }
    } catch (err) {
      const reason = `watch: ${err instanceof Error ? err.message : String(err)}`
      await this.send({ header: this.ctx.header(this.ctx.store.revision), watch_id: e.id, canceled: true, cancel_reason: reason })
    } finally {
      if (this.watches.get(e.id) === e) this.watches.delete(e.id)
      this.answerProgress()
    }
  }

  private async forward(e: Entry, r: WatchResponse): Promise<void> {
    const header = this.ctx.header(r.revision)
    if (r.canceled === true) {
      if (r.compactRevision !== undefined) {
        return this.send({ header, watch_id: e.id, canceled: true, compact_revision: String(r.compactRevision) })
      }
      return this.send({ header, watch_id: e.id, canceled: true, cancel_reason: r.cancelReason ?? '' })
    }
    if (r.events.length === 0) {
      if (e.progressNotify) await this.send({ header, watch_id: e.id })
    } else {
      await this.sendEvents(e, r.events, header)
    }
    if (r.revision > e.synced) e.synced = r.revision
    if (this.progressWaits.length > 0) this.answerProgress()
  }

  private async sendEvents(e: Entry, events: readonly WatchEvent[], header: object): Promise<void> {
    const prev = e.watcher.prevKv
    const framed = events.map((ev) => framedEvent(ev, prev))
    const bytes = framed.reduce((n, f) => n + f.length, 0)
    if (!e.fragment || events.length < 2 || bytes <= this.ctx.maxRequestBytes) return this.send(encodeEvents(header, e.id, framed, false))
    // W13: pieces of at most maxRequestBytes (at least one event each); all but the last say fragment.
    let piece: Buffer[] = []
    let size = 0
    for (const f of framed) {
      if (piece.length > 0 && size + f.length > this.ctx.maxRequestBytes) {
        await this.send(encodeEvents(header, e.id, piece, true))
        piece = []
        size = 0
      }
      piece.push(f)
      size += f.length
    }
    await this.send(encodeEvents(header, e.id, piece, false))
  }
}
