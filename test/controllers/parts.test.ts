// The pieces without a server: the work queue, the LogBook, rolling-update limits, template hashes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiStatusError, LogBook, WorkQueue, rollingLimits, templateHash } from '../../src/controllers/index.js'
import { FakeClock } from '../../src/util/index.js'
import { waitFor } from './helpers.js'

test('work queue: one handler per key at a time, a key added meanwhile runs once more, failures retry on the clock', async () => {
  const clock = new FakeClock()
  const runs: string[] = []
  let release: (() => void) | undefined
  let failOnce = true
  const q = new WorkQueue('t', async (key) => {
    runs.push(key)
    if (key === 'slow' && runs.filter((k) => k === 'slow').length === 1) await new Promise<void>((r) => (release = r))
    if (key === 'flaky' && failOnce) {
      failOnce = false
      throw new ApiStatusError(500, { message: 'boom', reason: 'InternalError' }, 'test')
    }
  }, { clock, log: () => undefined })
  q.add('slow')
  q.add('slow')
  q.add('slow')
  q.add('flaky')
  await waitFor('slow started', async () => (release !== undefined ? true : undefined))
  assert.deepEqual(runs, ['slow', 'flaky'])
  release?.()
  await waitFor('slow again', async () => (runs.filter((k) => k === 'slow').length === 2 ? true : undefined))
  assert.equal(runs.filter((k) => k === 'flaky').length, 1, 'no retry before the clock moves')
  clock.advance(1000)
  await waitFor('flaky retried', async () => (runs.filter((k) => k === 'flaky').length === 2 ? true : undefined))
  await q.stop()
  q.add('late')
  assert.equal(runs.includes('late'), false)
})

test('LogBook: tailLines, timestamps, follow until the signal or the pod goes', async () => {
  const clock = new FakeClock(Date.parse('2026-01-02T03:04:05.678Z'))
  const book = new LogBook(clock)
  for (let i = 1; i <= 5; i++) book.append('ns', 'p', 'c', `line ${i}`)
  let out = ''
  await book.read('ns', 'p', 'c', { follow: false, tailLines: 2, timestamps: true, signal: new AbortController().signal }, (t) => (out += t))
  assert.equal(out, '2026-01-02T03:04:05.678000000Z line 4\n2026-01-02T03:04:05.678000000Z line 5\n')
  const stop = new AbortController()
  let followed = ''
  const following = book.read('ns', 'p', 'c', { follow: true, tailLines: 0, timestamps: false, signal: stop.signal }, (t) => (followed += t))
  book.append('ns', 'p', 'c', 'line 6')
  stop.abort()
  await following
  book.append('ns', 'p', 'c', 'line 7')
  assert.equal(followed, 'line 6\n')
  const untilGone = book.read('ns', 'p', 'c', { follow: true, timestamps: false, signal: new AbortController().signal }, () => undefined)
  book.forget('ns', 'p')
  await untilGone
  assert.equal(book.has('ns', 'p', 'c'), false)
})

test('rolling limits: 25% surge rounds up, unavailable down, never both zero', () => {
  const d = (rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string }): Parameters<typeof rollingLimits>[0] => ({ metadata: { name: 'd', uid: 'u', resourceVersion: '1' }, spec: rollingUpdate === undefined ? {} : { strategy: { type: 'RollingUpdate', rollingUpdate } } })
  assert.deepEqual(rollingLimits(d(), 3), { surge: 1, unavailable: 0 })
  assert.deepEqual(rollingLimits(d(), 10), { surge: 3, unavailable: 2 })
  assert.deepEqual(rollingLimits(d({ maxSurge: 0, maxUnavailable: 0 }), 4), { surge: 0, unavailable: 1 })
  assert.deepEqual(rollingLimits(d({ maxSurge: '50%', maxUnavailable: 1 }), 4), { surge: 2, unavailable: 1 })
})

test('template hash: stable under key order, different for a different image', () => {
  const a = templateHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } })
  const b = templateHash({ spec: { containers: [{ image: 'i:1', name: 'c' }] }, metadata: { labels: { app: 'x' } } })
  const c = templateHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i:2' }] } })
  assert.equal(a, b)
  assert.notEqual(a, c)
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{10}$/)
})
