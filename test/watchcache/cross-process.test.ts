// Writes by another connection (another process, in production) on the same file reach the
// watchers: the commit poll notices them and the cache reads them from the log.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock, openStore } from '../../src/index.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader } from '../support/watch-reader.js'

test('commits of another connection are delivered, after the poll, in order with local ones', async (t) => {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock, remotePollMs: 25 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const w = new Reader(ts.store.watch({ key: 'k', prefix: true, prevKv: true }))
  await other.put('k1', 'remote') // 2
  assert.equal(await w.poll(), undefined, 'nothing until the poll runs')
  clock.advance(25)
  assert.deepEqual(await w.until(2), ['PUT k1@2=remote'])
  await ts.store.put('k1', 'local') // 3
  await other.put('k1', 'remote2') // 4
  await other.deleteRange({ key: 'k1' }) // 5
  clock.advance(25)
  assert.deepEqual(await w.until(5), ['PUT k1@3=local prev=remote@2', 'PUT k1@4=remote2 prev=local@3', 'DELETE k1@5 prev=remote2@4'])
  // A watch from the past on the other connection's writes reads them from the log.
  const h = new Reader(ts.store.watch({ key: 'k', prefix: true, startRevision: 2 }))
  assert.deepEqual(await h.until(5), ['PUT k1@2=remote', 'PUT k1@3=local', 'PUT k1@4=remote2', 'DELETE k1@5'])
})

test('a watch on "now" sees another connection\'s commits the poll has not found yet as the past', async (t) => {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock, remotePollMs: 25 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  ts.store.watch({ key: 'x' })
  await other.put('k', '1') // 2, not polled yet
  const w = new Reader(ts.store.watch({ key: 'k' }))
  assert.equal(w.watcher.startRevision, 3, 'watch() looks for other commits before taking "now"')
  await other.put('k', '2') // 3
  clock.advance(25)
  assert.deepEqual(await w.until(3), ['PUT k@3=2'])
})
