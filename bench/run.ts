// Runs every benchmark, prints a table and rewrites BENCHMARKS.md.
//
//   npm run bench                                  full run (~14 min here with etcd), rewrites BENCHMARKS.md
//                                                  and docs/bench/*.svg
//   npm run bench -- --quick                       each bench once at tiny size, no file written
//   npm run bench -- --sizes=10000,100000 --rounds=3 --phase-ms=2000 --no-write
//   npm run bench -- --history-keys=20000 --history-versions=4 --compaction-rounds=3
//   npm run bench -- --quick --charts-dir=/tmp/charts   also write the SVG charts somewhere
//   npm run bench -- --no-etcd                          leave real etcd out even when installed
//   npm run bench -- --reencrypt-values=20000
//   npm run bench -- --quick --md-out=/tmp/b.md          write the BENCHMARKS.md text elsewhere
//   npm run bench -- --only=puts,objects                  some sections only (names: see benchSections);
//   npm run bench -- --only=read-path                     consistent reads from the watch cache (issue 12)
//                                                  prints their tables, writes no file
//
// --quick is what test/bench/smoke.test.ts runs so that no benchmark rots.
//
// Real etcd (bench/support/etcd.ts) runs side by side when it is found: started before the first
// section, fed the same keys, measured in the same rounds as the store, and stopped in `finally`
// whatever happens. A new section: run it below, add its result to Results (support/report.ts),
// its table to consoleReport and benchmarksMd, and its chart (if any) to support/charts.ts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { runPointSqlBench } from './log/point-sql.bench.js'
import { runObjectListBench, type ObjectListOptions } from './objects/list.bench.js'
import { runObjectPathBench, type ObjectPathOptions } from './objects/object-path.bench.js'
import { runServerBench } from './apiserver/server.bench.js'
import { fullReadPath, quickReadPath, runReadPathBench } from './objects/read-path.bench.js'
import { runCompactionBench, type CompactionBenchOptions } from './mvcc/compaction.bench.js'
import { populate } from './mvcc/populate.js'
import { fullFanout, quickFanout, runFanoutBench } from './watchcache/fanout.bench.js'
import { runEtcdFanout } from './watchcache/fanout-etcd.bench.js'
import { runCasBench, type CasBenchOptions } from './mvcc/cas.bench.js'
import { runRangeBench } from './mvcc/range.bench.js'
import { runPutBench, type PutBenchOptions } from './mvcc/put.bench.js'
import { runScaleBench, type ScaleBenchOptions } from './mvcc/scale.bench.js'
import { runReencryptBench } from './encryption/reencrypt.bench.js'
import { benchmarksMd } from './support/benchmarks-md.js'
import { renderCharts } from './support/charts.js'
import { populateEtcd, startBenchEtcd, type BenchEtcd } from './support/etcd.js'
import { describeMachine } from './support/machine.js'
import { consoleReport, type PartialResults, type Results } from './support/report.js'
import { removeTempDirs, tempDir } from './support/temp.js'

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    sizes: { type: 'string' },
    rounds: { type: 'string' },
    'phase-ms': { type: 'string' },
    'history-keys': { type: 'string' },
    'history-versions': { type: 'string' },
    'compaction-rounds': { type: 'string' },
    'charts-dir': { type: 'string' },
    'no-etcd': { type: 'boolean', default: false },
    'reencrypt-values': { type: 'string' },
    'md-out': { type: 'string' },
    only: { type: 'string' },
  },
})

const quick = flags.quick === true

/** Section names for --only, and whether each drives etcd side by side. */
const benchSections = { puts: true, gets: true, cas: true, range: true, compaction: false, fanout: true, objects: false, 'read-path': false, server: false, reencrypt: false } as const
type SectionName = keyof typeof benchSections
const isSectionName = (name: string): name is SectionName => Object.hasOwn(benchSections, name)
const only = parseOnly(flags.only)
const want = (name: SectionName): boolean => only === undefined || only.has(name)

function parseOnly(text: string | undefined): Set<SectionName> | undefined {
  if (text === undefined) return undefined
  const names = text.split(',').map((n) => n.trim())
  const unknown = names.filter((n) => !isSectionName(n))
  if (unknown.length > 0) {
    throw new Error(`bench: --only takes section names from ${Object.keys(benchSections).join(', ')}; got ${JSON.stringify(text)}`)
  }
  if (flags['md-out'] !== undefined || flags['charts-dir'] !== undefined) throw new Error('bench: --only writes no BENCHMARKS.md and no charts (they need every section)')
  return new Set(names.filter(isSectionName))
}
const positive = (text: string | undefined, fallback: number, name: string): number => {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`bench: --${name} must be a positive integer, got ${text}`)
  return n
}

const sizes = flags.sizes?.split(',').map((s) => positive(s, 0, 'sizes')) ?? (quick ? [1_000, 2_000] : [10_000, 100_000, 1_000_000])
const putOptions: PutBenchOptions = quick
  ? { writers: [1, 8, 64, 256], rounds: 1, warmupMs: 20, phaseMs: 150, calibrationMs: 100 }
  : { writers: [1, 8, 64, 256], rounds: positive(flags.rounds, 7, 'rounds'), warmupMs: 500, phaseMs: positive(flags['phase-ms'], 3000, 'phase-ms'), calibrationMs: 2000 }
const scaleOptions: ScaleBenchOptions = quick
  ? { sizes, putTimeMs: 100, getTimeMs: 50, getRounds: 1, warmupMs: 10 }
  : { sizes, putTimeMs: 3000, getTimeMs: 1000, getRounds: 3, warmupMs: 250 }
const pointSqlKeys = quick ? 1_000 : 10_000
const casOptions: CasBenchOptions = quick
  ? { clients: 64, hotKeys: [1, 16, 256], rounds: 1, warmupMs: 20, phaseMs: 150 }
  : { clients: 64, hotKeys: [1, 16, 256], rounds: positive(flags.rounds, 5, 'rounds'), warmupMs: 300, phaseMs: 2000 }
const rangeKeys = quick ? 1_000 : 10_000
const rangeOptions = quick ? { rounds: 1, timeMs: 30, warmupMs: 5 } : { rounds: 3, timeMs: 1000, warmupMs: 200 }
const compactionOptions: CompactionBenchOptions = {
  keys: positive(flags['history-keys'], quick ? 500 : 50_000, 'history-keys'),
  versions: positive(flags['history-versions'], 4, 'history-versions'),
  writers: [1, 8],
  rounds: positive(flags['compaction-rounds'], quick ? 1 : 5, 'compaction-rounds'),
  warmupMs: quick ? 20 : 300,
  baselineMs: quick ? 150 : 3000,
}

const objectPathOptions: ObjectPathOptions = quick
  ? { writers: [1, 64], readKeys: 200, readers: 1, rounds: 1, warmupMs: 20, phaseMs: 150, microIterations: 200 }
  : { writers: [1, 8, 64], readKeys: 10_000, readers: 1, rounds: positive(flags.rounds, 5, 'rounds'), warmupMs: 300, phaseMs: 2000, microIterations: 5000 }

const objectListOptions: ObjectListOptions = quick
  ? { pods: 300, rounds: 1, timeMs: 30, warmupMs: 5 }
  : { pods: 10_000, rounds: 3, timeMs: 2000, warmupMs: 300 }

const reencryptValues = positive(flags['reencrypt-values'], quick ? 2_000 : 100_000, 'reencrypt-values')
// etcd holds the pop keys of the range section; its gets run at the smallest scale size that fits.
const etcdKeys = rangeKeys
// etcd's fan-out runs at one watcher count (a phase there takes seconds of client decoding).
const etcdWatchers = quick ? 100 : 1_000

const settings = quick
  ? 'quick (smoke) mode: tiny sizes, one short phase each; figures are meaningless'
  : `put phases ${putOptions.rounds} rounds x (${putOptions.warmupMs} ms warm-up + ${putOptions.phaseMs} ms), ` +
    `CAS ${casOptions.clients} clients on ${casOptions.hotKeys.join('/')} hot keys ${casOptions.rounds} rounds x ` +
    `(${casOptions.warmupMs} ms warm-up + ${casOptions.phaseMs} ms), range of ${rangeKeys} keys ${rangeOptions.rounds} x ${rangeOptions.timeMs} ms per variant, ` +
    `scale sizes ${sizes.join(', ')} keys, strict put ${scaleOptions.putTimeMs} ms and get ` +
    `${scaleOptions.getRounds} x ${scaleOptions.getTimeMs} ms per size, ` +
    `compaction history ${compactionOptions.keys} keys x ${compactionOptions.versions} versions, ${compactionOptions.rounds} rounds ` +
    `(${compactionOptions.baselineMs} ms baseline), reencrypt ${reencryptValues} values, ` +
    `object path ${objectPathOptions.rounds} rounds x (${objectPathOptions.warmupMs} ms warm-up + ${objectPathOptions.phaseMs} ms) per writer count, ` +
    `object lists of ${objectListOptions.pods} pods ${objectListOptions.rounds} rounds x ${objectListOptions.timeMs} ms per task, ` +
    `etcd (when found) in the same rounds and fan-out at ${etcdWatchers} watchers, seeds fixed (bench/support/rng.ts)`

const log = (line: string): void => console.log(line)
const started = performance.now()
const machine = describeMachine()
log(`etchlog bench${quick ? ' --quick' : ''}: ${machine.cpu}, nproc ${machine.nproc}, node ${machine.node}, commit ${machine.commit}`)
const etcdWanted = Object.entries(benchSections).some(([name, usesEtcd]) => usesEtcd && want(name as SectionName))
const etcdLeftOut = flags['no-etcd'] === true ? '--no-etcd' : etcdWanted ? undefined : 'no section of --only runs it'
const etcdStart = await startBenchEtcd(log, etcdLeftOut === undefined ? {} : { leftOut: etcdLeftOut })
const etcd: BenchEtcd | undefined = etcdStart.etcd
// Ctrl-C or a kill mid-run: stop etcd (it would outlive us when the signal reaches only this
// process) and remove its data dir and the sections' temp folders, then exit as the signal would have.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`bench: ${signal}, stopping etcd`)
    const exit = (): never => {
      removeTempDirs()
      return process.exit(signal === 'SIGINT' ? 130 : 143)
    }
    if (etcd === undefined) exit()
    else void etcd.stop().then(exit, exit)
  })
}
// A crash outside the awaited sections (a throw in a callback) would leave etcd running: stop it.
const crash = (err: unknown): void => {
  console.error(err)
  const exit = (): never => {
    removeTempDirs()
    return process.exit(1)
  }
  if (etcd === undefined) exit()
  else void etcd.stop().then(exit, exit)
}
process.once('uncaughtException', crash)
process.once('unhandledRejection', crash)
const ran = await (async (): Promise<PartialResults> => {
  try {
    return await runSections(etcd)
  } finally {
    await etcd?.stop()
  }
})()
if (only !== undefined) {
  log('')
  log(consoleReport(ran))
  log(`--only ${[...only].join(',')}: BENCHMARKS.md and charts not written (they need every section)`)
  process.exit(0)
}
const results = complete(ran)

const root = join(import.meta.dirname, '..')
const writeMd = !quick && flags['no-write'] !== true
const chartsDir = flags['charts-dir'] ?? (writeMd ? join(root, 'docs', 'bench') : undefined)
const charts = renderCharts(results)
if (chartsDir !== undefined) {
  mkdirSync(chartsDir, { recursive: true })
  for (const c of charts) {
    const file = join(chartsDir, c.file)
    writeFileSync(file, c.svg)
    results.charts.push({ path: relative(root, file), title: c.title })
  }
}
log('')
log(consoleReport(results))
if (chartsDir === undefined) log(`charts: ${charts.length} rendered, not written (${quick ? '--quick' : '--no-write'}; --charts-dir=DIR writes them)`)

const mdFile = flags['md-out'] ?? (writeMd ? join(root, 'BENCHMARKS.md') : undefined)
if (mdFile !== undefined) {
  writeFileSync(mdFile, benchmarksMd(results))
  log(`wrote ${mdFile}`)
}

/** A run of every section: the whole Results, which BENCHMARKS.md and the charts need. */
function complete(r: PartialResults): Results {
  const { puts, scale, pointSql, cas, range, compaction, fanout, reencrypt, objectPath, objectList } = r
  if (
    puts === undefined || scale === undefined || pointSql === undefined || cas === undefined || range === undefined ||
    compaction === undefined || fanout === undefined || reencrypt === undefined || objectPath === undefined || objectList === undefined
  ) {
    throw new Error('bench: a run without --only ran every section')
  }
  return { ...r, puts, scale, pointSql, cas, range, compaction, fanout, reencrypt, objectPath, objectList }
}

async function runSections(etcd: BenchEtcd | undefined): Promise<PartialResults> {
  const client = etcd?.client
  if (client !== undefined && (want('gets') || want('range'))) {
    const rate = await populateEtcd(client, etcdKeys)
    log(`  etcd: populated ${etcdKeys} keys (${Math.round(rate)} puts/s, 256 in flight)`)
  }

  let puts
  if (want('puts')) {
    log('puts: store vs raw SQLite' + (client === undefined ? '' : ' vs etcd') + ' (durability strict)')
    puts = await runPutBench({ ...putOptions, ...(client === undefined ? {} : { etcd: client }) })
  }

  let scale
  let pointSql
  if (want('gets')) {
    log('latency vs key count, point gets vs raw')
    scale = await runScaleBench({ ...scaleOptions, ...(client === undefined ? {} : { etcd: { client, keyCount: etcdKeys } }) }, log)
    log('point-read SQL alone')
    const dir = tempDir()
    try {
      const path = dir.file('point-sql.db')
      await populate(path, 0, pointSqlKeys)
      pointSql = await runPointSqlBench({ path, keyCount: pointSqlKeys, timeMs: quick ? 50 : 1000, warmupMs: quick ? 10 : 250 })
    } finally {
      dir.remove()
    }
  }

  let cas
  if (want('cas')) {
    log('CAS txns under contention')
    cas = await runCasBench({ ...casOptions, ...(client === undefined ? {} : { etcd: client }) })
  }

  let range
  if (want('range')) {
    log('range / list')
    const rangeDir = tempDir()
    try {
      const path = rangeDir.file('range.db')
      await populate(path, 0, rangeKeys)
      range = await runRangeBench({ path, keyCount: rangeKeys, ...rangeOptions, ...(client === undefined ? {} : { etcd: client }) })
    } finally {
      rangeDir.remove()
    }
  }

  let compaction
  if (want('compaction')) {
    log('writes during physical compaction')
    compaction = await runCompactionBench(compactionOptions, log)
  }

  let fanout
  let fanoutEtcd
  if (want('fanout')) {
    log('watch fan-out')
    const fanoutOptions = quick ? quickFanout : fullFanout
    fanout = await runFanoutBench(fanoutOptions)
    if (etcd !== undefined) {
      log(`  etcd: ${etcdWatchers} watchers`)
      fanoutEtcd = await runEtcdFanout({ ...fanoutOptions, endpoint: etcd.endpoint, client: etcd.client, watchers: etcdWatchers, watchersPerStream: 100, drainMs: quick ? 2_000 : 30_000 })
    }
  }

  let objectPath
  let objectList
  if (want('objects')) {
    log('object path (codec + AES-GCM + store) vs KV path')
    objectPath = await runObjectPathBench(objectPathOptions)
    log('object lists: store vs watch cache')
    objectList = await runObjectListBench(objectListOptions)
  }

  let reencrypt
  let readPath
  if (want('read-path')) {
    log('read path: consistent reads from the watch cache vs KV gets and the store fallback; event-loop stalls')
    readPath = await runReadPathBench(quick ? quickReadPath : { ...fullReadPath, rounds: positive(flags.rounds, fullReadPath.rounds, 'rounds') })
  }

  let server
  if (want('server')) {
    log('API server: HTTPS vs embedded objects vs bare HTTP/2; pipeline stages on and off; watch fan-out over HTTP/2')
    server = await runServerBench(
      quick ? { inFlight: [1, 8], readKeys: 50, rounds: 1, warmupMs: 50, phaseMs: 200, watchers: 50, watchWrites: 20 } : { inFlight: [1, 64], readKeys: 1000, rounds: positive(flags.rounds, 5, 'rounds'), warmupMs: 300, phaseMs: 1500, watchers: 1000, watchWrites: 200 },
      log,
    )
  }

  if (want('reencrypt')) {
    log('reencrypt: main thread vs reseal pool')
    reencrypt = await runReencryptBench({ count: reencryptValues })
  }

  const command = ['npm run bench', ...(process.argv.slice(2).length > 0 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
  return {
    command,
    settings,
    machine,
    puts,
    scale,
    pointSql,
    cas,
    range,
    compaction,
    fanout,
    ...(fanoutEtcd === undefined ? {} : { fanoutEtcd }),
    reencrypt,
    objectPath,
    objectList,
    ...(readPath === undefined ? {} : { readPath }),
    ...(server === undefined ? {} : { server }),
    etcd: etcdStart.info,
    charts: [],
    elapsedS: (performance.now() - started) / 1000,
  }
}
