// `npm start`: a cluster's worth of Kubernetes API traffic on an embedded store (docs/workload.md).
// This file only wires: flags, the store, real time, Ctrl-C, the progress line and the output.
import { randomInt } from 'node:crypto'
import { openStore, StorageError, type Store } from './index.js'
import {
  buildReport,
  formatSummary,
  parseWorkloadArgs,
  prepareAtRest,
  Progress,
  usage,
  Workload,
  writeReport,
  type EncryptionSummary,
  type Scheduler,
  type WorkloadOptions,
} from './workload/index.js'

// Real time enters the workload here and nowhere else, as open-store.ts wires the system clock
// into the store. Unlike systemClock's, these timers are not unref'd: while the workload waits
// for its next tick they are what keeps the process alive.
const realScheduler: Scheduler = {
  now: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs)
    return { cancel: () => clearTimeout(t) }
  },
}

function parse(): WorkloadOptions | number {
  try {
    const options = parseWorkloadArgs(process.argv.slice(2), () => randomInt(2 ** 32 - 1))
    if (options !== 'help') return options
    console.log(usage)
    return 0
  } catch (err) {
    if (!(err instanceof StorageError)) throw err
    console.error(`${err.message}\n\n${usage}`)
    return 2
  }
}

// Kubernetes runs etcd with progress notifications every 5 s; informers see them as bookmarks.
const progressNotifyMs = 5000

async function run(store: Store, options: WorkloadOptions, startedAt: string, encryption: EncryptionSummary): Promise<number> {
  const workload = new Workload(store, realScheduler, options, encryption)
  let interruptedAtMs = Number.NEGATIVE_INFINITY
  process.on('SIGINT', () => {
    // One Ctrl-C can arrive twice under `npm start` (the terminal signals the process group and
    // npm forwards it too): a repeat within a second is the same one. A later second Ctrl-C quits
    // at once with 130: every acknowledged write is already committed.
    const now = realScheduler.monotonicMs()
    if (now - interruptedAtMs < 1000) return
    if (workload.phase !== 'bootstrap' && workload.phase !== 'running') process.exit(130)
    interruptedAtMs = now
    workload.stop()
    process.stdout.write('\nstopping: no new operations, letting in-flight ones finish (Ctrl-C again to quit now)\n')
  })
  const tty = process.stdout.isTTY === true
  const progress = new Progress(workload)
  const timer = setInterval(
    () => {
      // On a terminal the line is redrawn in place, so it must never wrap; elsewhere (a pipe, a
      // log file) each is a plain line of its own, complete.
      if (tty) process.stdout.write(`\r${progress.line(Math.max(20, (process.stdout.columns || 80) - 1))}\x1b[K`)
      else console.log(progress.line())
    },
    (options.progressEverySeconds ?? (tty ? 1 : 5)) * 1000,
  )
  let result
  try {
    result = await workload.run()
  } finally {
    clearInterval(timer)
    if (tty) process.stdout.write('\n')
  }
  const check = await store.check()
  await store.close()
  const report = buildReport(result, check, startedAt, options.dbPath)
  const path = writeReport(report)
  console.log(`\n${formatSummary(report)}\nreport: ${path}`)
  return report.verification.ok && check.ok ? 0 : 1
}

async function main(): Promise<number> {
  const options = parse()
  if (typeof options === 'number') return options
  const startedAt = new Date(realScheduler.now()).toISOString()
  // The key file and encryption config beside the database: made on the first run, reused after.
  let atRest
  try {
    atRest = prepareAtRest(options.dbPath)
  } catch (err) {
    // A bad or missing key file or config: say which (the message never holds key material).
    if (!(err instanceof StorageError)) throw err
    console.error(err.message)
    return 1
  }
  const store = await openStore({ path: options.dbPath, durability: options.durability, transformer: atRest.transformer, watchProgressNotifyIntervalMs: progressNotifyMs })
  console.log(
    `etchlog workload on ${options.dbPath} (revision ${store.revision}, compacted at ${store.compactRevision}): ` +
      `${options.nodes} nodes, ${options.controllers} controllers, ${options.durationSeconds} s at x${options.speedup}, seed ${options.seed}`,
  )
  console.log(`encryption at rest: ${atRest.summary.configFile}${atRest.summary.created ? ' (new key and config)' : ''}`)
  try {
    return await run(store, options, startedAt, atRest.summary)
  } finally {
    // Normally already closed by run(); after a crash this still commits what was queued.
    await store.close()
  }
}

process.exitCode = await main()
