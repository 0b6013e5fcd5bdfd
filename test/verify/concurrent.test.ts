// A real concurrent run: async client loops in this process, on worker threads (piscina) and in
// child processes, all on one database file, doing random gets, puts, deletes and
// compare-and-swaps on a small key set, while watchers in this process (some opened late, from
// past revisions) and in each child record every response. The merged history must check
// linearizable, and every watcher's stream must check against it. Knobs (defaults small enough
// for CI):
//   ETCHLOG_LIN_OPS      operations per client loop (300)
//   ETCHLOG_LIN_LOCAL    client loops in this process (3)
//   ETCHLOG_LIN_THREADS  worker threads (2), each with ETCHLOG_LIN_LOOPS loops
//   ETCHLOG_LIN_PROCS    child processes (2), each with ETCHLOG_LIN_LOOPS loops (2)
//   ETCHLOG_LIN_PAIRS    key pairs (3): fewer keys, more contention
//   ETCHLOG_LIN_SEED     workload seed
//   ETCHLOG_LIN_DUMP     write the history as JSON to this path
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Piscina } from 'piscina'
import { openStore, type Store, type WatchRequest } from '../../src/index.js'
import { checkHistory, checkWatches, type History, type Operation, type WatchRecord, writeTimeline } from '../../src/verify/index.js'
import { Child, killChildren, prng } from '../support/child-process.js'
import type { HistoryClientReply, HistoryClientRequest } from '../support/history-client.js'
import { HistoryRecorder, now } from '../support/history-recorder.js'
import { WatchRecording } from '../support/history-watch.js'
import { defaultKeys, runWorkload } from '../support/history-workload.js'
import { tempDir } from '../support/temp-store.js'

const knob = (name: string, fallback: number): number => {
  const raw = process.env[name]
  const n = raw === undefined ? fallback : Number(raw)
  assert.ok(Number.isInteger(n) && n >= 0, `${name} must be a whole number, got ${raw}`)
  return n
}
const OPS = knob('ETCHLOG_LIN_OPS', 300)
const LOCAL = knob('ETCHLOG_LIN_LOCAL', 3)
const THREADS = knob('ETCHLOG_LIN_THREADS', 2)
const PROCS = knob('ETCHLOG_LIN_PROCS', 2)
const LOOPS = knob('ETCHLOG_LIN_LOOPS', 2)
const PAIRS = knob('ETCHLOG_LIN_PAIRS', 3)
const SEED = knob('ETCHLOG_LIN_SEED', Date.now() % 1_000_000)
const CLIENT = new URL('../support/history-client.ts', import.meta.url)
const WORKER = new URL('../support/history-worker.mjs', import.meta.url)
// Late watchers open once the first watcher has seen this revision, from a random earlier one.
const LATE_AFTER = 20
// Only a hung child waits this long; a big campaign's children run for a while.
const CHILD_DEADLINE_MS = 120_000 + OPS * LOOPS * 20

type Reply<T extends HistoryClientReply['type']> = Extract<HistoryClientReply, { type: T }>

/** Watchers in this process: four from the first revision, two opened late from past revisions. */
function startWatchers(store: Store, seed: number): { recordings: WatchRecording[]; late: Promise<void> } {
  const open = (name: string, request: WatchRequest, start: number): WatchRecording =>
    new WatchRecording(name, request, start, now(), store.watch({ ...request, startRevision: start }))
  const recordings = [
    open('w/all', { key: 'k', prefix: true, prevKv: true }, 1),
    open('w/k0', { key: 'k0' }, 1),
    open('w/k1-k3', { key: 'k1', rangeEnd: 'k4', filters: ['NODELETE'] }, 1),
    open('w/deletes', { key: 'k', prefix: true, prevKv: true, filters: ['NOPUT'] }, 1),
  ]
  const first = recordings[0]
  if (first === undefined) throw new Error('concurrent: no first watcher')
  const random = prng(seed)
  const late = first.waitFor(LATE_AFTER).then(() => {
    recordings.push(open('w/late-all', { key: 'k', prefix: true, prevKv: true }, 1 + Math.floor(random() * LATE_AFTER)))
    recordings.push(open('w/late-k2', { key: 'k2', prevKv: true }, 1 + Math.floor(random() * LATE_AFTER)))
  })
  return { recordings, late }
}

/** Ends every watcher once it has seen `end`: the all-keys watcher sees it itself; then W12 tells the others. */
async function stopWatchers(store: Store, recordings: readonly WatchRecording[], end: number): Promise<WatchRecord[]> {
  const [first] = recordings
  await first?.waitFor(end)
  const stopped = recordings.map((w) => w.stopAt(end))
  store.requestProgress()
  return Promise.all(stopped)
}

/** Pairs of ops from different processes whose intervals overlap: the run was concurrent. */
function crossProcessOverlaps(ops: readonly Operation[]): number {
  const process = (op: Operation): string => op.client.split('/')[0] ?? op.client
  const sorted = [...ops].sort((a, b) => a.call - b.call)
  let overlaps = 0
  for (const [i, a] of sorted.entries()) {
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]
      if (b === undefined || b.call > a.return) break
      if (process(a) !== process(b)) overlaps++
    }
  }
  return overlaps
}

test(`${LOCAL} local clients + ${THREADS}x${LOOPS} on worker threads + ${PROCS}x${LOOPS} in child processes: the history is linearizable, the watches are right`, { timeout: 600_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}, ${OPS} ops per client`)
  const dir = tempDir('etchlog-lin-')
  t.after(async () => {
    await killChildren()
    dir.remove()
  })
  const path = join(dir.path, 'etchlog.db')
  const store = await openStore({ path, durability: 'relaxed' })
  const children = Array.from({ length: PROCS }, (_, i) => new Child(`p${i + 1}`, CLIENT, [path, `p${i + 1}`], CHILD_DEADLINE_MS))
  await Promise.all(children.map((c) => c.next<Reply<'ready'>>('ready')))
  const keys = defaultKeys(PAIRS)
  const pool = new Piscina({ filename: WORKER.href, minThreads: THREADS, maxThreads: Math.max(1, THREADS) })
  t.after(() => pool.destroy())
  const watchers = startWatchers(store, SEED)
  const started = performance.now()
  const remote = children.map((c, i) => {
    const request: HistoryClientRequest = { cmd: 'run', seed: SEED + 1000 * (i + 1), ops: OPS, loops: LOOPS, keys, watch: true }
    return c.call<Reply<'history'>>(request, 'history')
  })
  const threads = Array.from({ length: THREADS }, (_, i) => pool.run({ path, name: `t${i + 1}`, seed: SEED + 100_000 * (i + 1), ops: OPS, loops: LOOPS, keys }) as Promise<Operation[]>)
  const recorder = new HistoryRecorder()
  const local = Array.from({ length: LOCAL }, (_, i) => runWorkload(store, recorder, { client: `p0/${i}`, seed: SEED + i, ops: OPS, keys }))
  const [replies, threaded] = await Promise.all([Promise.all(remote), Promise.all(threads), Promise.all(local)])
  const runMs = performance.now() - started
  const operations = [...recorder.operations, ...replies.flatMap((r) => r.operations), ...threaded.flat()]
  // The last revision an acknowledged write got: every watcher must see up to it.
  const end = Math.max(1, ...operations.flatMap((o) => (o.outcome.status === 'ok' ? [o.outcome.response.revision] : [])))
  await watchers.late
  const childWatches = await Promise.all(children.map((c) => c.call<Reply<'watch'>>({ cmd: 'stop-watch', revision: end }, 'watch')))
  const watches = [...(await stopWatchers(store, watchers.recordings, end)), ...childWatches.flatMap((r) => r.watches)]
  await Promise.all(children.map((c) => c.call<Reply<'closed'>>({ cmd: 'close' }, 'closed')))
  const report = await store.check()
  await store.close()
  assert.deepEqual(report.problems, [], 'store.check() after the run')

  const history: History = { initialRevision: 1, operations }
  const dump = process.env['ETCHLOG_LIN_DUMP']
  if (dump !== undefined) writeFileSync(dump, JSON.stringify({ ...history, watches }))
  const ops = history.operations
  const clients = LOCAL + (THREADS + PROCS) * LOOPS
  // A CAS records two ops, so a client may end one past OPS.
  const perClient = new Map<string, number>()
  for (const o of ops) perClient.set(o.client, (perClient.get(o.client) ?? 0) + 1)
  assert.equal(perClient.size, clients, 'every client recorded')
  for (const [client, n] of perClient) assert.ok(n >= OPS && n <= OPS + 1, `${client} recorded ${n} ops`)
  const unknown = ops.filter((o) => o.outcome.status === 'unknown').length
  const casLost = ops.filter((o) => o.outcome.status === 'ok' && o.outcome.response.type === 'txn' && !o.outcome.response.succeeded).length
  const overlaps = crossProcessOverlaps(ops)
  t.diagnostic(`${ops.length} ops by ${clients} clients in ${PROCS + 1} processes and ${THREADS} worker threads in ${runMs.toFixed(0)} ms; ${unknown} unknown, ${casLost} failed compares, ${overlaps} cross-process overlaps`)
  if (PROCS > 0) assert.ok(overlaps > 0, 'operations of different processes overlapped in time')

  for (const partition of ['key', 'none'] as const) {
    const r = checkHistory(history, { partition })
    t.diagnostic(`partition=${partition}: ${r.verdict} in ${r.elapsedMs.toFixed(0)} ms, ${r.partitions} partition(s), ${r.steps} steps`)
    if (r.violation !== undefined) {
      const page = join(process.cwd(), `linearizability-${SEED}-${partition}.html`)
      writeTimeline(history, r.violation, page)
      t.diagnostic(`timeline: ${page}`)
    }
    assert.equal(r.verdict, 'linearizable', `partition=${partition}: ${r.violation?.message ?? ''}`)
  }

  const w = checkWatches(history, watches)
  t.diagnostic(`watches: ${w.verdict} in ${w.elapsedMs.toFixed(0)} ms, ${w.watchers} watchers, ${w.events} events received, ${w.expected} expected`)
  if (w.violation !== undefined) {
    const page = join(process.cwd(), `watch-${SEED}.html`)
    writeTimeline(history, w.violation, page, watches)
    t.diagnostic(`timeline: ${page}`)
  }
  assert.equal(w.verdict, 'valid', w.violation?.message)
  assert.equal(w.watchers, 6 + PROCS, 'every watcher recorded')
  assert.ok(w.expected > 0 && w.events === w.expected, 'the watchers received exactly what they had to')
})
