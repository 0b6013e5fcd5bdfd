// The etcd-shaped watch: key rules, start revision, guarantees, prevKv, filters, cancel (rows of
// ../shared/reference/etcd-semantics.md §6 named in each test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cancelReasons, FakeClock, InvalidArgumentError, StoreClosedError } from '../../src/index.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader, show } from '../support/watch-reader.js'

test('W2: key, prefix, rangeEnd, "\\0" end, and the empty key as "\\x00"', async (t) => {
  const { store } = await openTestStore(t)
  const one = new Reader(store.watch({ key: 'b' }))
  const pre = new Reader(store.watch({ key: 'b', prefix: true }))
  const range = new Reader(store.watch({ key: 'b', rangeEnd: 'c' }))
  const from = new Reader(store.watch({ key: 'b', rangeEnd: '\0' }))
  const zero = new Reader(store.watch({ key: '' }))
  const all = new Reader(store.watch({ key: '', prefix: true }))
  await store.put('a', '1') // 2
  await store.put('b', '2') // 3
  await store.put('bz', '3') // 4
  await store.put('c', '4') // 5
  await store.put('\x00', '5') // 6
  assert.deepEqual(await one.until(6), ['PUT b@3=2'])
  assert.deepEqual(await pre.until(6), ['PUT b@3=2', 'PUT bz@4=3'])
  assert.deepEqual(await range.until(6), ['PUT b@3=2', 'PUT bz@4=3'])
  assert.deepEqual(await from.until(6), ['PUT b@3=2', 'PUT bz@4=3', 'PUT c@5=4'])
  assert.deepEqual(await zero.until(6), ['PUT \x00@6=5'])
  assert.deepEqual(await all.until(6), ['PUT a@2=1', 'PUT b@3=2', 'PUT bz@4=3', 'PUT c@5=4', 'PUT \x00@6=5'])
  assert.throws(() => store.watch({ key: 'a', prefix: true, rangeEnd: 'b' }), InvalidArgumentError)
})

test('W2: a watch whose range is empty (key >= rangeEnd) is canceled at once, as etcd answers it', async (t) => {
  const { store } = await openTestStore(t)
  for (const [key, rangeEnd] of [['b', 'b'], ['c', 'b']] as const) {
    const w = store.watch({ key, rangeEnd, startRevision: 1 })
    store.requestProgress() // a live watcher would answer with a progress response: fail fast
    const first = await w.next()
    assert.equal(first.done, false)
    assert.deepEqual({ ...first.value, revision: 0 }, { revision: 0, events: [], canceled: true, cancelReason: cancelReasons.emptyRange }, `${key}..${rangeEnd}`)
    assert.equal((await w.next()).done, true)
  }
  await store.put('b', '1')
  assert.equal(store.watcherCount, 0, 'nothing is left registered')
})

test('W3: startRevision is inclusive, 0 is now, a future revision waits, a negative one is refused', async (t) => {
  const { store } = await openTestStore(t)
  for (let i = 2; i <= 5; i++) await store.put('k', `v${i}`)
  const now = new Reader(store.watch({ key: 'k' }))
  assert.equal(now.watcher.startRevision, 6, '0 means after the current revision')
  const at3 = new Reader(store.watch({ key: 'k', startRevision: 3 }))
  const future = new Reader(store.watch({ key: 'k', startRevision: 8 }))
  assert.deepEqual(await at3.until(5), ['PUT k@3=v3', 'PUT k@4=v4', 'PUT k@5=v5'])
  await store.put('k', 'v6')
  await store.put('k', 'v7')
  assert.deepEqual(await now.until(7), ['PUT k@6=v6', 'PUT k@7=v7'])
  assert.equal(await future.poll(), undefined, 'nothing before revision 8')
  await store.put('k', 'v8')
  assert.deepEqual(await future.until(8), ['PUT k@8=v8'])
  assert.throws(() => store.watch({ key: 'k', startRevision: -1 }), InvalidArgumentError)
})

test('W7: ordered, unique, atomic revisions in bounded responses; resumable from last + 1', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchResponseEventsMax: 3 } })
  const w = new Reader(store.watch({ key: 'k', prefix: true }))
  await store.txn({ success: Array.from({ length: 5 }, (_, i) => ({ put: { key: `k${i}`, value: 'a' } })) }) // 2
  for (let i = 0; i < 4; i++) await store.put(`k${i}`, 'b') // 3..6
  const responses = []
  for (let r = await w.next(); ; r = await w.next()) {
    responses.push(r.events.map(show))
    if (r.revision >= 6) break
  }
  assert.deepEqual(responses[0], ['PUT k0@2=a', 'PUT k1@2=a', 'PUT k2@2=a', 'PUT k3@2=a', 'PUT k4@2=a'], 'a revision larger than the bound comes whole')
  assert.ok(responses.slice(1).every((r) => r.length <= 3), 'several revisions share a response, within the bound')
  assert.deepEqual(responses.slice(1).flat(), ['PUT k0@3=b', 'PUT k1@4=b', 'PUT k2@5=b', 'PUT k3@6=b'])
  // Resume: a new watch from the last revision seen + 1 continues exactly.
  w.watcher.cancel()
  await store.put('k9', 'c') // 7
  const again = new Reader(store.watch({ key: 'k', prefix: true, startRevision: 5 }))
  assert.deepEqual(await again.until(7), ['PUT k2@5=b', 'PUT k3@6=b', 'PUT k9@7=c'])
})

test('W9: prevKv on updates and deletes, never on creates, from the cache and from the log', async (t) => {
  const { store } = await openTestStore(t)
  await store.put('a', '1') // 2, before the cache starts: its prevKv comes from a store read
  const live = new Reader(store.watch({ key: 'a', prevKv: true }))
  const plain = new Reader(store.watch({ key: 'a' }))
  await store.put('a', '2') // 3
  await store.put('a', '3') // 4
  await store.deleteRange({ key: 'a' }) // 5
  await store.put('a', '4') // 6
  const expected = ['PUT a@3=2 prev=1@2', 'PUT a@4=3 prev=2@3', 'DELETE a@5 prev=3@4', 'PUT a@6=4']
  assert.deepEqual(await live.until(6), expected)
  assert.deepEqual(await plain.until(6), ['PUT a@3=2', 'PUT a@4=3', 'DELETE a@5', 'PUT a@6=4'])
  const history = new Reader(store.watch({ key: 'a', prevKv: true, startRevision: 2 }))
  assert.deepEqual(await history.until(6), ['PUT a@2=1', ...expected])
})

test('W9: prevKv is left out when modRevision - 1 is compacted', async (t) => {
  const { store } = await openTestStore(t)
  await store.put('a', '1') // 2
  await store.put('a', '2') // 3
  await store.compact(3, { physical: true })
  const w = new Reader(store.watch({ key: 'a', prevKv: true, startRevision: 3 }))
  assert.deepEqual(await w.until(3), ['PUT a@3=2'])
})

test('W10: NOPUT and NODELETE filters', async (t) => {
  const { store } = await openTestStore(t)
  const noPut = new Reader(store.watch({ key: 'a', filters: ['NOPUT'] }))
  const noDelete = new Reader(store.watch({ key: 'a', filters: ['NODELETE'] }))
  await store.put('a', '1') // 2
  await store.deleteRange({ key: 'a' }) // 3
  await store.put('a', '2') // 4
  assert.deepEqual(await noPut.until(4), ['DELETE a@3'])
  assert.deepEqual(await noDelete.until(4), ['PUT a@2=1', 'PUT a@4=2'])
  assert.throws(() => store.watch({ key: 'a', filters: ['NOPE' as 'NOPUT'] }), InvalidArgumentError)
})

test('W14: cancel answers canceled and nothing after; leaving a for-await loop cancels', async (t) => {
  const { store } = await openTestStore(t)
  const w = new Reader(store.watch({ key: 'a' }))
  await store.put('a', '1')
  w.watcher.cancel()
  await store.put('a', '2')
  const r = await w.next()
  assert.equal(r.canceled, true)
  assert.equal(r.cancelReason, undefined, 'a client cancel has no reason (etcd sets it on server-side cancels)')
  assert.deepEqual(r.events, [], 'undelivered events are dropped')
  assert.equal(await w.finished(), true)
  const seen: string[] = []
  const loop = (async () => {
    for await (const resp of store.watch({ key: 'b' })) {
      seen.push(...resp.events.map(show))
      break
    }
  })()
  await store.put('b', '1')
  await loop
  assert.deepEqual(seen, ['PUT b@4=1'])
  assert.equal(store.watcherCount, 0, 'no watcher is left registered')
})

test('an aborted signal ends the watch with a canceled response', async (t) => {
  const { store } = await openTestStore(t)
  const ac = new AbortController()
  const w = new Reader(store.watch({ key: 'a', signal: ac.signal }))
  await store.put('a', '1')
  assert.deepEqual((await w.next()).events.map(show), ['PUT a@2=1'])
  const pending = w.next()
  ac.abort()
  const r = await pending
  assert.equal(r.canceled, true)
  assert.match(r.cancelReason ?? '', /aborted/)
  assert.equal(await w.finished(), true)
  const early = new Reader(store.watch({ key: 'a', signal: AbortSignal.abort() }))
  assert.equal((await early.next()).canceled, true)
  assert.equal(store.watcherCount, 0)
})

test('close() ends every watcher with "store closed" and leaves no timer', async (t) => {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock })
  const w = new Reader(ts.store.watch({ key: 'a', progressNotify: true }))
  const history = new Reader(ts.store.watch({ key: 'a', startRevision: 1 }))
  await ts.store.put('a', '1')
  assert.ok(clock.timersPending > 0, 'the progress ticker and the commit poll run')
  const closed = ts.store
  await ts.reopen({ clock: new FakeClock() })
  assert.equal(clock.timersPending, 0, 'no timer of the closed store is left')
  const r = await w.next()
  assert.equal(r.canceled, true)
  assert.equal(r.cancelReason, 'store closed')
  assert.deepEqual(r.events, [])
  assert.equal((await history.next()).cancelReason, 'store closed')
  assert.equal(await w.finished(), true)
  assert.throws(() => closed.watch({ key: 'a' }), StoreClosedError)
})
