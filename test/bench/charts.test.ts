// The charts drawn from a run's results: one file per chart, every contender that ran has its
// series (etcd only when it ran), and each point carries the figure it was drawn from.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CasRow } from '../../bench/mvcc/cas.bench.js'
import type { PutGroup, PutRow } from '../../bench/mvcc/put.bench.js'
import type { ScaleRow } from '../../bench/mvcc/scale.bench.js'
import { renderCharts, type ChartInput } from '../../bench/support/charts.js'
import type { LatencySummary } from '../../bench/support/stats.js'
import type { EtcdFanoutRow } from '../../bench/watchcache/fanout-etcd.bench.js'
import type { FanoutRow } from '../../bench/watchcache/fanout.bench.js'

const lat = (p50: number, p99: number): LatencySummary => ({ p50, p99, p999: p99, max: p99, samples: 100 })

function putRow(task: string, opsPerSec: number, latencyMs: number): PutRow {
  return { task, result: { name: task, opsPerSec: [opsPerSec, opsPerSec], latenciesMs: [latencyMs, latencyMs, latencyMs * 4], ops: 1000, commits: 100, cpuMs: 10 } }
}

function putGroup(writers: number, etcd: boolean): PutGroup {
  const group: PutGroup = {
    writers,
    rawBatch: writers,
    rawBatchSource: 'test',
    storeBatch: writers,
    store: putRow(`put/writers=${writers}/store`, 1_000 * writers, 1),
    rawLogOnly: putRow(`put/writers=${writers}/raw-log-only`, 1_500 * writers, 0.5),
    rawSameRows: putRow(`put/writers=${writers}/raw-same-rows`, 1_200 * writers, 0.7),
    ratioVsLogOnly: 0.7,
    ratioVsSameRows: 0.8,
  }
  if (etcd) {
    group.etcd = putRow(`put/writers=${writers}/etcd`, 777, 5)
    group.ratioVsEtcd = (1_000 * writers) / 777
  }
  return group
}

function fanoutRow(watchers: number, deliveriesPerSec: number): FanoutRow {
  return { watchers, puts: 1000, putsPerSec: 10_000, deliveries: 1000 * watchers, deliveriesPerSec, ackToDelivered: lat(0.01, 0.1), submitToDelivered: lat(0.3, 6) }
}

function input(etcd: boolean): ChartInput {
  const scale: ScaleRow = {
    keyCount: 10_000,
    populateOpsPerSec: 50_000,
    putTask: 'put',
    put: lat(0.5, 2),
    rawPutTask: 'raw',
    rawPut: lat(0.4, 1.5),
    get: { keyCount: 10_000, storeTask: 'get/store', rawTask: 'get/raw', store: lat(0.009, 0.05), raw: lat(0.005, 0.03), ratio: 0.55 },
  }
  if (etcd) scale.get.etcd = { task: 'get/etcd', latency: lat(0.7, 9), ratio: 77 }
  const cas: CasRow[] = [1, 16, 256].map((hotKeys) => {
    const side = { task: `cas/${hotKeys}`, incrementsPerSec: [300 * hotKeys], conflictRate: 0.5, attemptsPerIncrement: 2, latency: lat(10, 50), counterSum: 10 }
    return etcd ? { ...side, clients: 64, hotKeys, etcd: { ...side, task: `cas/${hotKeys}/etcd`, incrementsPerSec: [50 * hotKeys] }, ratioVsEtcd: 6 } : { ...side, clients: 64, hotKeys }
  })
  const fanoutEtcd: EtcdFanoutRow = { ...fanoutRow(1_000, 250_000), submitToDelivered: lat(3_700, 7_600), streams: 10, drainedMs: 7_000, drained: true, drainLimitMs: 30_000 }
  return {
    puts: [1, 8, 64, 256].map((w) => putGroup(w, etcd)),
    scale: [scale],
    cas,
    fanout: { rows: [fanoutRow(100, 1e6), fanoutRow(1_000, 5e6), fanoutRow(10_000, 8e6)], idleWatchers: 10_000, idleBytesPerWatcher: 1_000, idleTotalMiB: 10, gcExposed: true },
    ...(etcd ? { fanoutEtcd } : {}),
  }
}

const legend = (svg: string): string[] => [...svg.matchAll(/<text class="legend"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '')
const points = (svg: string): number => (svg.match(/<circle class="point"/g) ?? []).length
const bars = (svg: string): number => (svg.match(/<rect class="bar"/g) ?? []).length

test('with etcd, six charts, each with an etcd series beside etchlog', () => {
  const charts = renderCharts(input(true))
  assert.deepEqual(charts.map((c) => c.file), ['put-throughput.svg', 'put-latency.svg', 'get-latency.svg', 'cas-throughput.svg', 'fanout-deliveries.svg', 'fanout-latency.svg'])
  const by = new Map(charts.map((c) => [c.file, c.svg]))
  for (const c of charts) {
    assert.ok(legend(c.svg).some((name) => name.startsWith('etchlog')), `${c.file}: no etchlog series`)
    assert.ok(legend(c.svg).some((name) => name.startsWith('etcd')), `${c.file}: no etcd series`)
  }
  const throughput = by.get('put-throughput.svg') ?? ''
  assert.deepEqual(legend(throughput), ['etchlog store', 'raw SQLite, same rows', 'raw SQLite, log row only', 'etcd (gRPC, loopback)'])
  assert.equal(points(throughput), 16, '4 contenders x 4 writer counts')
  assert.ok(throughput.includes('<title>etchlog store: 256 -&gt; 256k</title>'), 'the store point at 256 writers carries its median puts/s')
  assert.ok(throughput.includes('<title>etcd (gRPC, loopback): 64 -&gt; 777</title>'))
  assert.equal(points(by.get('put-latency.svg') ?? ''), 24, 'p50 and p99 of 3 contenders x 4 writer counts')
  assert.equal(bars(by.get('get-latency.svg') ?? ''), 6, 'p50 and p99 of store, raw, etcd')
  assert.ok((by.get('get-latency.svg') ?? '').includes('<title>etcd (gRPC, loopback), p99: 9k</title>'), 'get latency in µs')
  assert.equal(bars(by.get('cas-throughput.svg') ?? ''), 6)
  assert.equal(points(by.get('fanout-deliveries.svg') ?? ''), 4, '3 store watcher counts + etcd at 1,000')
  assert.equal(points(by.get('fanout-latency.svg') ?? ''), 8)
})

test('bars stand on a linear axis; every chart names the date, commit and machine when given one', () => {
  const machine = { date: '2026-12-08T02:00:00Z', commit: 'abc1234', node: 'v20.20.2', nproc: 2, cpu: 'Test CPU', memoryGiB: 4, loadAvg: '0', os: 'linux', sqlite: '3', betterSqlite3: '12', tmpdir: '/tmp' }
  const charts = renderCharts({ ...input(true), machine })
  for (const c of charts) assert.match(c.svg, /<text class="note"[^>]*>measured 2026-12-08T02:00:00Z at commit abc1234 on Test CPU \(2 cores\), Node v20\.20\.2<\/text>/, c.file)
  for (const file of ['get-latency.svg', 'cas-throughput.svg']) {
    const svg = charts.find((c) => c.file === file)?.svg ?? ''
    assert.ok(!svg.includes('(log scale)'), `${file}: bars on a log axis`)
  }
  assert.ok(!renderCharts(input(true)).some((c) => c.svg.includes('class="note"')), 'no note without a machine')
})

test('without etcd, the same charts with no etcd series', () => {
  const charts = renderCharts(input(false))
  assert.equal(charts.length, 6)
  for (const c of charts) assert.ok(!legend(c.svg).some((name) => name.includes('etcd')), `${c.file} has an etcd series`)
  const by = new Map(charts.map((c) => [c.file, c.svg]))
  assert.equal(points(by.get('put-throughput.svg') ?? ''), 12)
  assert.equal(bars(by.get('get-latency.svg') ?? ''), 4)
  assert.equal(bars(by.get('cas-throughput.svg') ?? ''), 3)
  assert.equal(points(by.get('fanout-deliveries.svg') ?? ''), 3)
})
