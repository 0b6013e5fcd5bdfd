// Runs every benchmark, prints a table and rewrites BENCHMARKS.md.
//
//   npm run bench                                  full run (a few minutes), rewrites BENCHMARKS.md
//   npm run bench -- --quick                       each bench once at tiny size, no file written
//   npm run bench -- --sizes=10000,100000 --rounds=3 --phase-ms=2000 --no-write
//   npm run bench -- --history-keys=20000 --history-versions=4 --compaction-rounds=3
//
// --quick is what test/bench/smoke.test.ts runs so that no benchmark rots.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runPointSqlBench } from './log/point-sql.bench.js'
import { runCompactionBench, type CompactionBenchOptions } from './mvcc/compaction.bench.js'
import { populate } from './mvcc/populate.js'
import { fullFanout, quickFanout, runFanoutBench } from './watchcache/fanout.bench.js'
import { runCasBench, type CasBenchOptions } from './mvcc/cas.bench.js'
import { runRangeBench } from './mvcc/range.bench.js'
import { runPutBench, type PutBenchOptions } from './mvcc/put.bench.js'
import { runScaleBench, type ScaleBenchOptions } from './mvcc/scale.bench.js'
import { benchmarksMd } from './support/benchmarks-md.js'
import { describeMachine } from './support/machine.js'
import { consoleReport, type Results } from './support/report.js'
import { tempDir } from './support/temp.js'

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
  },
})

const quick = flags.quick === true
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

const settings = quick
  ? 'quick (smoke) mode: tiny sizes, one short phase each; figures are meaningless'
  : `put phases ${putOptions.rounds} rounds x (${putOptions.warmupMs} ms warm-up + ${putOptions.phaseMs} ms), ` +
    `CAS ${casOptions.clients} clients on ${casOptions.hotKeys.join('/')} hot keys ${casOptions.rounds} rounds x ` +
    `(${casOptions.warmupMs} ms warm-up + ${casOptions.phaseMs} ms), range of ${rangeKeys} keys ${rangeOptions.rounds} x ${rangeOptions.timeMs} ms per variant, ` +
    `scale sizes ${sizes.join(', ')} keys, strict put ${scaleOptions.putTimeMs} ms and get ` +
    `${scaleOptions.getRounds} x ${scaleOptions.getTimeMs} ms per size, ` +
    `compaction history ${compactionOptions.keys} keys x ${compactionOptions.versions} versions, ${compactionOptions.rounds} rounds ` +
    `(${compactionOptions.baselineMs} ms baseline), seeds fixed (bench/support/rng.ts)`

const log = (line: string): void => console.log(line)
const started = performance.now()
const machine = describeMachine()
log(`etchlog bench${quick ? ' --quick' : ''}: ${machine.cpu}, nproc ${machine.nproc}, node ${machine.node}, commit ${machine.commit}`)

log('puts: store vs raw SQLite (durability strict)')
const puts = await runPutBench(putOptions)

log('latency vs key count, point gets vs raw')
const scale = await runScaleBench(scaleOptions, log)

log('point-read SQL alone')
const dir = tempDir()
let pointSql
try {
  const path = dir.file('point-sql.db')
  await populate(path, 0, pointSqlKeys)
  pointSql = await runPointSqlBench({ path, keyCount: pointSqlKeys, timeMs: quick ? 50 : 1000, warmupMs: quick ? 10 : 250 })
} finally {
  dir.remove()
}

log('CAS txns under contention')
const cas = await runCasBench(casOptions)

log('range / list')
const rangeDir = tempDir()
let range
try {
  const path = rangeDir.file('range.db')
  await populate(path, 0, rangeKeys)
  range = await runRangeBench({ path, keyCount: rangeKeys, ...rangeOptions })
} finally {
  rangeDir.remove()
}

log('writes during physical compaction')
const compaction = await runCompactionBench(compactionOptions, log)

log('watch fan-out')
const fanout = await runFanoutBench(quick ? quickFanout : fullFanout)

const command = ['npm run bench', ...(process.argv.slice(2).length > 0 ? ['--', ...process.argv.slice(2)] : [])].join(' ')
const results: Results = { command, settings, machine, puts, scale, pointSql, cas, range, compaction, fanout, elapsedS: (performance.now() - started) / 1000 }
log('')
log(consoleReport(results))

if (!quick && flags['no-write'] !== true) {
  const file = join(import.meta.dirname, '..', 'BENCHMARKS.md')
  writeFileSync(file, benchmarksMd(results))
  log(`wrote ${file}`)
}
