// The in-flight limit with API Priority and Fairness semantics: each request is classified into a
// priority level (exempt: system:masters and health probes; workload-high: service accounts and
// nodes; global-default: everyone else). Non-exempt levels share --max-requests-inflight
// (read-only) and --max-mutating-requests-inflight (mutating) seats by fixed shares, each with a
// bounded queue fair between users (fair-queue.ts). Long-running requests take no seat; a user's
// open watch streams are capped instead.
import type { UserInfo } from '../handlers/context.js'
import type { RequestInfo } from '../request-info.js'
import { ApiError } from '../api-error.js'
import { FairQueue } from './fair-queue.js'
import { isLongRunning, isMutating } from './long-running.js'

export type PriorityLevel = 'exempt' | 'workload-high' | 'global-default'

export interface FlowControlOptions {
  /** kube-apiserver's --max-requests-inflight (400): read-only requests executing at once; 0 means no limit. */
  maxRequestsInflight: number
  /** --max-mutating-requests-inflight (200); 0 means no limit. */
  maxMutatingRequestsInflight: number
  /** Waiting requests per level and kind (default: the level's seats, at least 8). */
  queuedMax?: number
  /** Waiting requests per user and level (default: half of queuedMax). */
  queuedPerUserMax?: number
  /** Open watch streams per user (exempt users are not capped); 0 means no cap. */
  watchesPerUserMax: number
}

/** Shares of the seats, as the suggested PriorityLevelConfigurations weigh these two. */
const shares: Readonly<Record<Exclude<PriorityLevel, 'exempt'>, number>> = { 'workload-high': 40, 'global-default': 20 }
const probePaths: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/livez'])

export function classify(user: UserInfo, info: RequestInfo): PriorityLevel {
  if (user.groups.includes('system:masters')) return 'exempt'
  if (!info.isResourceRequest && [...probePaths].some((p) => info.path === p || info.path.startsWith(`${p}/`))) return 'exempt'
  if (user.groups.includes('system:serviceaccounts') || user.groups.includes('system:nodes')) return 'workload-high'
  return 'global-default'
}

export class FlowControl {
  /** Queues by `${level}/${readonly|mutating}`; absent when that kind has no limit. */
  private readonly queues = new Map<string, FairQueue>()
  /** Open watch streams by user. */
  private readonly watches = new Map<string, number>()
  /** Requests executing by level, long-running ones apart (apiserver_current_inflight_requests). */
  readonly inflight = { readOnly: 0, mutating: 0, longRunning: 0 }
  watchesRejected = 0

  constructor(private readonly o: FlowControlOptions) {
    for (const [kind, limit] of [['readonly', o.maxRequestsInflight], ['mutating', o.maxMutatingRequestsInflight]] as const) {
      if (limit === 0) continue
      const total = shares['workload-high'] + shares['global-default']
      for (const level of ['workload-high', 'global-default'] as const) {
        const seatsMax = Math.max(1, Math.floor((limit * shares[level]) / total))
        const queuedMax = o.queuedMax ?? Math.max(8, seatsMax)
        this.queues.set(`${level}/${kind}`, new FairQueue(level, { seatsMax, queuedMax, queuedPerFlowMax: o.queuedPerUserMax ?? Math.max(1, Math.ceil(queuedMax / 2)) }))
      }
    }
  }

  /** Waits for a seat (or a watch slot) and returns its release; throws 429 when refused. */
  async admit(user: UserInfo, info: RequestInfo, signal?: AbortSignal): Promise<() => void> {
    const level = classify(user, info)
    if (isLongRunning(info)) return this.admitLongRunning(user, info, level)
    const mutating = isMutating(info)
    const queue = level === 'exempt' ? undefined : this.queues.get(`${level}/${mutating ? 'mutating' : 'readonly'}`)
    const release = queue === undefined ? () => undefined : await queue.acquire(user.username, signal)
    const field = mutating ? 'mutating' : 'readOnly'
    this.inflight[field] += 1
    let done = false
    return () => {
      if (done) return
      done = true
      this.inflight[field] -= 1
      release()
    }
  }

  /** Each queue's figures, for /metrics. */
  queueStats(): { level: string; kind: string; executing: number; waiting: number; rejected: number }[] {
    return [...this.queues.entries()].map(([k, q]) => {
      const [level = '', kind = ''] = k.split('/')
      return { level, kind, executing: q.executing, waiting: q.waiting, rejected: q.rejected }
    })
  }

  private admitLongRunning(user: UserInfo, info: RequestInfo, level: PriorityLevel): () => void {
    const cap = this.o.watchesPerUserMax
    const counted = info.verb === 'watch' && level !== 'exempt' && cap > 0
    if (counted) {
      const open = this.watches.get(user.username) ?? 0
      if (open >= cap) {
        this.watchesRejected += 1
        throw new ApiError('TooManyRequests', `Too many requests, please try again later. (user ${JSON.stringify(user.username)} has ${open} open watch streams, the limit is ${cap})`, { retryAfterSeconds: 1 }, { headers: { 'Retry-After': '1' } })
      }
      this.watches.set(user.username, open + 1)
    }
    this.inflight.longRunning += 1
    let done = false
    return () => {
      if (done) return
      done = true
      this.inflight.longRunning -= 1
      if (!counted) return
      const n = (this.watches.get(user.username) ?? 1) - 1
      if (n === 0) this.watches.delete(user.username)
      else this.watches.set(user.username, n)
    }
  }
}
