// Bugs injected into a copy of the store (a faulty proxy around a real store on a temp file):
// several clients run the random workload through it, and the checker must reject the history.
// The same run without a fault must pass, so a rejection is the fault's doing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkHistory, writeTimeline, type History } from '../../src/verify/index.js'
import { type Fault, FaultyKv } from '../support/history-faulty.js'
import { HistoryRecorder } from '../support/history-recorder.js'
import { defaultKeys, runWorkload } from '../support/history-workload.js'
import { openTestStore, tempDir } from '../support/temp-store.js'

const CLIENTS = 4
const OPS = 150
const seed = Number(process.env['ETCHLOG_LIN_SEED'] ?? 20240611)

async function record(t: Parameters<typeof openTestStore>[0], fault: Fault): Promise<{ history: History; injected: number }> {
  const { store } = await openTestStore(t)
  const faulty = new FaultyKv(store, fault, seed)
  const recorder = new HistoryRecorder()
  const keys = defaultKeys(2)
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runWorkload(faulty, recorder, { client: `c${i}`, seed: seed + i, ops: OPS, keys })))
  return { history: { initialRevision: 1, operations: recorder.operations }, injected: faulty.injected }
}

test('without a fault the same workload checks linearizable', async (t) => {
  t.diagnostic(`seed ${seed}`)
  const { history } = await record(t, 'none')
  for (const partition of ['key', 'none'] as const) {
    const r = checkHistory(history, { partition })
    assert.equal(r.verdict, 'linearizable', `partition=${partition}: ${r.violation?.message ?? ''}`)
  }
})

for (const fault of ['stale-read', 'lost-update', 'reordered-revisions'] as const) {
  test(`an injected ${fault} bug is caught, and drawn`, async (t) => {
    t.diagnostic(`seed ${seed}`)
    const { history, injected } = await record(t, fault)
    assert.ok(injected > 0, 'the fault fired')
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
