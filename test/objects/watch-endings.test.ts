// How an object watch ends: 410 ERROR for a compacted start (Kubernetes' re-list signal), for a
// watcher that fell behind and for a closed store; quietly for cancel(), return() and the signal.
// And writes of another connection on the same file arrive.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openStore } from '../../src/index.js'
import { objectStoreOver, openObjectStore, pod } from '../support/object-store.js'
import { EventReader, showEvent } from '../support/object-watch-reader.js'

test('a start below the compaction point: one ERROR 410 "too old resource version: N (C)", then the end', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['a', 'b', 'c', 'd']) await objects.create(`/p/${n}`, pod(n)) // 2..5
  await store.compact(4)
  const w = new EventReader(objects.watch('/p/', { resourceVersion: '2' }))
  const e = await w.next()
  assert.ok(e.type === 'ERROR')
  assert.deepEqual(e.object, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 2 (4)', reason: 'Expired', code: 410, metadata: {} })
  assert.equal(await w.finished(), true)
  assert.equal(store.watcherCount, 0)
  // "After 3" starts at the compaction revision itself, which is still served.
  assert.deepEqual(await new EventReader(objects.watch('/p/', { resourceVersion: '3' })).take(2), ['ADDED c@4', 'ADDED d@5'])
})

test('a deletion whose previous state was compacted cannot be sent: ERROR 410 (re-list), then the end', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/p/a', pod('a')) // 2
  await objects.create('/p/b', pod('b')) // 3
  await objects.delete('/p/a') // 4
  await store.compact(4, { physical: true })
  // Read from the log: the DELETE at 4 has no prevKv (revision 3 is gone), so no object to send.
  const w = new EventReader(objects.watch('/p/', { resourceVersion: '3' }))
  const e = await w.next()
  assert.ok(e.type === 'ERROR', showEvent(e))
  assert.equal(e.object.code, 410)
  assert.match(e.object.message, /"\/p\/a" before revision 4 was compacted.*re-list/)
  assert.equal(await w.finished(), true)
})

test('a watcher that falls behind gets the events it holds, then ERROR 410 telling it to re-watch', async (t) => {
  const { objects, store } = await openObjectStore(t, { limits: { watchBufferEventsMax: 2 } })
  const slow = new EventReader(objects.watch('/p/'))
  for (const n of ['a', 'b', 'c', 'd', 'e']) await objects.create(`/p/${n}`, pod(n)) // 2..6
  assert.deepEqual(await slow.take(2), ['ADDED a@2', 'ADDED b@3'])
  const e = await slow.next()
  assert.ok(e.type === 'ERROR')
  assert.equal(e.object.code, 410)
  assert.equal(e.object.reason, 'Expired')
  assert.match(e.object.message, /fell behind.*buffer overflow.*re-watch from the last resourceVersion received/)
  assert.equal(await slow.finished(), true)
  assert.equal(store.watcherCount, 0)
  // Resumable from the last RV received, as the message says.
  assert.deepEqual(await new EventReader(objects.watch('/p/', { resourceVersion: '3' })).take(3), ['ADDED c@4', 'ADDED d@5', 'ADDED e@6'])
})

test('closing the store ends its object watches with ERROR 410', async (t) => {
  const { ts } = await openObjectStore(t)
  const second = await openStore({ path: ts.path, durability: 'relaxed' })
  const objects = objectStoreOver(second)
  const w = new EventReader(objects.watch('/p/'))
  const pending = w.next()
  await second.close()
  const e = await pending
  assert.ok(e.type === 'ERROR')
  assert.equal(e.object.code, 410)
  assert.match(e.object.message, /store was closed/)
  assert.equal(await w.finished(), true)
})

test('cancel(), leaving the loop and the signal end a watch quietly and release its KV watch', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const w = objects.watch('/p/')
  assert.equal(store.watcherCount, 1)
  const pending = w.next()
  w.cancel()
  assert.deepEqual(await pending, { done: true, value: undefined }, 'a waiting next() ends, with no ERROR')
  assert.equal(store.watcherCount, 0)

  const controller = new AbortController()
  const aborted = objects.watch('/p/', { signal: controller.signal })
  const waiting = aborted.next()
  controller.abort()
  assert.deepEqual(await waiting, { done: true, value: undefined })
  assert.equal(store.watcherCount, 0)
  assert.equal((await objects.watch('/p/', { signal: controller.signal }).next()).done, true, 'an aborted signal: over before it starts')
  assert.equal(store.watcherCount, 0, 'and no KV watch was opened')

  const seen: string[] = []
  const loop = objects.watch('/p/')
  await objects.create('/p/a', pod('a')) // 2
  await objects.create('/p/b', pod('b')) // 3
  for await (const e of loop) {
    seen.push(showEvent(e))
    break
  }
  assert.deepEqual(seen, ['ADDED a@2'])
  assert.equal(store.watcherCount, 0)
  assert.equal((await loop.next()).done, true, 'nothing after the loop left')
})

test('a cancel during the initial events: no more events, and the KV watch is never opened', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  await objects.create('/p/b', pod('b'))
  const w = new EventReader(objects.watch('/p/', { sendInitialEvents: true }))
  assert.deepEqual(await w.take(1), ['ADDED a@2'])
  w.watcher.cancel()
  assert.equal(await w.finished(), true)
  assert.equal(store.watcherCount, 0)
  // Cancelled while the first page is being read: the page's events are not handed out.
  const early = objects.watch('/p/', { resourceVersion: '0' })
  const pending = early.next()
  early.cancel()
  assert.deepEqual(await pending, { done: true, value: undefined })
  assert.equal(store.watcherCount, 0)
})

test('writes of a second connection to the same file arrive, after its poll', async (t) => {
  const { objects, ts, clock } = await openObjectStore(t, { remotePollMs: 25 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const remote = objectStoreOver(other)
  const w = new EventReader(objects.watch('/p/', { labelSelector: 'app=web' }))
  await remote.create('/p/a', pod('a', { labels: { app: 'web' } })) // 2
  await remote.create('/p/b', pod('b', { labels: { app: 'db' } })) // 3
  await remote.delete('/p/a') // 4
  assert.equal(await w.poll(), undefined, 'nothing until the poll runs')
  clock.advance(25)
  assert.deepEqual(await w.take(2), ['ADDED a@2', 'DELETED a@4'])
})
