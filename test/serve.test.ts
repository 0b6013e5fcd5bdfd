// `etchlog serve` flags for the overload limits, request timeout and audit log.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { overloadFlagsDefault } from '../src/apiserver/index.js'
import { parseServeArgs } from '../src/serve.js'

test('limit flags override the defaults one by one', () => {
  const o = parseServeArgs(['--max-requests-inflight', '10', '--max-mutating-requests-inflight=5', '--max-watch-streams-per-user', '0', '--request-timeout', '1m30s'])
  assert.ok(o !== 'help')
  assert.deepEqual(o.overload, { ...overloadFlagsDefault, maxRequestsInflight: 10, maxMutatingRequestsInflight: 5, maxWatchStreamsPerUser: 0, requestTimeoutMs: 90_000 })
  const none = parseServeArgs([])
  assert.ok(none !== 'help')
  assert.equal(none.overload, undefined)
})

test('audit flags, and bad values refused with the flag named', () => {
  const o = parseServeArgs(['--audit-log-path', '/tmp/a.log', '--audit-policy-file', '/tmp/p.yaml'])
  assert.ok(o !== 'help')
  assert.equal(o.overload?.auditLogPath, '/tmp/a.log')
  assert.equal(o.overload?.auditPolicyFile, '/tmp/p.yaml')
  assert.throws(() => parseServeArgs(['--max-requests-inflight', '-1']), /--max-requests-inflight must be an integer/)
  assert.throws(() => parseServeArgs(['--request-timeout', 'forever']), /invalid timeout/)
  assert.throws(() => parseServeArgs(['--audit-log-path']), /--audit-log-path needs a value/)
})
