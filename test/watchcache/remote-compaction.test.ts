// Regression (found by child-process-watch.test.ts): when another process compacts past what this
// store's watch cache has read, the rows it never saw may be gone. The cache must not skip them
// silently (missed events, a wrong prevKv, or an assertion crash); its watchers end compacted
// (W6) and new watches work from the current revision.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock, cancelReasons, openStore } from '../../src/index.js'
import { openTestStore } from '../support/temp-store.js'

test('a compaction by another process past the cache position ends live watchers as compacted', async (t) => {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock, remotePollMs: 25 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  await ts.store.put('k', 'a') // 2
  const w = ts.store.watch({ key: 'k', prevKv: true })
  await ts.store.deleteRange({ key: 'k' }) // 3, read by the cache at once
  const first = await w.next()
  assert.equal(first.done, false)
  assert.deepEqual(first.value.events.map((e) => `${e.type}@${e.kv.modRevision}`), ['DELETE@3'])
  await other.put('k', 'b') // 4: a creation this cache never reads
  await other.put('k', 'c') // 5
  await other.put('x', '1') // 6
  await other.compact(6, { physical: true }) // removes k@4
  clock.advance(25) // the poll notices the other process
  const next = await w.next()
  assert.equal(next.done, false)
  assert.equal(next.value.canceled, true)
  assert.equal(next.value.cancelReason, cancelReasons.compacted)
  assert.equal(next.value.compactRevision, 6)
  assert.equal((await w.next()).done, true)
  // A new watch starts cleanly from the current revision and sees later writes.
  const again = ts.store.watch({ key: 'k', prevKv: true })
  await ts.store.put('k', 'd') // 7
  const r = await again.next()
  assert.equal(r.done, false)
  assert.deepEqual(r.value.events.map((e) => `${e.type}@${e.kv.modRevision}=${Buffer.from(e.kv.value).toString()} prev=${e.prevKv === undefined ? '-' : Buffer.from(e.prevKv.value).toString()}`), ['PUT@7=d prev=c'])
  again.cancel()
})
