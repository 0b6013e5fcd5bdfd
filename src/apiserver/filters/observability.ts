// Builds the overload, metrics, health and audit filters from `etchlog serve`'s flags, so the
// wiring in serve.ts stays a few lines: options for ApiServer, then the router hooks.
import { readFileSync } from 'node:fs'
import { InvalidArgumentError } from '../../util/index.js'
import type { ApiContext } from '../handlers/context.js'
import { watchStreams } from '../handlers/watch.js'
import type { Router } from '../router.js'
import type { RequestObserver } from '../server.js'
import { accessLog } from './access-log.js'
import { AuditLog } from './audit-log.js'
import { AuditPolicy } from './audit-policy.js'
import { FlowControl } from './flow-control.js'
import { HealthChecks } from './health.js'
import { ApiMetrics, type MetricsSources } from './metrics.js'
import { requestTimeoutMsDefault } from './request-timeout.js'
import { timeStorageCalls } from './storage-timing.js'

export interface OverloadFlags {
  /** --max-requests-inflight (400). */
  maxRequestsInflight: number
  /** --max-mutating-requests-inflight (200). */
  maxMutatingRequestsInflight: number
  /** --max-watch-streams-per-user (100). */
  maxWatchStreamsPerUser: number
  /** --request-timeout in ms (60 s). */
  requestTimeoutMs: number
  /** Waiting requests per priority level and kind (default: the level's seats, at least 8). */
  queueLengthMax?: number
  /** --audit-log-path and --audit-policy-file (both or neither). */
  auditLogPath?: string
  auditPolicyFile?: string
  /** One line per request to the log function (default on). */
  accessLog?: boolean
}

export const overloadFlagsDefault: OverloadFlags = { maxRequestsInflight: 400, maxMutatingRequestsInflight: 200, maxWatchStreamsPerUser: 100, requestTimeoutMs: requestTimeoutMsDefault }

/** What the filters read: the object layer's counts and read path, the store's watch cache. */
export interface ObservedStores {
  countObjects(prefix: string): Promise<number>
  readPath: MetricsSources['readPath']
  watchCache: MetricsSources['watchCache']
  storeWatchers(): number
}

export interface Observability {
  server: { flowControl: FlowControl; requestTimeoutMs: number; metrics: ApiMetrics; audit?: AuditLog; observers: RequestObserver[] }
  health: HealthChecks
  /** Adds /metrics and the health endpoints to the router, and times the write hooks present now. */
  install(router: Router): void
  close(): Promise<void>
}

export function buildObservability(flags: OverloadFlags, ctx: ApiContext, stores: ObservedStores, ready: { rbacSynced(): boolean }): Observability {
  const flowControl = new FlowControl({
    maxRequestsInflight: flags.maxRequestsInflight,
    maxMutatingRequestsInflight: flags.maxMutatingRequestsInflight,
    watchesPerUserMax: flags.maxWatchStreamsPerUser,
    ...(flags.queueLengthMax === undefined ? {} : { queuedMax: flags.queueLengthMax }),
  })
  const sources: MetricsSources = {
    storageObjects: async () => {
      const seen = new Map<string, string>()
      for (const r of ctx.catalog.resources()) if (r.virtual !== true) seen.set(r.storagePrefix, r.group === '' ? r.resource : `${r.resource}.${r.group}`)
      const out: { resource: string; count: number }[] = []
      for (const [prefix, resource] of seen) out.push({ resource, count: await stores.countObjects(prefix) })
      return out
    },
    watchers: () => ({ streams: watchStreams.open, streamsTotal: watchStreams.total, eventsSent: watchStreams.eventsSent, storeWatchers: stores.storeWatchers() }),
    watchCache: stores.watchCache,
    readPath: stores.readPath,
  }
  const metrics = new ApiMetrics(sources, flowControl)
  timeStorageCalls(ctx.store, metrics)
  const health = new HealthChecks(ctx.log)
    .add('ping', () => undefined)
    .add('etcd', async () => {
      await stores.countObjects('/registry/namespaces')
    })
    .add('informer-sync', () => {
      if (!ready.rbacSynced()) throw new Error('RBAC informers have not synced')
    }, ['healthz', 'readyz'])
  if ((flags.auditLogPath === undefined) !== (flags.auditPolicyFile === undefined)) throw new InvalidArgumentError('etchlog serve: --audit-log-path and --audit-policy-file go together')
  const audit = flags.auditLogPath === undefined || flags.auditPolicyFile === undefined ? undefined : new AuditLog(AuditPolicy.parse(readFileSync(flags.auditPolicyFile, 'utf8')), ctx.clock, { path: flags.auditLogPath })
  const observers = flags.accessLog === false ? [] : [accessLog(ctx.log)]
  return {
    server: { flowControl, requestTimeoutMs: flags.requestTimeoutMs, metrics, ...(audit === undefined ? {} : { audit }), observers },
    health,
    install(router) {
      router.nonResource.push(health.handler(), metrics.handler())
      ctx.writeHooks.forEach((hook, i) => (ctx.writeHooks[i] = metrics.timeHook(hook.name === '' ? `hook-${i}` : hook.name, hook)))
    },
    close: async () => audit?.close(),
  }
}
