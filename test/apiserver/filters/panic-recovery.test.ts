// Panic recovery: unexpected errors are a logged 500, expected ones a quiet Status, and a
// response that cannot even send its Status is ended without taking the process down.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError, type ApiResponse } from '../../../src/apiserver/index.js'
import { recoverPanics } from '../../../src/apiserver/filters/panic-recovery.js'

function response(o: { writeHeadThrows?: boolean } = {}): ApiResponse & { codes: number[]; ended: boolean } {
  const r = {
    codes: [] as number[],
    ended: false,
    statusCode: 200,
    headersSent: false,
    get writableEnded() {
      return r.ended
    },
    setHeader: () => undefined,
    writeHead(code: number) {
      if (o.writeHeadThrows === true) throw new TypeError('HTTP/1 Connection specific headers are forbidden')
      r.codes.push(code)
      r.statusCode = code
      r.headersSent = true
    },
    flushHeaders: () => undefined,
    write: () => true,
    end() {
      r.ended = true
    },
    on: () => undefined,
    once: () => undefined,
  }
  return r
}

test('an unexpected exception is a 500 and one log line; an ApiError is its own code, unlogged', async () => {
  const lines: string[] = []
  const res = response()
  assert.equal(await recoverPanics(() => Promise.reject(new TypeError('x is undefined')), res, 'GET /x', (l) => lines.push(l)), 500)
  assert.deepEqual(res.codes, [500])
  assert.equal(lines.length, 1)
  assert.match(lines[0] ?? '', /^apiserver: GET \/x: TypeError: x is undefined/)
  const quiet = response()
  assert.equal(await recoverPanics(() => Promise.reject(new ApiError('NotFound', 'gone')), quiet, 'GET /y', (l) => lines.push(l)), 404)
  assert.equal(lines.length, 1)
})

test('a response that cannot send the Status is ended, logged, and recovery still resolves', async () => {
  const lines: string[] = []
  const res = response({ writeHeadThrows: true })
  assert.equal(await recoverPanics(() => Promise.reject(new Error('first failure')), res, 'GET /w', (l) => lines.push(l)), 500)
  assert.equal(res.ended, true)
  assert.equal(lines.length, 2)
  assert.match(lines[1] ?? '', /could not send the error Status: HTTP\/1 Connection specific headers are forbidden/)
})

test('after headers went out, an error just ends the stream with the code already sent', async () => {
  const res = response()
  const code = await recoverPanics(
    async () => {
      res.writeHead(200)
      throw new Error('mid-stream')
    },
    res,
    'GET /z',
    () => undefined,
  )
  assert.equal(code, 200)
  assert.equal(res.ended, true)
})
