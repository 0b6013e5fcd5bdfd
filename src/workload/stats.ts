// What the run counts: operations per category with latency, CAS conflicts and retries, and the
// watch delivery latency from commit to the controller. Totals feed the summary and the report;
// the window (reset at each progress line) feeds the live rates.
import { assert } from '../util/index.js'
import { Histogram } from './histogram.js'

/** Report order; DO-NOT-RENAME: the names are keys of the JSON report. */
export const categoryNames = [
  'node-status', // kubelet: CAS update of its Node every 10 s
  'pod-status', // kubelet: CAS update of a pod's status
  'list', // controller: paged range at one revision (initial list, relist)
  'reconcile', // controller: creates, CAS updates and deletes
  'deploy', // CI: CAS update of a Deployment's spec
  'event', // ObjectStore.create of an Event with ttlSeconds (its lease grant included)
  'lease', // the lease grant inside each event create, timed on its own (lease-kv.ts)
  'monitor', // status() and a health get
  'compact', // compaction to the revision seen one interval earlier
] as const

export type CategoryName = (typeof categoryNames)[number]

export class CategoryStats {
  // Completed operations (each CAS update counts once, however many attempts it took).
  ops = 0
  // Operations that failed with a storage error (counted, not retried further).
  errors = 0
  // Compares that failed: a lost CAS txn (retried with the fresh value) or a 409 on a stale copy (re-read).
  conflicts = 0
  // Operations that needed more than one attempt.
  retried = 0
  readonly latency = new Histogram()
  // Since the last progress line.
  windowOps = 0

  done(latencyMs: number, attempts = 1): void {
    this.ops++
    this.windowOps++
    this.latency.record(latencyMs)
    if (attempts > 1) {
      this.retried++
      this.conflicts += attempts - 1
    }
  }
}

export class Stats {
  readonly categories = new Map<CategoryName, CategoryStats>(categoryNames.map((n) => [n, new CategoryStats()]))
  // Commit -> delivery latency over the whole run, and since the last progress line.
  readonly watchLatency = new Histogram()
  readonly watchWindow = new Histogram()
  // Events delivered to controllers (and the kubelets' pod watch).
  watchEvents = 0
  // Lists made again because a watch was cancelled (compacted or overflowed).
  relists = 0
  // Leases this run granted for events, and how many of them are gone by the end.
  leasesGranted = 0
  // Nodes tainted unreachable / untainted by the node lifecycle controllers.
  taints = 0
  untaints = 0
  // Deployment rollouts the deployment controllers carried out (pods created/updated/deleted).
  rollouts = 0

  of(name: CategoryName): CategoryStats {
    const c = this.categories.get(name)
    assert(c !== undefined, `workload: unknown category ${name}`)
    return c
  }

  delivered(latencyMs: number): void {
    this.watchEvents++
    this.watchLatency.record(latencyMs)
    this.watchWindow.record(latencyMs)
  }
}
