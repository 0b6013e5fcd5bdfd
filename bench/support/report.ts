// Turns results into text: a plain table for the console and the BENCHMARKS.md document.
import type { ReencryptResult } from '../encryption/reencrypt.bench.js'
import type { ObjectPathResults } from '../objects/object-path.bench.js'
import type { ObjectListResults } from '../objects/list.bench.js'
import { readPathLines, type ReadPathResults } from '../objects/read-path.bench.js'
import { formatServerBench, type ServerBenchResults } from '../apiserver/server.bench.js'
import type { PointSqlRow } from '../log/point-sql.bench.js'
import { etcdFanoutLines, type EtcdFanoutRow } from '../watchcache/fanout-etcd.bench.js'
import type { FanoutResult, FanoutRow } from '../watchcache/fanout.bench.js'
import { LATENCY_TARGET_MS, overRounds, type CompactionResult, type CompactionRound } from '../mvcc/compaction.bench.js'
import { medianIncrementsPerSec, type CasRow, type CasSide } from '../mvcc/cas.bench.js'
import type { PutGroup } from '../mvcc/put.bench.js'
import type { RangeResult } from '../mvcc/range.bench.js'
import type { ScaleRow } from '../mvcc/scale.bench.js'
import type { EtcdInfo } from './etcd.js'
import type { Machine } from './machine.js'
import { median, summarize } from './stats.js'

export interface Results {
  command: string
  settings: string
  machine: Machine
  puts: PutGroup[]
  scale: ScaleRow[]
  pointSql: PointSqlRow[]
  cas: CasRow[]
  range: RangeResult
  compaction: CompactionResult
  fanout: FanoutResult
  /** The same fan-out on etcd at one watcher count, when etcd ran. */
  fanoutEtcd?: EtcdFanoutRow
  reencrypt: ReencryptResult
  objectPath: ObjectPathResults
  objectList: ObjectListResults
  /** Consistent reads from the watch cache (issue 12); printed, not yet in BENCHMARKS.md. */
  readPath?: ReadPathResults
  /** The API server over HTTPS vs the embedded object API vs a bare HTTP/2 server (issue 11); printed, not yet in BENCHMARKS.md. */
  server?: ServerBenchResults
  /** Whether etcd ran side by side, and which. */
  etcd: EtcdInfo
  /** Chart files written (paths relative to the repository root), empty when none were. */
  charts: Array<{ path: string; title: string }>
  elapsedS: number
}

/** The results of the sections `--only` picks from (bench/run.ts benchSections). */
export type SectionKey = 'puts' | 'scale' | 'pointSql' | 'cas' | 'range' | 'compaction' | 'fanout' | 'reencrypt' | 'objectPath' | 'objectList'

/** A run of some sections (`--only`): what consoleReport prints; BENCHMARKS.md needs every section. */
export type PartialResults = Omit<Results, SectionKey> & Partial<Pick<Results, SectionKey>>

const int = (x: number): string => Math.round(x).toLocaleString('en-US')
const ms = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3))
const us = (xMs: number): string => (xMs * 1000).toFixed(1)
/**
 * A ratio to about three significant digits, however large or small: 1.23x, 0.0024x (a 420x
 * speed-up is not "0.00x"), 612x.
 */
export function ratio(x: number): string {
  if (!Number.isFinite(x)) return `${x}x`
  if (x === 0 || Math.abs(x) >= 100) return `${Math.round(x).toLocaleString('en-US')}x`
  if (Math.abs(x) >= 0.1) return `${x.toFixed(2)}x`
  return `${Number(x.toPrecision(2))}x`
}
const maybeRatio = (x: number | undefined): string => (x === undefined ? '–' : ratio(x))

type Table = { head: string[]; rows: string[][] }

export function markdownTable(t: Table): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(t.head), line(t.head.map(() => '---')), ...t.rows.map(line)].join('\n')
}

/** Aligned columns for the console: the first (task names) left, a column of numbers right. */
export function consoleTable(t: Table): string {
  const rows = t.rows.map((r) => r.map((c) => c.replaceAll('`', '')))
  const widths = t.head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  // A number, a ratio (1.23x), a range (3,282–3,412), a pair (0.01 / 0.08) or a percentage; '–' for none.
  const numeric = t.head.map((_, i) => i > 0 && rows.every((r) => /^(\d[\d.,–/ ()x%M-]*|[-–]|)$/.test(r[i] ?? '')))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (numeric[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()
  return [line(t.head), ...rows.map(line)].join('\n')
}

export function putTable(groups: readonly PutGroup[]): Table {
  const rows = groups.flatMap((g) =>
    [g.store, g.rawLogOnly, g.rawSameRows, ...(g.etcd === undefined ? [] : [g.etcd])].map((p) => {
      const r = p.result
      const lat = summarize(r.latenciesMs)
      return [
        `\`${p.task}\``,
        int(median(r.opsPerSec)),
        `${int(Math.min(...r.opsPerSec))}–${int(Math.max(...r.opsPerSec))}`,
        ms(lat.p50),
        ms(lat.p99),
        p === g.etcd ? '–' : (r.ops / r.commits).toFixed(1), // etcd's batching is not visible from its client
        ((r.cpuMs * 1000) / r.ops).toFixed(1),
      ]
    }),
  )
  return { head: ['task', 'median puts/s', 'range over rounds', 'p50 ms', 'p99 ms', 'rows/commit', 'this process CPU µs/put'], rows }
}

export function putRatioTable(groups: readonly PutGroup[]): Table {
  const rows = groups.map((g) => [
    String(g.writers),
    `${g.rawBatch} (${g.rawBatchSource})`,
    g.storeBatch.toFixed(1),
    ratio(g.ratioVsSameRows),
    ratio(g.ratioVsLogOnly),
    g.writers === 1 ? '–' : `>= 0.60x: ${g.ratioVsSameRows >= 0.6 ? 'met' : 'NOT met'}`,
    maybeRatio(g.ratioVsEtcd),
  ])
  return {
    head: ['writers', 'raw rows/txn', 'store puts/commit', 'store / raw same-rows (fair)', 'store / raw log-only', 'target (vs same-rows)', 'store / etcd'],
    rows,
  }
}

export function getTable(scale: readonly ScaleRow[]): Table {
  const rows = scale.map((s) => [
    String(s.keyCount),
    us(s.get.store.p50),
    us(s.get.store.p99),
    us(s.get.raw.p50),
    us(s.get.raw.p99),
    ratio(s.get.ratio),
    s.get.ratio >= 0.5 ? 'met' : 'NOT met',
    s.get.etcd === undefined ? '–' : us(s.get.etcd.latency.p50),
    s.get.etcd === undefined ? '–' : us(s.get.etcd.latency.p99),
    maybeRatio(s.get.etcd?.ratio),
  ])
  return {
    head: ['keys', 'store p50 µs', 'store p99 µs', 'raw p50 µs', 'raw p99 µs', 'store / raw', 'target >= 0.50x', 'etcd p50 µs', 'etcd p99 µs', 'store / etcd'],
    rows,
  }
}

export function scaleTable(scale: readonly ScaleRow[]): Table {
  const first = scale[0]
  const rows = scale.map((s) => [
    String(s.keyCount),
    int(s.populateOpsPerSec),
    `\`${s.putTask}\``,
    ms(s.put.p50),
    ms(s.put.p99),
    first === undefined ? '' : ratio(s.put.p50 / first.put.p50),
    ms(s.rawPut.p50),
    ratio(s.put.p50 / s.rawPut.p50),
    `\`${s.get.storeTask}\``,
    us(s.get.store.p50),
    us(s.get.store.p99),
    first === undefined ? '' : ratio(s.get.store.p50 / first.get.store.p50),
  ])
  return {
    head: ['keys', 'populate puts/s (relaxed)', 'put task', 'put p50 ms', 'put p99 ms', 'put p50 vs smallest', 'raw ref put p50 ms', 'put p50 / raw ref', 'get task', 'get p50 µs', 'get p99 µs', 'get p50 vs smallest'],
    rows,
  }
}

export function pointSqlTable(rows: readonly PointSqlRow[]): Table {
  const hand = rows[0]?.latency.p50 ?? Number.NaN
  return {
    head: ['task', 'p50 µs', 'p99 µs', 'p50 vs hand'],
    rows: rows.map((r) => [`\`${r.task}\``, us(r.latency.p50), us(r.latency.p99), ratio(r.latency.p50 / hand)]),
  }
}

export function casTable(rows: readonly CasRow[]): Table {
  const line = (r: CasSide, vsEtcd: string): string[] => [
    `\`${r.task}\``,
    int(medianIncrementsPerSec(r)),
    `${int(Math.min(...r.incrementsPerSec))}–${int(Math.max(...r.incrementsPerSec))}`,
    `${(r.conflictRate * 100).toFixed(1)} %`,
    r.attemptsPerIncrement.toFixed(2),
    ms(r.latency.p50),
    ms(r.latency.p99),
    int(r.counterSum),
    vsEtcd,
  ]
  return {
    head: ['task', 'median increments/s', 'range over rounds', 'conflict rate', 'txns per increment', 'p50 ms', 'p99 ms', 'counters sum (checked)', 'store / etcd'],
    rows: rows.flatMap((r) => [line(r, maybeRatio(r.ratioVsEtcd)), ...(r.etcd === undefined ? [] : [line(r.etcd, '')])]),
  }
}

export function rangeTable(r: RangeResult): Table {
  return {
    head: ['store task', 'store p50 ms', 'store p99 ms', 'raw task', 'raw p50 ms', 'raw p99 ms', 'store / raw', 'etcd p50 ms', 'etcd p99 ms', 'store / etcd'],
    rows: r.rows.map((row) => [
      `\`${row.storeTask}\``,
      ms(row.store.p50),
      ms(row.store.p99),
      `\`${row.rawTask}\``,
      ms(row.raw.p50),
      ms(row.raw.p99),
      ratio(row.ratio),
      row.etcd === undefined ? '–' : ms(row.etcd.latency.p50),
      row.etcd === undefined ? '–' : ms(row.etcd.latency.p99),
      maybeRatio(row.etcd?.ratio),
    ]),
  }
}

export function objectPathTable(r: ObjectPathResults): Table {
  const rows = r.rows.map((row) => {
    const kv = summarize(row.kv.latenciesMs)
    const obj = summarize(row.objects.latenciesMs)
    return [
      row.operation,
      int(median(row.kv.opsPerSec)),
      int(median(row.encrypted.opsPerSec)),
      int(median(row.objects.opsPerSec)),
      [row.kv, row.encrypted, row.objects].map(cpuPerOp).join(' / '),
      `${ms(kv.p50)} / ${ms(obj.p50)}`,
      ratio(row.encryptionRatio),
      ratio(row.costRatio),
    ]
  })
  return {
    head: ['operation', 'KV ops/s', 'KV + AES-GCM ops/s', 'object ops/s', 'CPU us/op: KV / + AES-GCM / object', 'p50 ms: KV / object', 'AES-GCM alone (KV = 1x)', 'object cost (KV = 1x)'],
    rows,
  }
}

/** Process CPU (all threads) per operation over a contender's measured phases, in microseconds. */
const cpuPerOp = (c: { cpuMs: number; ops: number }): string => (c.ops === 0 ? '-' : ((c.cpuMs * 1000) / c.ops).toFixed(1))

export function objectListTable(r: ObjectListResults): Table {
  const rows = r.rows.map((row) => [`\`${row.task}\``, ms(row.latency.p50), ms(row.latency.p99), ratio(row.vsStore)])
  return { head: ['task', 'p50 ms', 'p99 ms', 'p50 vs store list'], rows }
}

/** The fan-out rows (and etcd's, when it ran) as a table for the console; BENCHMARKS.md keeps fanoutLines. */
export function fanoutTable(r: FanoutResult, etcd?: EtcdFanoutRow): Table {
  const ms2 = (x: number): string => x.toFixed(2)
  const row = (task: string, f: FanoutRow): string[] => [
    task,
    int(f.putsPerSec),
    `${(f.deliveriesPerSec / 1e6).toFixed(2)} M`,
    `${ms2(f.ackToDelivered.p50)} / ${ms2(f.ackToDelivered.p99)}`,
    `${ms2(f.submitToDelivered.p50)} / ${ms2(f.submitToDelivered.p99)}`,
  ]
  const rows = r.rows.map((f) => row(`watch/fanout/watchers=${f.watchers}`, f))
  if (etcd !== undefined) rows.push(row(`watch/fanout/watchers=${etcd.watchers}/etcd`, etcd))
  return { head: ['task', 'puts/s', 'deliveries/s', 'ack->delivered p50 / p99 ms', 'submit->delivered p50 / p99 ms'], rows }
}

export function objectStepsTable(r: ObjectPathResults): Table {
  return { head: ['step (one ~1 KiB Pod)', 'CPU us per call'], rows: r.steps.map((s) => [s.step, s.us.toFixed(1)]) }
}

export function reencryptTable(r: ReencryptResult): Table {
  const rows = r.storeRuns.map((s) => [`\`${s.task}\``, int(s.rewritten), (s.ms / 1000).toFixed(2), int(s.valuesPerSec), ratio(s.vsMainThread)])
  const main = r.reseal.mainMs
  rows.push([`\`${r.reseal.mainTask}\``, int(r.count), (main / 1000).toFixed(2), int((r.count / main) * 1000), ratio(1)])
  const pool = r.reseal.poolMs
  rows.push([`\`${r.reseal.poolTask}\``, int(r.count), (pool / 1000).toFixed(2), int((r.count / pool) * 1000), ratio(main / pool)])
  return { head: ['task', 'values', 'seconds', 'values/s', 'vs main thread'], rows }
}

const mib = (bytes: number): string => (bytes / 1024 ** 2).toFixed(1)

export function compactionTable(c: CompactionResult): Table {
  const rows = c.rows.map((row) => {
    const s = row.rounds.map((r) => r.compactionMs / 1000)
    const size = (total: (r: CompactionRound) => number, inUse: (r: CompactionRound) => number): string =>
      `${mib(overRounds(row, total))} (${mib(overRounds(row, inUse))})`
    return [
      String(row.writers),
      int(row.historyRows),
      int(overRounds(row, (r) => r.rowsRemoved)),
      median(s).toFixed(2),
      `${Math.min(...s).toFixed(2)}–${Math.max(...s).toFixed(2)}`,
      size((r) => r.dbSizeBefore, (r) => r.dbSizeInUseBefore),
      size((r) => r.dbSizeAfter, (r) => r.dbSizeInUseAfter),
      int(overRounds(row, (r) => r.baselinePutsPerSec)),
      int(overRounds(row, (r) => r.duringPutsPerSec)),
    ]
  })
  return {
    head: ['writers', 'history rows', 'rows removed', 'compaction s (median)', 'range over rounds', 'dbSize MiB before (in use)', 'after (in use)', 'puts/s baseline', 'puts/s during'],
    rows,
  }
}

export function compactionLatencyTable(c: CompactionResult): Table {
  const rows = c.rows.flatMap((row) =>
    [
      { task: row.baselineTask, pick: (r: CompactionRound) => r.baseline },
      { task: row.duringTask, pick: (r: CompactionRound) => r.during },
    ].map(({ task, pick }) => [
      `\`${task}\``,
      int(overRounds(row, (r) => pick(r).samples)),
      ms(overRounds(row, (r) => pick(r).p50)),
      ms(overRounds(row, (r) => pick(r).p99)),
      ms(overRounds(row, (r) => pick(r).p999)),
      ms(overRounds(row, (r) => pick(r).max)),
      ms(Math.max(...row.rounds.map((r) => pick(r).max))),
    ]),
  )
  return { head: ['task', 'puts measured', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'worst max ms'], rows }
}

export function compactionRatioTable(c: CompactionResult): Table {
  const rows = c.rows.map((row) => {
    const worst = Math.max(...row.rounds.map((r) => r.during.max))
    return [
      String(row.writers),
      ratio(overRounds(row, (r) => r.during.p50 / r.baseline.p50)),
      ratio(overRounds(row, (r) => r.during.p99 / r.baseline.p99)),
      ms(Math.max(...row.rounds.map((r) => r.baseline.max))),
      ms(worst),
      worst <= LATENCY_TARGET_MS ? 'met' : 'NOT met',
    ]
  })
  return {
    head: ['writers', 'p50 during / baseline', 'p99 during / baseline', 'worst max baseline ms', 'worst max during ms', `target: every put <= ${LATENCY_TARGET_MS} ms`],
    rows,
  }
}

export function consoleReport(r: PartialResults): string {
  const block = <T>(value: T | undefined, lines: (v: T) => string[]): string[] => (value === undefined ? [] : [...lines(value), ''])
  return [
    `etcd side by side: ${r.etcd.note}`,
    '',
    ...block(r.puts, (p) => [`durable puts (${r.settings})`, consoleTable(putTable(p)), '', consoleTable(putRatioTable(p))]),
    ...block(r.scale, (sc) => ['point gets', consoleTable(getTable(sc)), '', 'latency vs key count', consoleTable(scaleTable(sc))]),
    ...block(r.pointSql, (ps) => ['point-read SQL alone', consoleTable(pointSqlTable(ps))]),
    ...block(r.cas, (c) => ['CAS increments under contention (txn: compare MOD, put value+1, failure: range)', consoleTable(casTable(c))]),
    ...block(r.range, (rg) => [`range / list of ${rg.keyCount} keys: store vs raw SQLite`, consoleTable(rangeTable(rg))]),
    ...block(r.compaction, (c) => [
      `writes during physical compaction (history ${c.keys} keys x ${c.versions} versions)`,
      consoleTable(compactionTable(c)),
      '',
      consoleTable(compactionLatencyTable(c)),
      '',
      consoleTable(compactionRatioTable(c)),
    ]),
    ...block(r.fanout, (f) => [
      'watch fan-out (one prefix, all watchers in this process)',
      consoleTable(fanoutTable(f, r.fanoutEtcd)),
      `idle: ${int(f.idleWatchers)} watchers, ${int(f.idleBytesPerWatcher)} B each, ${f.idleTotalMiB.toFixed(1)} MiB in all (gc ${f.gcExposed ? 'exposed' : 'not exposed: run with --expose-gc'})`,
      ...(r.fanoutEtcd === undefined ? [] : (etcdFanoutLines(r.fanoutEtcd).slice(1))),
    ]),
    ...block(r.objectPath, (o) => [
      `object path: ~1 KiB Pod (${o.storedBytes} B stored) through ObjectStore (protobuf + AES-GCM) vs the same bytes through the KV API (identity, and AES-GCM alone)`,
      consoleTable(objectPathTable(o)),
      '',
      consoleTable(objectStepsTable(o)),
    ]),
    ...block(r.objectList, (l) => [
      `object lists of ${l.pods} encrypted pods: store (rv "") vs watch cache (rv "0"); first cached list (loads and decodes) ${ms(l.firstCachedMs)} ms`,
      consoleTable(objectListTable(l)),
    ]),
    ...block(r.readPath, readPathLines),
    ...block(r.server, (sv) => ['API server: HTTPS (HTTP/2) vs the embedded object API vs a bare node:http2 server, and pipeline stages left out', formatServerBench(sv)]),
    ...block(r.reencrypt, (re) => [
      `reencrypt: ${re.count} values of ${re.valueBytes} B, main thread vs a reseal pool of ${re.threads} threads`,
      consoleTable(reencryptTable(re)),
    ]),
    // No chart written: bench/run.ts says why (--quick, --no-write or --only) in one line of its own.
    ...(r.charts.length === 0 ? [] : [`charts: ${r.charts.map((c) => c.path).join(', ')}`, '']),
    `done in ${r.elapsedS.toFixed(0)} s`,
  ].join('\n')
}
