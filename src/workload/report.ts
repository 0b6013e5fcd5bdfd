// The end of a run, twice: a table for people and a JSON document for programs. The JSON field
// names are a format (docs/workload.md): add fields, do not rename them.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { CheckReport } from '../mvcc/index.js'
import { formatCount, formatMeasure, renderColumns } from './format.js'
import type { Histogram } from './histogram.js'
import { categoryNames } from './stats.js'
import type { WorkloadResult } from './workload.js'

export interface LatencySummary {
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface CategoryReport extends LatencySummary {
  ops: number
  opsPerSecond: number
  conflicts: number
  retried: number
  errors: number
}

export interface WorkloadReport {
  format: 'etchlog-workload-report/1'
  startedAt: string
  dbPath: string
  options: WorkloadResult['options']
  shape: WorkloadResult['shape']
  controllers: number
  interrupted: boolean
  trafficSeconds: number
  revision: { start: number; end: number; compactedTo: number }
  db: { sizeBytes: number; sizeInUseBytes: number; walBytes: number }
  categories: Record<string, CategoryReport>
  totals: { ops: number; opsPerSecond: number; conflicts: number; errors: number }
  watch: LatencySummary & { events: number; eventsPerSecond: number; relists: number }
  leases: { granted: number; expired: number }
  rollouts: number
  nodeTaints: { added: number; removed: number }
  verification: WorkloadResult['verification']
  check: CheckReport
  recentErrors: readonly string[]
  /** How objects were stored: ObjectStore, protobuf/MessagePack kinds, encryption at rest. */
  storage: WorkloadResult['storage']
}

const round = (n: number, digits = 3): number => Number(n.toFixed(digits))
const latency = (h: Histogram): LatencySummary => ({ p50Ms: round(h.quantile(0.5)), p99Ms: round(h.quantile(0.99)), maxMs: round(h.maxMs) })

export function buildReport(result: WorkloadResult, check: CheckReport, startedAt: string, dbPath: string): WorkloadReport {
  const seconds = Math.max(result.trafficMs / 1000, 1e-9)
  const categories: Record<string, CategoryReport> = {}
  let ops = 0
  let conflicts = 0
  let errors = 0
  for (const name of categoryNames) {
    const c = result.stats.of(name)
    categories[name] = { ops: c.ops, opsPerSecond: round(c.ops / seconds, 1), ...latency(c.latency), conflicts: c.conflicts, retried: c.retried, errors: c.errors }
    ops += c.ops
    conflicts += c.conflicts
    errors += c.errors
  }
  const s = result.stats
  return {
    format: 'etchlog-workload-report/1',
    startedAt,
    dbPath,
    options: result.options,
    shape: result.shape,
    controllers: result.controllers,
    interrupted: result.interrupted,
    trafficSeconds: round(seconds, 2),
    // The store's compaction point, whichever run moved it: a second run on the same data may
    // not compact at all, and its store is still compacted where the first one left it.
    revision: { start: result.revisionStart, end: result.revisionEnd, compactedTo: Math.max(result.compactedTo, result.status.compactRevision) },
    db: { sizeBytes: result.status.dbSize, sizeInUseBytes: result.status.dbSizeInUse, walBytes: result.status.walSize },
    categories,
    totals: { ops, opsPerSecond: round(ops / seconds, 1), conflicts, errors },
    watch: { events: s.watchEvents, eventsPerSecond: round(s.watchEvents / seconds, 1), ...latency(s.watchLatency), relists: s.relists },
    leases: { granted: s.leasesGranted, expired: result.verification.leasesExpired },
    rollouts: s.rollouts,
    nodeTaints: { added: s.taints, removed: s.untaints },
    verification: result.verification,
    check,
    recentErrors: result.recentErrors,
    storage: result.storage,
  }
}

/** Writes the report beside the database as etchlog-report-<timestamp>.json; returns its path. */
export function writeReport(report: WorkloadReport): string {
  const stamp = report.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
  const path = join(dirname(report.dbPath), `etchlog-report-${stamp}.json`)
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`)
  return path
}

/** Marks a cell that does not apply to its row (never left blank). */
const none = '-'

/** The summary table: counts exact with separators, rates and latencies to three significant digits. */
function summaryTable(r: WorkloadReport): string[] {
  const header = ['category', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'conflicts', 'retried', 'errors']
  const rows = Object.entries(r.categories).map(([name, c]) => [
    name,
    formatCount(c.ops),
    formatMeasure(c.opsPerSecond),
    c.ops === 0 ? none : formatMeasure(c.p50Ms),
    c.ops === 0 ? none : formatMeasure(c.p99Ms),
    formatCount(c.conflicts),
    formatCount(c.retried),
    formatCount(c.errors),
  ])
  const retried = Object.values(r.categories).reduce((sum, c) => sum + c.retried, 0)
  rows.push(['total', formatCount(r.totals.ops), formatMeasure(r.totals.opsPerSecond), none, none, formatCount(r.totals.conflicts), formatCount(retried), formatCount(r.totals.errors)])
  rows.push(['watch events (commit->informer)', formatCount(r.watch.events), formatMeasure(r.watch.eventsPerSecond), formatMeasure(r.watch.p50Ms), formatMeasure(r.watch.p99Ms), none, none, none])
  return renderColumns([header, ...rows])
}

export function formatSummary(r: WorkloadReport): string {
  const v = r.verification
  const mib = (b: number): string => `${formatMeasure(b / 1048576)} MiB`
  return [
    `${r.interrupted ? 'interrupted' : 'finished'} after ${formatMeasure(r.trafficSeconds)} s of traffic (x${r.options.speedup}: ${formatMeasure((r.trafficSeconds * r.options.speedup) / 60)} cluster minutes), ` +
      `${r.options.nodes} nodes, ${r.controllers} controllers, ${r.shape.namespaces * r.shape.deploymentsPerNamespace} deployments, seed ${r.options.seed}`,
    '',
    ...summaryTable(r),
    `informers re-listed ${formatCount(r.watch.relists)} times (after 410 Gone or a closed watch)`,
    '',
    `revision ${formatCount(r.revision.start)} -> ${formatCount(r.revision.end)}, compacted to ${formatCount(r.revision.compactedTo)}; ` +
      `db ${mib(r.db.sizeBytes)} (in use ${mib(r.db.sizeInUseBytes)}, wal ${mib(r.db.walBytes)})`,
    `event leases: ${formatCount(r.leases.granted)} granted, ${formatCount(r.leases.expired)} expired; rollouts: ${formatCount(r.rollouts)}; node taints: +${formatCount(r.nodeTaints.added)} -${formatCount(r.nodeTaints.removed)}`,
    storageLine(r.storage),
    v.ok
      ? `verification: ok (${v.nodesChecked} nodes and ${v.deploymentsChecked} deployments: no lost update; ${v.informersChecked} watch caches equal the store)`
      : `verification: FAILED\n  ${v.problems.slice(0, 10).join('\n  ')}`,
    ...(r.recentErrors.length > 0 ? [`errors (first ${r.recentErrors.length}):`, ...r.recentErrors.map((e) => `  ${e}`)] : []),
    r.check.ok ? `check: ok (${formatCount(r.check.rows)} log rows, ${formatCount(r.check.keys)} live keys)` : `check: FAILED\n  ${r.check.problems.join('\n  ')}`,
  ].join('\n')
}

function storageLine(s: WorkloadReport['storage']): string {
  const sealed = s.encryption === undefined ? 'no encryption at rest' : `encrypted at rest: ${s.encryption.resources.map((r) => `${r.prefixes.join(' ')} with ${r.providers.join(', then ')}`).join('; ')}; other keys plaintext`
  return `object API: protobuf ${s.codec.protobuf.join(', ')}; MessagePack ${s.codec.msgpack.join(', ')}; ${sealed}`
}
