// Watch over the wire: one stream, many watchers (etcd-semantics.md §6 rows cited per test).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestFront } from '../support/etcd-front.js'
import { rawClients, record, unaryCall, type RawClient } from '../support/etcd-raw.js'

interface Kv { key: Buffer; value: Buffer; mod_revision: string; create_revision: string; version: string }
interface Msg {
  header: { revision: string; cluster_id: string; member_id: string; raft_term: string }
  watch_id: string; created: boolean; canceled: boolean; compact_revision: string; cancel_reason: string; fragment: boolean
  events: Array<{ type: number; kv: Kv; prev_kv: Kv | null }>
}

const b = (s: string): Buffer => Buffer.from(s)
const openWatch = (c: { watch: RawClient }) => record<Msg>((c.watch.Watch as () => import('@grpc/grpc-js').ClientDuplexStream<object, Msg>).call(c.watch))
const create = (key: string, more: Record<string, unknown> = {}) => ({ create_request: { key: b(key), ...more } })
const eventsOf = (ms: Msg[], id: string) => ms.filter((m) => m.watch_id === id).flatMap((m) => m.events.map((e) => `${e.type === 0 ? 'PUT' : 'DEL'} ${e.kv.key.toString()}@${e.kv.mod_revision}${e.prev_kv === null ? '' : ` prev ${e.prev_kv.value.toString()}`}`))

test('many watchers on one stream: server and client IDs, start revision, prevKv, filters, cancel (W1-W4, W9, W10, W14)', async (t) => {
  const f = await startTestFront(t)
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  await f.store.put('a', '1') // rev 2
  await f.store.put('a', '2') // rev 3
  const w = openWatch(c)
  t.after(() => w.stream.cancel())
  w.stream.write(create('a', { start_revision: '2', prev_kv: true }))
  w.stream.write(create('a', { watch_id: '100', filters: [0] })) // NOPUT
  w.stream.write(create('a'))
  w.stream.write(create('a', { watch_id: '100' }))
  await w.until((ms) => ms.filter((m) => m.created).length === 4, 'four created answers')
  const created = w.messages.filter((m) => m.created)
  assert.deepEqual(created.map((m) => [m.watch_id, m.canceled]), [['0', false], ['100', false], ['1', false], ['-1', true]])
  assert.equal(created[3]?.cancel_reason, 'mvcc: duplicate watch ID provided on the WatchStream')
  assert.equal(created[0]?.header.revision, '3')
  assert.equal(created[0]?.header.raft_term, '2')
  await f.store.put('a', '3') // rev 4
  await f.store.deleteRange({ key: 'a' }) // rev 5
  await w.until((ms) => eventsOf(ms, '0').length === 4 && eventsOf(ms, '100').length === 1 && eventsOf(ms, '1').length === 2, 'the events')
  assert.deepEqual(eventsOf(w.messages, '0'), ['PUT a@2', 'PUT a@3 prev 1', 'PUT a@4 prev 2', 'DEL a@5 prev 3'])
  assert.deepEqual(eventsOf(w.messages, '100'), ['DEL a@5'])
  assert.deepEqual(eventsOf(w.messages, '1'), ['PUT a@4', 'DEL a@5'])
  w.stream.write({ cancel_request: { watch_id: '100' } })
  await w.until((ms) => ms.some((m) => m.watch_id === '100' && m.canceled), 'the cancel answer')
  await f.store.put('a', '4')
  await w.until((ms) => eventsOf(ms, '1').length === 3, 'the next event')
  assert.equal(eventsOf(w.messages, '100').length, 1, 'no event after the cancel')
})

test('a start below the compaction point is answered with compact_revision and canceled (W5); an empty range is refused', async (t) => {
  const f = await startTestFront(t)
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  for (let i = 0; i < 5; i++) await f.store.put('k', String(i))
  await f.store.compact(4)
  const w = openWatch(c)
  t.after(() => w.stream.cancel())
  w.stream.write(create('k', { start_revision: '2' }))
  await w.until((ms) => ms.some((m) => m.canceled), 'the compacted answer')
  const last = w.messages.at(-1) as Msg
  assert.equal(last.compact_revision, '4')
  assert.equal(last.watch_id, '0')
  w.stream.write(create('z', { range_end: b('a') }))
  await w.until((ms) => ms.some((m) => m.watch_id === '-1'), 'the empty-range refusal')
  assert.equal(w.messages.at(-1)?.cancel_reason, 'mvcc: watcher range is empty')
})

test('progress: progress_notify per watcher, progress_request answered with watch_id -1 once all are in sync (W11, W12)', async (t) => {
  const f = await startTestFront(t, {}, { watchProgressNotifyIntervalMs: 100 })
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  await f.store.put('p', '1')
  const w = openWatch(c)
  t.after(() => w.stream.cancel())
  w.stream.write(create('p', { progress_notify: true }))
  w.stream.write(create('q'))
  await w.until((ms) => ms.some((m) => m.watch_id === '0' && !m.created && m.events.length === 0), 'a progress notification')
  assert.ok(!w.messages.some((m) => m.watch_id === '1' && !m.created), 'no notification for a watcher that did not ask')
  await f.store.put('x', '1') // rev 3: matches no watcher
  w.stream.write({ progress_request: {} })
  await w.until((ms) => ms.some((m) => m.watch_id === '-1'), 'the progress answer')
  assert.equal(w.messages.find((m) => m.watch_id === '-1')?.header.revision, '3')
})

test('fragment: a revision larger than max-request-bytes is split for a watcher that asked (W13)', async (t) => {
  const f = await startTestFront(t, { maxRequestBytes: 4096 })
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  const w = openWatch(c)
  t.after(() => w.stream.cancel())
  w.stream.write(create('f/', { range_end: b('f0'), fragment: true }))
  w.stream.write(create('f/', { range_end: b('f0') }))
  await w.until((ms) => ms.filter((m) => m.created).length === 2, 'created')
  await f.store.txn({ success: Array.from({ length: 10 }, (_, i) => ({ put: { key: `f/${i}`, value: 'v'.repeat(1000) } })) })
  await w.until((ms) => eventsOf(ms, '0').length === 10 && eventsOf(ms, '1').length === 10, 'the events')
  const pieces = w.messages.filter((m) => m.watch_id === '0' && m.events.length > 0)
  assert.ok(pieces.length > 1)
  assert.deepEqual(pieces.map((m) => m.fragment), [...pieces.slice(1).map(() => true), false])
  assert.equal(w.messages.filter((m) => m.watch_id === '1' && m.events.length > 0).length, 1)
})

test('10,000 watchers on one stream are all served', async (t) => {
  const f = await startTestFront(t)
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  const w = openWatch(c)
  t.after(() => w.stream.cancel())
  const n = 10_000
  for (let i = 0; i < n; i++) w.stream.write(create(`m/${i % 100}`))
  await w.until((ms) => ms.length >= n, 'every created answer', 60_000)
  assert.equal(w.messages.filter((m) => m.created && !m.canceled).length, n)
  assert.equal(f.store.watcherCount, n)
  await f.store.put('m/7', 'x')
  await w.until((ms) => ms.length >= n + n / 100, 'one event per watcher of m/7', 30_000)
  w.stream.end()
  await w.until(() => w.ended, 'the server to end the stream')
  assert.equal(f.store.watcherCount, 0)
})

test('a client that never reads is cut off alone; another stream keeps getting its events', async (t) => {
  const f = await startTestFront(t, {}, { limits: { watchBufferEventsMax: 100 } })
  const c = rawClients(f.endpoint)
  const c2 = rawClients(f.endpoint)
  t.after(() => {
    c.close()
    c2.close()
  })
  const slow = openWatch(c)
  t.after(() => slow.stream.cancel())
  slow.stream.write(create('s', { range_end: b('t') }))
  await slow.until((ms) => ms.length === 1, 'created')
  slow.stream.pause() // never reads again: HTTP/2 flow control stops the server's writes
  const fast = openWatch(c2)
  t.after(() => fast.stream.cancel())
  fast.stream.write(create('s', { range_end: b('t') }))
  await fast.until((ms) => ms.length === 1, 'created')
  const value = 'v'.repeat(4096)
  for (let i = 0; i < 600; i++) await f.store.put(`s${i % 10}`, value)
  await fast.until((ms) => ms.reduce((n, m) => n + m.events.length, 0) === 600, 'every event on the reading stream', 30_000)
  // The silent stream's watcher overflowed its bounded buffer and was ended by the store.
  await unaryCall(c2.kv, 'Range', { key: b('s') })
  const deadline = Date.now() + 10_000
  while (f.store.watcherCount > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  assert.equal(f.store.watcherCount, 1)
})
