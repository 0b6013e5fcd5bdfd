// Slow watchers: bounded buffers, overflow ends only the slow one, with a clear reason, after
// the events it already holds; nobody else waits for it and its memory stays bounded.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cancelReasons } from '../../src/index.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader, show } from '../support/watch-reader.js'

test('a watcher whose buffer overflows is canceled alone; the others get every event', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchBufferEventsMax: 5 } })
  const slow = new Reader(store.watch({ key: 'k', prefix: true }))
  const fast = new Reader(store.watch({ key: 'k', prefix: true }))
  const expected: string[] = []
  for (let i = 0; i < 20; i++) {
    const { revision } = await store.put(`k${i % 3}`, `${i}`)
    expected.push(`PUT k${i % 3}@${revision}=${i}`)
    assert.deepEqual(await fast.until(revision), expected.slice(-1), 'the fast watcher is never held up')
    assert.ok(slow.watcher.bufferedEvents <= 5, 'the slow one holds at most watchBufferEventsMax events')
  }
  const got: string[] = []
  let last
  for (;;) {
    last = await slow.next()
    got.push(...last.events.map(show))
    if (last.canceled === true) break
  }
  assert.deepEqual(got, expected.slice(0, 5), 'what it held is delivered, in order, and nothing else')
  assert.ok(last.cancelReason?.startsWith(cancelReasons.overflow), last.cancelReason)
  assert.equal(await slow.finished(), true)
  // Resumable: a new watch from the last revision received + 1 gets the rest.
  const lastRevision = Number(/@(\d+)/.exec(got[got.length - 1] ?? '')?.[1])
  const again = new Reader(store.watch({ key: 'k', prefix: true, startRevision: lastRevision + 1 }))
  assert.deepEqual(await again.until(21), expected.slice(5))
})

test('one revision larger than the buffer still reaches a watcher with an empty buffer, whole', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchBufferEventsMax: 2 } })
  const w = new Reader(store.watch({ key: 'k', prefix: true }))
  await store.txn({ success: Array.from({ length: 6 }, (_, i) => ({ put: { key: `k${i}`, value: 'v' } })) })
  const r = await w.next()
  assert.equal(r.events.length, 6)
  assert.equal(r.canceled, undefined)
})

test('an event fanned out to many watchers is one frozen object', async (t) => {
  const { store } = await openTestStore(t)
  const readers = Array.from({ length: 5 }, () => new Reader(store.watch({ key: 'k', prefix: true })))
  await store.put('k1', 'v')
  const responses = await Promise.all(readers.map((r) => r.next()))
  const first = responses[0]?.events[0]
  assert.ok(first !== undefined && Object.isFrozen(first) && Object.isFrozen(first.kv))
  for (const r of responses) assert.equal(r.events[0], first)
  assert.throws(() => {
    ;(first as { type: string }).type = 'DELETE'
  }, TypeError)
})
