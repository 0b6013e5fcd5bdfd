// /metrics in the Prometheus text format (prom-client), with the names kube-apiserver operators
// know: requests by verb, resource and code, their latency, in-flight and queued requests, storage
// objects and storage latency (etcd_request_duration_seconds), watchers and watch events, the
// watch cache, the read path, event-loop delay, authentication and admission latency. Each server
// has its own registry (no process-global state). Gauges are read from their sources at scrape time.
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { UserInfo, WriteHook } from '../handlers/context.js'
import type { RequestInfo } from '../request-info.js'
import type { NonResourceHandler } from '../router.js'
import type { ApiRequest } from '../http/io.js'
import { sendRaw } from '../http/io.js'
import type { FlowControl } from './flow-control.js'
import { addSourceGauges, type MetricsSources } from './metrics-sources.js'

export type { MetricsSources } from './metrics-sources.js'

const latencyBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60]
const fastBuckets = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/** The label values kube-apiserver's metrics use for a request. */
export function requestLabels(info: RequestInfo, req: ApiRequest): { verb: string; group: string; version: string; resource: string; subresource: string; scope: string; component: string } {
  const method = (req.method ?? 'GET').toUpperCase()
  if (!info.isResourceRequest) return { verb: method, group: '', version: '', resource: '', subresource: '', scope: '', component: 'apiserver' }
  const contentType = String(req.headers['content-type'] ?? '')
  const verbs: Record<string, string> = { get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: contentType.startsWith('application/apply-patch') ? 'APPLY' : 'PATCH', delete: 'DELETE', deletecollection: 'DELETE' }
  const scope = info.name !== '' ? 'resource' : info.namespace !== '' ? 'namespace' : 'cluster'
  return { verb: verbs[info.verb] ?? method, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope, component: 'apiserver' }
}

export class ApiMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter
  private readonly durations: Histogram
  private readonly authn: Histogram
  private readonly admission: Histogram
  readonly storage: Histogram
  private readonly panics: Counter

  constructor(sources: MetricsSources, flow: FlowControl | undefined) {
    const registers = [this.registry]
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'], registers })
    this.durations = new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], buckets: latencyBuckets, registers })
    this.authn = new Histogram({ name: 'apiserver_authentication_duration_seconds', help: 'Authentication duration in seconds broken out by result.', labelNames: ['result'], buckets: fastBuckets, registers })
    this.admission = new Histogram({ name: 'apiserver_admission_step_admission_duration_seconds', help: 'Admission and validation hook latency in seconds, by hook and operation.', labelNames: ['name', 'operation', 'rejected'], buckets: fastBuckets, registers })
    this.storage = new Histogram({ name: 'etcd_request_duration_seconds', help: 'Storage request latency in seconds for each operation and object type.', labelNames: ['operation', 'type'], buckets: fastBuckets, registers })
    this.panics = new Counter({ name: 'apiserver_request_panics_total', help: 'Requests whose handler threw an unexpected error (answered 500).', registers })
    addSourceGauges(this.registry, sources, flow)
  }

  /** Records one finished request. */
  observeRequest(info: RequestInfo, req: ApiRequest, code: number, durationMs: number): void {
    const labels = requestLabels(info, req)
    this.requests.inc({ ...labels, code: String(code) })
    this.durations.observe(labels, durationMs / 1000)
  }

  observeAuthentication(user: UserInfo | undefined, failed: boolean, durationMs: number): void {
    this.authn.observe({ result: failed ? 'error' : user === undefined ? 'failure' : 'success' }, durationMs / 1000)
  }

  countPanic(): void {
    this.panics.inc()
  }

  /** The same hook, timed into apiserver_admission_step_admission_duration_seconds. */
  timeHook(name: string, hook: WriteHook): WriteHook {
    return async (attempt) => {
      const started = performance.now()
      let rejected = true
      try {
        const out = await hook(attempt)
        rejected = false
        return out
      } finally {
        this.admission.observe({ name, operation: attempt.operation, rejected: String(rejected) }, (performance.now() - started) / 1000)
      }
    }
  }

  /** Times `fn` into etcd_request_duration_seconds. */
  async timeStorage<T>(operation: string, type: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await fn()
    } finally {
      this.storage.observe({ operation, type }, (performance.now() - started) / 1000)
    }
  }

  /** The router hook for GET /metrics (authorization happens before the router, as for any path). */
  handler(): NonResourceHandler {
    return async (_req, res, info) => {
      if (info.path !== '/metrics' || (info.verb !== 'get' && info.verb !== 'head')) return false
      sendRaw(res, 200, this.registry.contentType, await this.registry.metrics())
      return true
    }
  }
}
