// Consistent reads served from the watch cache (KEP-2340) under the linearizability checker:
// clients in this process and in child processes on the same file run the random workload with
// every get answered by their own process's cache (after it reached the store's revision), and the
// merged history must check linearizable. A cache proxy that answers some gets from a few
// revisions back must be caught. Knobs: ETCHLOG_LIN_OPS (200), ETCHLOG_LIN_SEED.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { openStore } from '../../src/index.js'
import { checkHistory, type History } from '../../src/verify/index.js'
import { Child, killChildren } from '../support/child-process.js'
import { CachedReadKv } from '../support/history-cached-kv.js'
import type { HistoryClientReply, HistoryClientRequest } from '../support/history-client.js'
import { HistoryRecorder } from '../support/history-recorder.js'
import { defaultKeys, runWorkload } from '../support/history-workload.js'
import { openTestStore, tempDir } from '../support/temp-store.js'

const OPS = Number(process.env['ETCHLOG_LIN_OPS'] ?? 200)
const SEED = Number(process.env['ETCHLOG_LIN_SEED'] ?? Date.now() % 1_000_000)
const CLIENT = new URL('../support/history-client.ts', import.meta.url)
type Reply<T extends HistoryClientReply['type']> = Extract<HistoryClientReply, { type: T }>

test('consistent reads from the watch cache in 3 local clients and 2x2 in child processes, with their writes: linearizable', { timeout: 300_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}, ${OPS} ops per client`)
  const dir = tempDir('etchlog-cached-lin-')
  t.after(async () => {
    await killChildren()
    dir.remove()
  })
  const path = join(dir.path, 'etchlog.db')
  const store = await openStore({ path, durability: 'relaxed' })
  const children = ['p1', 'p2'].map((name) => new Child(name, CLIENT, [path, name], 120_000 + OPS * 40))
  await Promise.all(children.map((c) => c.next<Reply<'ready'>>('ready')))
  const keys = defaultKeys(2)
  const remote = children.map((c, i) => {
    const request: HistoryClientRequest = { cmd: 'run', seed: SEED + 1000 * (i + 1), ops: OPS, loops: 2, keys, watch: false, cachedReads: true }
    return c.call<Reply<'history'>>(request, 'history')
  })
  const kv = new CachedReadKv(store)
  const recorder = new HistoryRecorder()
  const local = Array.from({ length: 3 }, (_, i) => runWorkload(kv, recorder, { client: `p0/${i}`, seed: SEED + i, ops: OPS, keys }))
  const [replies] = await Promise.all([Promise.all(remote), Promise.all(local)])
  await Promise.all(children.map((c) => c.call<Reply<'closed'>>({ cmd: 'close' }, 'closed')))
  const stats = store.readPathStats()
  const report = await store.check()
  await store.close()
  assert.deepEqual(report.problems, [])
  t.diagnostic(`local gets: ${kv.hits} from the cache, ${kv.fallbacks} from the store; cache ${JSON.stringify(stats.cache)}`)
  assert.ok(kv.hits > 0 && stats.cache.consistentHits === kv.hits, 'the local gets were served by the cache')
  const history: History = { initialRevision: 1, operations: [...recorder.operations, ...replies.flatMap((r) => r.operations)] }
  assert.equal(history.operations.length >= 7 * OPS, true, 'every client recorded')
  for (const partition of ['key', 'none'] as const) {
    const r = checkHistory(history, { partition })
    t.diagnostic(`partition=${partition}: ${r.verdict} in ${r.elapsedMs.toFixed(0)} ms`)
    assert.equal(r.verdict, 'linearizable', `partition=${partition}: ${r.violation?.message ?? ''}`)
  }
})

test('a cache proxy that answers some consistent gets from a few revisions back is caught', async (t) => {
  t.diagnostic(`seed ${SEED}`)
  const { store } = await openTestStore(t)
  const kv = new CachedReadKv(store, 'stale-cache', SEED)
  const recorder = new HistoryRecorder()
  const keys = defaultKeys(2)
  await Promise.all(Array.from({ length: 4 }, (_, i) => runWorkload(kv, recorder, { client: `c${i}`, seed: SEED + i, ops: 150, keys })))
  assert.ok(kv.injected > 0, 'the fault fired')
  const r = checkHistory({ initialRevision: 1, operations: recorder.operations })
  t.diagnostic(`${kv.injected} stale answers; ${r.violation?.kind ?? ''}: ${r.violation?.message ?? ''}`)
  assert.equal(r.verdict, 'violation')
})

test('the same proxy without the fault: the cached history checks linearizable', async (t) => {
  const { store } = await openTestStore(t)
  const kv = new CachedReadKv(store, 'none', SEED)
  const recorder = new HistoryRecorder()
  const keys = defaultKeys(2)
  await Promise.all(Array.from({ length: 4 }, (_, i) => runWorkload(kv, recorder, { client: `c${i}`, seed: SEED + i, ops: 150, keys })))
  assert.ok(kv.hits > 0)
  assert.equal(checkHistory({ initialRevision: 1, operations: recorder.operations }).verdict, 'linearizable')
})
