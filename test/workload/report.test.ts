// The end-of-run report and summary: the compaction point is the store's (a second run that did
// not compact still reports where the store is compacted), and the table has no blank cells.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReport, formatSummary } from '../../src/workload/report.js'
import { Stats } from '../../src/workload/stats.js'
import type { WorkloadResult } from '../../src/workload/workload.js'

/** A finished run's result: only the fields the report reads, with a few operations recorded. */
function result(compactedThisRun: number, storeCompactRevision: number): WorkloadResult {
  const stats = new Stats()
  for (let i = 0; i < 1500; i++) stats.of('node-status').done(0.6423)
  stats.of('reconcile').done(1.402, 2)
  stats.delivered(0.86)
  const fake = {
    options: { nodes: 10, speedup: 30, seed: 7 },
    shape: { namespaces: 1, deploymentsPerNamespace: 10 },
    stats,
    verification: { ok: true, problems: [], nodesChecked: 10, deploymentsChecked: 10, informersChecked: 5, leasesExpired: 0 },
    interrupted: false,
    trafficMs: 10_000,
    revisionStart: 40_300,
    revisionEnd: 41_000,
    compactedTo: compactedThisRun,
    controllers: 4,
    status: { revision: 41_000, compactRevision: storeCompactRevision, dbSize: 1048576, dbSizeInUse: 1048576, walSize: 0 },
    recentErrors: [],
    storage: { api: 'objects', codec: { protobuf: ['v1/Pod'], msgpack: ['v1/Node'] } },
  }
  // The report reads these fields only; a whole WorkloadResult needs a run.
  return fake as unknown as WorkloadResult
}

const check = { ok: true, problems: [], rows: 12_345, keys: 678 }

test('a run that did not compact reports the compaction point the store already has', () => {
  const report = buildReport(result(0, 40_277), check, '2026-12-08T00:00:00.000Z', '/tmp/x/etchlog.db')
  assert.equal(report.revision.compactedTo, 40_277)
  assert.match(formatSummary(report), /^revision 40,300 -> 41,000, compacted to 40,277;/m)
  assert.equal(buildReport(result(40_900, 40_900), check, '2026-12-08T00:00:00.000Z', '/tmp/x/etchlog.db').revision.compactedTo, 40_900)
})

test('the summary table: one number format, right-aligned, no blank cells, relists on a line of their own', () => {
  const text = formatSummary(buildReport(result(0, 0), check, '2026-12-08T00:00:00.000Z', '/tmp/x/etchlog.db'))
  const lines = text.split('\n')
  const header = lines.findIndex((l) => l.startsWith('category'))
  const table = lines.slice(header, lines.findIndex((l, i) => i > header && l.startsWith('informers re-listed')))
  const width = table[0]?.length ?? 0
  for (const row of table) assert.equal(row.length, width, `row not aligned: ${row}`)
  for (const row of table) assert.equal(row.split(/ {2,}/).length, 8, `a blank cell in: ${row}`)
  assert.match(text, /^node-status +1,500 +150 +0\.642 +0\.642 +0 +0 +0$/m)
  assert.match(text, /^reconcile +1 +0\.100 +1\.40 +1\.40 +1 +1 +0$/m)
  assert.match(text, /^compact +0 +0 +- +- +0 +0 +0$/m)
  assert.match(text, /^watch events \(commit->informer\) +1 +0\.100 +0\.860 +0\.860 +- +- +-$/m)
  assert.match(text, /^informers re-listed 0 times/m)
})
