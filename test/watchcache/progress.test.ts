// Progress notifications: periodic for idle watchers (W11), on request (W12), never ahead of
// undelivered events (#15220) and never before a future start is reached (#20221).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock } from '../../src/index.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader, show } from '../support/watch-reader.js'

const intervalMs = 5_000

test('W11: an idle, in-sync progressNotify watcher gets an empty response with the revision each interval', async (t) => {
  const clock = new FakeClock()
  const { store } = await openTestStore(t, { clock, watchProgressNotifyIntervalMs: intervalMs })
  const idle = new Reader(store.watch({ key: 'quiet', progressNotify: true }))
  const busy = new Reader(store.watch({ key: 'busy', progressNotify: true }))
  const silent = new Reader(store.watch({ key: 'quiet' }))
  await store.put('busy', '1') // 2
  assert.deepEqual((await busy.next()).events.map(show), ['PUT busy@2=1'])
  clock.advance(intervalMs)
  assert.deepEqual(await idle.next(), { revision: 2, events: [] })
  assert.equal(await busy.poll(), undefined, 'it got an event during this interval: not idle')
  assert.equal(await silent.poll(), undefined, 'no progressNotify, no progress')
  await store.put('other', 'x') // 3
  clock.advance(intervalMs)
  assert.deepEqual(await busy.next(), { revision: 3, events: [] })
  assert.deepEqual(await idle.next(), { revision: 3, events: [] })
})

test('W12 / #15220: requestProgress answers in-sync watchers, never ahead of undelivered events', async (t) => {
  const { store } = await openTestStore(t)
  const synced = new Reader(store.watch({ key: 'a' }))
  const behind = new Reader(store.watch({ key: 'b' }))
  await store.put('a', '1') // 2
  await store.put('b', '1') // 3
  assert.deepEqual(await synced.until(2), ['PUT a@2=1'])
  store.requestProgress()
  assert.deepEqual(await synced.next(), { revision: 3, events: [] })
  // `behind` still holds the event of revision 3: what it gets first is that event, with a
  // revision that covers it; no empty response may claim 3 before the event is out.
  const r = await behind.next()
  assert.deepEqual(r.events.map(show), ['PUT b@3=1'])
  assert.equal(r.revision, 3)
  assert.equal(await behind.poll(), undefined, 'the draining response answered the request')
})

test('W12: a watcher catching up answers the request once it is in sync, not before', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchResponseEventsMax: 1 } })
  for (let i = 0; i < 3; i++) await store.put('k', `${i}`) // 2..4
  const w = new Reader(store.watch({ key: 'k', startRevision: 2 }))
  store.requestProgress()
  const seen: Array<{ revision: number; events: string[] }> = []
  for (;;) {
    const r = await w.next()
    seen.push({ revision: r.revision, events: r.events.map(show) })
    if (r.revision >= 4) break
  }
  assert.deepEqual(seen, [
    { revision: 2, events: ['PUT k@2=0'] },
    { revision: 3, events: ['PUT k@3=1'] },
    { revision: 4, events: ['PUT k@4=2'] },
  ])
})

test('W17 #20221: a future-revision watch gets neither old events nor progress before its start', async (t) => {
  const clock = new FakeClock()
  const { store } = await openTestStore(t, { clock, watchProgressNotifyIntervalMs: intervalMs })
  await store.put('k', '1') // 2
  const w = new Reader(store.watch({ key: 'k', startRevision: 5, progressNotify: true }))
  await store.put('k', '2') // 3
  store.requestProgress()
  clock.advance(intervalMs)
  assert.equal(await w.poll(), undefined)
  await store.put('k', '3') // 4: the store is at start - 1, so a progress at 4 is now true
  clock.advance(intervalMs)
  assert.deepEqual(await w.next(), { revision: 4, events: [] })
  await store.put('k', '4') // 5
  assert.deepEqual((await w.next()).events.map(show), ['PUT k@5=4'])
})
