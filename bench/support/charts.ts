// The charts the bench draws from its own results (support/svg-chart.ts), written next to
// BENCHMARKS.md in docs/bench/ by a full run and linked from it.
import { median, summarize } from './stats.js'
import { medianIncrementsPerSec } from '../mvcc/cas.bench.js'
import type { PutGroup, PutRow } from '../mvcc/put.bench.js'
import type { Results } from './report.js'
import { barChartSvg, compactNumber, lineChartSvg, type Series } from './svg-chart.js'
import type { Machine } from './machine.js'

export interface Chart {
  /** File name, e.g. 'put-throughput.svg'. */
  file: string
  title: string
  svg: string
}

/** One colour per contender across every chart. */
export const COLOURS = { store: '#1f77b4', rawSameRows: '#d62728', rawLogOnly: '#ff7f0e', etcd: '#2ca02c' } as const

// Milliseconds: compact like every other tick label (1.2k, never 1200), small values to 2 digits.
const ms = (v: number): string => (v >= 1000 ? compactNumber(v) : v >= 1 ? String(Number(v.toPrecision(3))) : v.toPrecision(2))

function putSeries(
  groups: readonly PutGroup[],
  name: string,
  color: string,
  pick: (g: PutGroup) => PutRow | undefined,
  y: (r: PutRow) => number,
  dashed = false,
): Series[] {
  const points = groups.flatMap((g) => {
    const row = pick(g)
    return row === undefined ? [] : [[g.writers, y(row)] as const]
  })
  return points.length === 0 ? [] : [{ name, points, dashed, color }]
}


function putThroughput(r: NotedInput): Chart {
  const title = 'Durable puts: throughput vs concurrent writers'
  const ops = (row: PutRow): number => median(row.result.opsPerSec)
  const series = [
    ...putSeries(r.puts, 'etchlog store', COLOURS.store, (g) => g.store, ops),
    ...putSeries(r.puts, 'raw SQLite, same rows', COLOURS.rawSameRows, (g) => g.rawSameRows, ops),
    ...putSeries(r.puts, 'raw SQLite, log row only', COLOURS.rawLogOnly, (g) => g.rawLogOnly, ops),
    ...putSeries(r.puts, 'etcd (gRPC, loopback)', COLOURS.etcd, (g) => g.etcd, ops),
  ]
  const writers = r.puts.map((g) => g.writers)
  return { file: 'put-throughput.svg', title, svg: lineChartSvg({ title, note: r.note, x: { label: 'concurrent writers', log: true, ticks: writers }, y: { label: 'puts/s (median over rounds)', log: true }, series }) }
}

function putLatency(r: NotedInput): Chart {
  const title = 'Durable puts: latency p50 (solid) and p99 (dashed)'
  const p50 = (row: PutRow): number => summarize(row.result.latenciesMs).p50
  const p99 = (row: PutRow): number => summarize(row.result.latenciesMs).p99
  const series = [
    ...putSeries(r.puts, 'etchlog p50', COLOURS.store, (g) => g.store, p50),
    ...putSeries(r.puts, 'etchlog p99', COLOURS.store, (g) => g.store, p99, true),
    ...putSeries(r.puts, 'raw SQLite txn p50', COLOURS.rawSameRows, (g) => g.rawSameRows, p50),
    ...putSeries(r.puts, 'raw SQLite txn p99', COLOURS.rawSameRows, (g) => g.rawSameRows, p99, true),
    ...putSeries(r.puts, 'etcd p50', COLOURS.etcd, (g) => g.etcd, p50),
    ...putSeries(r.puts, 'etcd p99', COLOURS.etcd, (g) => g.etcd, p99, true),
  ]
  const writers = r.puts.map((g) => g.writers)
  return { file: 'put-latency.svg', title, svg: lineChartSvg({ title, note: r.note, x: { label: 'concurrent writers', log: true, ticks: writers }, y: { label: 'ms per put (raw: per transaction)', log: true, format: ms }, series }) }
}

function getLatency(r: NotedInput): Chart {
  const row = r.scale.find((s) => s.get.etcd !== undefined) ?? r.scale[0]
  const title = `Point gets, one at a time${row === undefined ? '' : ` (${row.keyCount.toLocaleString('en-US')} keys)`}: latency`
  const g = row?.get
  const series = g === undefined ? [] : [
    { name: 'etchlog store', values: [g.store.p50 * 1000, g.store.p99 * 1000], color: COLOURS.store },
    { name: 'raw SQLite', values: [g.raw.p50 * 1000, g.raw.p99 * 1000], color: COLOURS.rawSameRows },
    ...(g.etcd === undefined ? [] : [{ name: 'etcd (gRPC, loopback)', values: [g.etcd.latency.p50 * 1000, g.etcd.latency.p99 * 1000], color: COLOURS.etcd }]),
  ]
  return { file: 'get-latency.svg', title, svg: barChartSvg({ title, note: r.note, categories: ['p50', 'p99'], y: { label: 'µs per get' }, series }) }
}

function casThroughput(r: NotedInput): Chart {
  const title = `CAS increments under contention (${r.cas[0]?.clients ?? 0} clients)`
  const series = [
    { name: 'etchlog store', values: r.cas.map((c) => medianIncrementsPerSec(c)), color: COLOURS.store },
    ...(r.cas.some((c) => c.etcd !== undefined) ? [{ name: 'etcd (gRPC, loopback)', color: COLOURS.etcd, values: r.cas.map((c) => (c.etcd === undefined ? Number.NaN : medianIncrementsPerSec(c.etcd))) }] : []),
  ]
  return {
    file: 'cas-throughput.svg',
    title,
    svg: barChartSvg({ title, categories: r.cas.map((c) => `${c.hotKeys} hot key${c.hotKeys === 1 ? '' : 's'}`), y: { label: 'committed increments/s' }, series, note: r.note }),
  }
}

function fanoutDeliveries(r: NotedInput): Chart {
  const title = 'Watch fan-out: deliveries/s vs watchers'
  const series: Series[] = [{ name: 'etchlog store', color: COLOURS.store, points: r.fanout.rows.map((row) => [row.watchers, row.deliveriesPerSec] as const) }]
  if (r.fanoutEtcd !== undefined) series.push({ name: 'etcd (gRPC, loopback)', color: COLOURS.etcd, points: [[r.fanoutEtcd.watchers, r.fanoutEtcd.deliveriesPerSec]] })
  return { file: 'fanout-deliveries.svg', title, svg: lineChartSvg({ title, note: r.note, x: { label: 'watchers', log: true, ticks: r.fanout.rows.map((row) => row.watchers) }, y: { label: 'events delivered/s', log: true }, series }) }
}

function fanoutLatency(r: NotedInput): Chart {
  const title = 'Watch fan-out: put submitted -> delivered, p50 and p99 (dashed)'
  const rows = r.fanout.rows
  const series: Series[] = [
    { name: 'etchlog p50', color: COLOURS.store, points: rows.map((row) => [row.watchers, row.submitToDelivered.p50] as const) },
    { name: 'etchlog p99', color: COLOURS.store, points: rows.map((row) => [row.watchers, row.submitToDelivered.p99] as const), dashed: true },
  ]
  const e = r.fanoutEtcd
  if (e !== undefined) {
    series.push({ name: 'etcd p50', color: COLOURS.etcd, points: [[e.watchers, e.submitToDelivered.p50]] })
    series.push({ name: 'etcd p99', color: COLOURS.etcd, points: [[e.watchers, e.submitToDelivered.p99]], dashed: true })
  }
  return { file: 'fanout-latency.svg', title, svg: lineChartSvg({ title, note: r.note, x: { label: 'watchers', log: true, ticks: rows.map((row) => row.watchers) }, y: { label: 'ms', log: true, format: ms }, series }) }
}

/** What the charts are drawn from; the machine, when given, is named under every chart. */
export type ChartInput = Pick<Results, 'puts' | 'scale' | 'cas' | 'fanout' | 'fanoutEtcd'> & { machine?: Machine }

/** The line under each chart: when, at which commit and on what machine its figures were measured. */
export function chartNote(m: Machine): string {
  return `measured ${m.date} at commit ${m.commit} on ${m.cpu} (${m.nproc} cores), Node ${m.node}`
}

export function renderCharts(input: ChartInput): Chart[] {
  const r = { ...input, note: input.machine === undefined ? undefined : chartNote(input.machine) }
  return [putThroughput(r), putLatency(r), getLatency(r), casThroughput(r), fanoutDeliveries(r), fanoutLatency(r)]
}

type NotedInput = ChartInput & { note: string | undefined }
