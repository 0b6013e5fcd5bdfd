// The request timeout: Go durations, the `timeout` parameter never above the server's, and a 504
// when the work is slower than the clock.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDuration } from '../../../src/apiserver/index.js'
import { requestTimeoutMs, withTimeout } from '../../../src/apiserver/filters/request-timeout.js'
import type { ApiResponse } from '../../../src/apiserver/index.js'
import { FakeClock } from '../../../src/util/fake-clock.js'

test('durations as Go writes them; anything else is a 400', () => {
  assert.equal(parseDuration('30s'), 30_000)
  assert.equal(parseDuration('1m30s'), 90_000)
  assert.equal(parseDuration('250ms'), 250)
  assert.equal(parseDuration('1.5h'), 5_400_000)
  for (const bad of ['', '30', 's', '5 s', '1d', '-1s']) assert.throws(() => parseDuration(bad), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'BadRequest', bad)
})

test('the timeout parameter shortens the server timeout, never lengthens it', () => {
  assert.equal(requestTimeoutMs(new URLSearchParams(''), 60_000), 60_000)
  assert.equal(requestTimeoutMs(new URLSearchParams('timeout=5s'), 60_000), 5_000)
  assert.equal(requestTimeoutMs(new URLSearchParams('timeout=10m'), 60_000), 60_000)
  assert.equal(requestTimeoutMs(new URLSearchParams('timeout=0s'), 60_000), 60_000)
})

function fakeResponse(): ApiResponse & { sent: { code: number; body: string }[] } {
  const sent: { code: number; body: string }[] = []
  let code = 200
  let headersSent = false
  let ended = false
  return {
    sent,
    get statusCode() {
      return code
    },
    set statusCode(v) {
      code = v
    },
    get headersSent() {
      return headersSent
    },
    get writableEnded() {
      return ended
    },
    setHeader: () => undefined,
    writeHead(c: number) {
      code = c
      headersSent = true
    },
    flushHeaders: () => undefined,
    write: () => true,
    end(chunk?: string | Uint8Array) {
      ended = true
      sent.push({ code, body: chunk === undefined ? '' : Buffer.from(chunk).toString() })
    },
    on: () => undefined,
    once: () => undefined,
  }
}

test('slow work: 504 Timeout Status when the clock passes the timeout, and the signal fires', async () => {
  const clock = new FakeClock()
  const res = fakeResponse()
  const abort = new AbortController()
  let finish = (): void => undefined
  const work = new Promise<void>((resolve) => (finish = resolve))
  const outcome = withTimeout(clock, 1000, res, abort, work)
  clock.advance(999)
  assert.equal(res.sent.length, 0)
  clock.advance(1)
  assert.equal(await outcome, 'timeout')
  assert.equal(abort.signal.aborted, true)
  assert.equal(res.sent[0]?.code, 504)
  const status = JSON.parse(res.sent[0]?.body ?? '{}') as { reason: string; message: string }
  assert.equal(status.reason, 'Timeout')
  assert.match(status.message, /did not complete within the allotted timeout/)
  finish()
})

test('fast work: no 504, the timer is cancelled', async () => {
  const clock = new FakeClock()
  const res = fakeResponse()
  const abort = new AbortController()
  assert.equal(await withTimeout(clock, 1000, res, abort, Promise.resolve()), 'done')
  assert.equal(clock.timersPending, 0)
  assert.equal(abort.signal.aborted, false)
  assert.equal(res.sent.length, 0)
})
