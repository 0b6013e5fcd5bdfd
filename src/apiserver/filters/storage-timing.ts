// Storage latency for /metrics (etcd_request_duration_seconds by operation and type): the generic
// store's calls, timed without touching the store's code.
import type { GenericStore } from '../registry/generic-store.js'
import type { ApiMetrics } from './metrics.js'

const operations = ['get', 'list', 'create', 'update', 'delete'] as const

/** Replaces the five storage calls on this one instance with timed versions. */
export function timeStorageCalls(store: GenericStore, metrics: ApiMetrics): void {
  for (const op of operations) {
    const original = store[op].bind(store) as (...args: unknown[]) => Promise<unknown>
    const timed = (...args: unknown[]): Promise<unknown> => {
      const r = args[0] as { resource?: string; group?: string } | undefined
      const type = r?.resource === undefined ? '' : r.group === '' || r.group === undefined ? r.resource : `${r.resource}.${r.group}`
      return metrics.timeStorage(op, type, () => original(...args))
    }
    Object.defineProperty(store, op, { value: timed, configurable: true, writable: true })
  }
}
