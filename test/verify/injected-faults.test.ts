// Bugs injected into a copy of the store (a faulty proxy around a real store on a temp file):
// several clients run the random workload through it, and the checker must reject the history.
// Watchers are recorded next to it, through a faulty watch proxy for the watch bugs (a dropped
// or reordered event), and checkWatches must reject those. The same run without a fault must
// pass both checks, so a rejection is the fault's doing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkHistory, checkWatches, writeTimeline, type History, type WatchRecord } from '../../src/verify/index.js'
import { prng } from '../support/child-process.js'
import { type Fault, FaultyKv } from '../support/history-faulty.js'
import { FaultyWatch, type WatchFault } from '../support/history-faulty-watch.js'
import { HistoryRecorder, now } from '../support/history-recorder.js'
import { WatchRecording } from '../support/history-watch.js'
import { defaultKeys, runWorkload } from '../support/history-workload.js'
import { openTestStore, tempDir } from '../support/temp-store.js'

const CLIENTS = 4
const OPS = 150
const seed = Number(process.env['ETCHLOG_LIN_SEED'] ?? 20240611)

async function record(t: Parameters<typeof openTestStore>[0], fault: Fault, watchFault: WatchFault = 'none'): Promise<{ history: History; injected: number; watches: WatchRecord[] }> {
  const { store } = await openTestStore(t)
  const faulty = new FaultyKv(store, fault, seed)
  const recorder = new HistoryRecorder()
  const keys = defaultKeys(2)
  // Two watchers of every key (one with prevKv) and one of k0 only, from the first revision.
  const random = prng(seed)
  const watchFaults: FaultyWatch[] = []
  const requests = [{ key: 'k', prefix: true, prevKv: true }, { key: 'k', prefix: true }, { key: 'k0' }]
  const watchers = requests.map((request, i) => {
    const w = store.watch({ ...request, startRevision: 1 })
    const source = new FaultyWatch(w, watchFault, random)
    watchFaults.push(source)
    return new WatchRecording(`w${i}`, request, 1, now(), source)
  })
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runWorkload(faulty, recorder, { client: `c${i}`, seed: seed + i, ops: OPS, keys })))
  const end = store.revision
  const stopped = watchers.map((w) => w.stopAt(end))
  // W12: a watcher whose keys saw no late write learns through a progress response that it is done.
  store.requestProgress()
  const watches = await Promise.all(stopped)
  const injected = faulty.injected + watchFaults.reduce((n, w) => n + w.injected, 0)
  return { history: { initialRevision: 1, operations: recorder.operations }, injected, watches }
}

test('without a fault the same workload checks linearizable', async (t) => {
  t.diagnostic(`seed ${seed}`)
  const { history, watches } = await record(t, 'none')
  for (const partition of ['key', 'none'] as const) {
    const r = checkHistory(history, { partition })
    assert.equal(r.verdict, 'linearizable', `partition=${partition}: ${r.violation?.message ?? ''}`)
  }
  const w = checkWatches(history, watches)
  assert.equal(w.verdict, 'valid', w.violation?.message)
  t.diagnostic(`watches: ${w.events} events over ${w.watchers} watchers, ${w.expected} expected, ${w.elapsedMs.toFixed(1)} ms`)
  assert.ok(w.expected > 100, 'the watchers had events to check')
})

for (const fault of ['watch-drop', 'watch-reorder'] as const) {
  test(`an injected ${fault} bug is caught by the watch check, and drawn`, async (t) => {
    t.diagnostic(`seed ${seed}`)
    const { history, injected, watches } = await record(t, 'none', fault)
    assert.ok(injected > 0, 'the fault fired')
    assert.equal(checkHistory(history).verdict, 'linearizable', 'the KV history itself is fine')
    const r = checkWatches(history, watches)
    assert.equal(r.verdict, 'violation', `${fault} caught (${injected} injected)`)
    assert.ok(r.violation !== undefined)
    t.diagnostic(`${r.violation.kind}: ${r.violation.message}`)
    assert.equal(r.violation.kind, fault === 'watch-drop' ? 'watch-missing' : 'watch-order')
    const dir = tempDir('etchlog-timeline-')
    t.after(() => dir.remove())
    const path = join(dir.path, `${fault}.html`)
    writeTimeline(history, r.violation, path, watches)
    const html = readFileSync(path, 'utf8')
    assert.match(html, /Watch violation/)
    assert.match(html, /class="bar failing/, 'the response at fault highlighted')
  })
}

for (const fault of ['stale-read', 'lost-update', 'reordered-revisions'] as const) {
  test(`an injected ${fault} bug is caught, and drawn`, async (t) => {
    t.diagnostic(`seed ${seed}`)
    const { history, injected, watches } = await record(t, fault)
    assert.ok(injected > 0, 'the fault fired')
    // Watchers see what was really written: a lost or renumbered write shows there too. A stale
    // read changes nothing a watcher sees.
    const w = checkWatches(history, watches)
    assert.equal(w.verdict, fault === 'stale-read' ? 'valid' : 'violation', `watch check: ${w.violation?.message ?? 'valid'}`)
    t.diagnostic(`watch check: ${w.violation?.kind ?? 'valid'} ${w.violation?.message ?? ''}`)
    for (const partition of ['key', 'none'] as const) {
      const r = checkHistory(history, { partition })
      assert.equal(r.verdict, 'violation', `partition=${partition} catches ${fault} (${injected} injected)`)
      t.diagnostic(`partition=${partition}: ${r.violation?.kind}: ${r.violation?.message} (${r.violation?.ops.length} ops, ${r.elapsedMs.toFixed(0)} ms)`)
    }
    const r = checkHistory(history)
    assert.ok(r.violation !== undefined, 'a violation to draw')
    const dir = tempDir('etchlog-timeline-')
    t.after(() => dir.remove())
    const path = join(dir.path, `${fault}.html`)
    writeTimeline(history, r.violation, path)
    const html = readFileSync(path, 'utf8')
    assert.match(html, /<svg/, 'an SVG timeline')
    assert.match(html, /class="bar failing/, 'the failing ops highlighted')
  })
}
