// The gauges /metrics reads from their sources at scrape time: storage object counts, watchers
// and watch events, the watch cache's sizes, the read path's hits and fallbacks, the event loop's
// delay, and the flow control's seats and queues.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { FlowControl } from './flow-control.js'

export interface MetricsSources {
  /** Stored objects by resource ("pods", "deployments.apps"): apiserver_storage_objects. */
  storageObjects(): Promise<{ resource: string; count: number }[]>
  /** Open API watch streams, all opened so far, events sent on them, and the store's watchers. */
  watchers(): { streams: number; streamsTotal: number; eventsSent: number; storeWatchers: number }
  watchCache(): { revision: number; ringCapacity: number; ringEvents: number; ringBytes: number; stateKeys: number; stateBytes: number }
  readPath(): {
    gets: { cache: number; store: number }
    lists: number
    cache: { hits: number; consistentHits: number; fallbacks: Readonly<Record<string, number>>; waits: number; waitMsTotal: number } | undefined
    eventLoopDelay: { maxMs: number; meanMs: number; p50Ms: number; p99Ms: number; samples: number } | undefined
  }
}

type Setter = (set: (labels: Record<string, string>, value: number) => void) => void | Promise<void>

function gauge(registry: Registry, name: string, help: string, labelNames: string[], fill: Setter): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset()
      await fill((labels, value) => this.set(labels, value))
    },
  })
}

/** A counter whose value lives elsewhere (a running total kept by its source). */
function counter(registry: Registry, name: string, help: string, labelNames: string[], fill: Setter): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset()
      await fill((labels, value) => this.inc(labels, value))
    },
  })
}

export function addSourceGauges(r: Registry, s: MetricsSources, flow: FlowControl | undefined): void {
  gauge(r, 'apiserver_storage_objects', 'Number of stored objects at the time of last check split by kind.', ['resource'], async (set) => {
    for (const o of await s.storageObjects()) set({ resource: o.resource }, o.count)
  })
  gauge(r, 'apiserver_registered_watchers', 'Number of currently open API watch streams.', [], (set) => set({}, s.watchers().streams))
  counter(r, 'apiserver_watch_streams_total', 'API watch streams opened since the server started.', [], (set) => set({}, s.watchers().streamsTotal))
  counter(r, 'apiserver_watch_events_total', 'Watch events sent to API clients.', [], (set) => set({}, s.watchers().eventsSent))
  gauge(r, 'etchlog_store_watchers', 'Watchers registered on the store (API streams, informers, the etcd front).', [], (set) => set({}, s.watchers().storeWatchers))
  gauge(r, 'apiserver_watch_cache_capacity', 'The watch cache ring capacity in events.', [], (set) => set({}, s.watchCache().ringCapacity))
  gauge(r, 'apiserver_watch_cache_resource_version', 'The revision the watch cache has taken in.', [], (set) => set({}, s.watchCache().revision))
  gauge(r, 'etchlog_watch_cache_events', 'Events held in the watch cache ring.', [], (set) => set({}, s.watchCache().ringEvents))
  gauge(r, 'etchlog_watch_cache_bytes', 'Bytes held by the watch cache, by part.', ['part'], (set) => {
    const c = s.watchCache()
    set({ part: 'ring' }, c.ringBytes)
    set({ part: 'state' }, c.stateBytes)
  })
  gauge(r, 'etchlog_watch_cache_state_keys', 'Live keys in the watch cache current state.', [], (set) => set({}, s.watchCache().stateKeys))
  counter(r, 'etchlog_object_gets_total', 'Object gets by where they were answered.', ['source'], (set) => {
    const g = s.readPath().gets
    set({ source: 'cache' }, g.cache)
    set({ source: 'store' }, g.store)
  })
  counter(r, 'etchlog_watch_cache_reads_total', 'Cached reads (gets and lists) by result: hit, or fallback to the store by reason.', ['result', 'reason'], (set) => {
    const c = s.readPath().cache
    if (c === undefined) return
    set({ result: 'hit', reason: '' }, c.hits)
    for (const [reason, n] of Object.entries(c.fallbacks)) set({ result: 'fallback', reason }, n)
  })
  gauge(r, 'etchlog_event_loop_delay_seconds', 'Event loop delay since the store opened, by statistic.', ['stat'], (set) => {
    const d = s.readPath().eventLoopDelay
    if (d === undefined || d.samples === 0) return
    set({ stat: 'p50' }, d.p50Ms / 1000)
    set({ stat: 'p99' }, d.p99Ms / 1000)
    set({ stat: 'max' }, d.maxMs / 1000)
    set({ stat: 'mean' }, d.meanMs / 1000)
  })
  if (flow === undefined) return
  gauge(r, 'apiserver_current_inflight_requests', 'Requests executing now, by kind (readOnly, mutating) as the in-flight limits count them.', ['request_kind'], (set) => {
    set({ request_kind: 'readOnly' }, flow.inflight.readOnly)
    set({ request_kind: 'mutating' }, flow.inflight.mutating)
  })
  gauge(r, 'apiserver_longrunning_requests', 'Long-running requests (watches, logs) open now.', [], (set) => set({}, flow.inflight.longRunning))
  gauge(r, 'apiserver_flowcontrol_current_executing_requests', 'Requests executing by priority level.', ['priority_level', 'request_kind'], (set) => {
    for (const q of flow.queueStats()) set({ priority_level: q.level, request_kind: q.kind }, q.executing)
  })
  gauge(r, 'apiserver_flowcontrol_current_inqueue_requests', 'Requests waiting in a queue by priority level.', ['priority_level', 'request_kind'], (set) => {
    for (const q of flow.queueStats()) set({ priority_level: q.level, request_kind: q.kind }, q.waiting)
  })
  counter(r, 'apiserver_flowcontrol_rejected_requests_total', 'Requests refused with 429 by priority level, kind and reason.', ['priority_level', 'request_kind', 'reason'], (set) => {
    for (const q of flow.queueStats()) set({ priority_level: q.level, request_kind: q.kind, reason: 'queue-full' }, q.rejected)
    set({ priority_level: '', request_kind: 'watch', reason: 'watch-limit' }, flow.watchesRejected)
  })
}
