// The fair queue: seats, a bounded queue answered with 429 + Retry-After, round robin between
// users, and a waiter that gives up leaving its place.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '../../../src/apiserver/index.js'
import { FairQueue } from '../../../src/apiserver/filters/fair-queue.js'

test('takes free seats at once, queues the rest, refuses past the bound with 429 and Retry-After: 1', async () => {
  const q = new FairQueue('global-default', { seatsMax: 2, queuedMax: 2, queuedPerFlowMax: 2 })
  const a = await q.acquire('alice')
  await q.acquire('alice')
  assert.equal(q.executing, 2)
  const waiting = [q.acquire('alice'), q.acquire('bob')] as const
  assert.equal(q.waiting, 2)
  await assert.rejects(q.acquire('carol'), (err: unknown) => {
    assert.ok(err instanceof ApiError)
    assert.equal(err.code, 'TooManyRequests')
    assert.equal(err.httpStatus, 429)
    assert.equal(err.headers['Retry-After'], '1')
    assert.equal(err.details?.retryAfterSeconds, 1)
    return true
  })
  assert.equal(q.rejected, 1)
  a()
  a() // a second release of the same seat changes nothing
  const next = await waiting[0]
  assert.equal(q.executing, 2)
  assert.equal(q.waiting, 1)
  next()
  ;(await waiting[1])()
  assert.equal(q.executing, 1)
})

test('one flow cannot fill the queue past its own bound', async () => {
  const q = new FairQueue('l', { seatsMax: 1, queuedMax: 10, queuedPerFlowMax: 2 })
  await q.acquire('hog')
  void q.acquire('hog')
  void q.acquire('hog')
  await assert.rejects(q.acquire('hog'), /Too many requests/)
  const polite = q.acquire('polite')
  assert.equal(q.waiting, 3)
  void polite
})

test('a freed seat goes to the next user in turn, not to the user with the most waiting', async () => {
  const q = new FairQueue('l', { seatsMax: 1, queuedMax: 10, queuedPerFlowMax: 10 })
  const first = await q.acquire('hog')
  const order: string[] = []
  const wait = (flow: string): Promise<void> =>
    q.acquire(flow).then((release) => {
      order.push(flow)
      release()
    })
  const all = [wait('hog'), wait('hog'), wait('hog'), wait('polite')]
  first()
  await Promise.all(all)
  assert.deepEqual(order, ['hog', 'polite', 'hog', 'hog'])
})

test('a waiter whose signal fires leaves the queue with a 429', async () => {
  const q = new FairQueue('l', { seatsMax: 1, queuedMax: 10, queuedPerFlowMax: 10 })
  const held = await q.acquire('a')
  const ac = new AbortController()
  const p = q.acquire('b', ac.signal)
  assert.equal(q.waiting, 1)
  ac.abort()
  await assert.rejects(p, /Too many requests/)
  assert.equal(q.waiting, 0)
  held()
  assert.equal(q.executing, 0)
})
