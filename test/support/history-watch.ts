// Recording watchers next to a history (src/verify WatchRecord), from store.watch() or from
// etcd (test/support/etcd-watch.ts): both yield etchlog-shaped WatchResponses. Also terse
// hand-written records for the watch checker's tests.
import type { KeyValue, WatchEvent, WatchRequest, WatchResponse } from '../../src/index.js'
import { prefixRangeEnd, type KvView, type WatchEventRecord, type WatchRecord, type WatchResponseRecord, type WatchSpec } from '../../src/verify/index.js'
import { now } from './history-recorder.js'

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')

const view = (kv: KeyValue): KvView => ({ value: text(kv.value), modRevision: kv.modRevision, createRevision: kv.createRevision, version: kv.version })

export function eventRecord(e: WatchEvent): WatchEventRecord {
  const r: WatchEventRecord = { type: e.type, key: text(e.kv.key), kv: view(e.kv) }
  if (e.prevKv !== undefined) r.prevKv = view(e.prevKv)
  return r
}

export function responseRecord(r: WatchResponse, time: number): WatchResponseRecord {
  const out: WatchResponseRecord = { time, revision: r.revision, events: r.events.map(eventRecord) }
  if (r.canceled === true) out.canceled = true
  if (r.compactRevision !== undefined) out.compactRevision = r.compactRevision
  if (r.cancelReason !== undefined) out.cancelReason = r.cancelReason
  return out
}

/** The checker's spec of a watch request on string keys, with its resolved start. */
export function specOf(request: WatchRequest, startRevision: number): WatchSpec {
  const key = typeof request.key === 'string' ? request.key : text(request.key)
  const spec: WatchSpec = { key, startRevision }
  const end = request.prefix === true ? prefixRangeEnd(key) : request.rangeEnd === undefined ? '' : typeof request.rangeEnd === 'string' ? request.rangeEnd : text(request.rangeEnd)
  if (end !== '') spec.rangeEnd = end
  if (request.prevKv === true) spec.prevKv = true
  if (request.filters !== undefined && request.filters.length > 0) spec.filters = [...request.filters]
  return spec
}

/** What a recorded watcher needs: store.watch()'s Watcher and EtcdWatcher both fit. */
export interface WatchSource {
  next(): Promise<IteratorResult<WatchResponse, unknown>>
  cancel(): void
}

/**
 * Reads one watcher to the end, recording every response. stopAt(revision) ends it (with a
 * cancel) once it has seen that revision, so a test can wait for every watcher to catch up.
 */
export class WatchRecording {
  readonly record: WatchRecord
  private seen = 0
  private target: number | undefined
  private cancelled = false
  // waitFor() callers: resolved once the watch has seen their revision, or has ended.
  private waiters: Array<{ revision: number; resolve: () => void }> = []
  readonly done: Promise<void>

  constructor(client: string, request: WatchRequest, startRevision: number, call: number, private readonly source: WatchSource) {
    this.record = { client, call, request: specOf(request, startRevision), responses: [] }
    this.done = this.read().finally(() => {
      for (const w of this.waiters.splice(0)) w.resolve()
    })
  }

  /** Resolves once the watch has seen `revision` (or ended): a signal to act on, instead of a sleep. */
  waitFor(revision: number): Promise<void> {
    if (this.seen >= revision) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ revision, resolve }))
  }

  private async read(): Promise<void> {
    for (;;) {
      const r = await this.source.next()
      if (r.done === true) {
        this.record.end ??= 'iterator done'
        return
      }
      this.record.responses.push(responseRecord(r.value, now()))
      if (r.value.canceled === true) {
        this.record.end = this.cancelled ? 'cancel' : (r.value.cancelReason ?? 'canceled')
        return
      }
      this.seen = Math.max(this.seen, r.value.revision, ...r.value.events.map((e) => e.kv.modRevision))
      this.waiters = this.waiters.filter((w) => (w.revision <= this.seen ? (w.resolve(), false) : true))
      this.maybeStop()
    }
  }

  private maybeStop(): void {
    if (this.target === undefined || this.cancelled || this.seen < this.target) return
    this.cancelled = true
    this.source.cancel()
  }

  /** Ends the watch once it has seen `revision`; resolves when its last response is recorded. */
  async stopAt(revision: number): Promise<WatchRecord> {
    this.target = revision
    this.maybeStop()
    await this.done
    return this.record
  }
}

// ---- hand-written records ----

export type Ev = WatchEventRecord

/** A PUT event: key=value at mod, created at create, version ver; prev = [value, mod, create, ver]. */
export function put(key: string, value: string, mod: number, create: number, ver: number, prev?: [string, number, number, number]): Ev {
  const e: Ev = { type: 'PUT', key, kv: { value, modRevision: mod, createRevision: create, version: ver } }
  if (prev !== undefined) e.prevKv = { value: prev[0], modRevision: prev[1], createRevision: prev[2], version: prev[3] }
  return e
}

/** A DELETE event at mod, shaped as etcd sends it (empty value, version and create 0). */
export function del(key: string, mod: number, prev?: [string, number, number, number]): Ev {
  const e: Ev = { type: 'DELETE', key, kv: { value: '', modRevision: mod, createRevision: 0, version: 0 } }
  if (prev !== undefined) e.prevKv = { value: prev[0], modRevision: prev[1], createRevision: prev[2], version: prev[3] }
  return e
}

/** A record from [time, revision, events] triples. */
export function watchOf(client: string, spec: WatchSpec, call: number, responses: Array<[number, number, Ev[]]>): WatchRecord {
  return { client, call, request: spec, responses: responses.map(([time, revision, events]) => ({ time, revision, events })) }
}
