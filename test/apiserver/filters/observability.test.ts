// The filters on a running server: health endpoints with named checks, /metrics (authorized),
// the access log, the audit log (levels, Secrets capped, no token), panic recovery and the
// request timeout.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ApiError, issue, overloadFlagsDefault } from '../../../src/apiserver/index.js'
import { sendJson } from '../../../src/apiserver/http/io.js'
import { startTestServer, type Credentials, type TestServer } from '../../support/api-server.js'

let s: TestServer
let dir: string
let alice: Credentials
const logLines: string[] = []
let releaseSlow = (): void => undefined
const auditPath = (): string => join(dir, 'audit.log')

const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz", "/livez*", "/readyz*"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["configmaps", "secrets"]
  - level: Metadata
`

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'etchlog-obs-'))
  writeFileSync(join(dir, 'policy.yaml'), policy)
  s = await startTestServer({ overload: { ...overloadFlagsDefault, auditLogPath: auditPath(), auditPolicyFile: join(dir, 'policy.yaml') }, log: (l) => logLines.push(l) })
  const ca = { cert: readFileSync(join(s.dataDir, 'pki', 'ca.crt'), 'utf8'), key: readFileSync(join(s.dataDir, 'pki', 'ca.key'), 'utf8') }
  alice = issue(ca, Date.now(), { cn: 'alice', orgs: ['dev'], client: true })
  const slow = new Promise<void>((resolve) => (releaseSlow = resolve))
  s.serving.server.router.nonResource.push(async (_req, res, info) => {
    if (info.path === '/boom') throw new TypeError('handler bug: x is undefined')
    if (info.path === '/expected') throw new ApiError('Conflict', 'an expected refusal')
    if (info.path !== '/slow') return false
    await slow
    sendJson(res, 200, { late: true })
    return true
  })
  const ns = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } } })
  assert.equal(ns.status, 201, ns.text)
})
after(async () => {
  releaseSlow()
  await s.close()
  rmSync(dir, { recursive: true, force: true })
})

test('health: ok to anyone, verbose lists named checks, exclude skips one, per-check paths', async () => {
  for (const path of ['/healthz', '/livez', '/readyz']) {
    const r = await s.call('GET', path, { as: null })
    assert.equal(r.status, 200, path)
    assert.equal(r.text, 'ok')
  }
  const v = await s.call('GET', '/readyz?verbose', { as: null })
  assert.equal(v.text, '[+]ping ok\n[+]etcd ok\n[+]informer-sync ok\nreadyz check passed\n')
  const live = await s.call('GET', '/livez?verbose', { as: null })
  assert.doesNotMatch(live.text, /informer-sync/, 'liveness does not wait for informers')
  const ex = await s.call('GET', '/readyz?verbose&exclude=etcd', { as: null })
  assert.equal(ex.text, '[+]ping ok\n[+]informer-sync ok\nreadyz check passed\n')
  const one = await s.call('GET', '/readyz/etcd')
  assert.equal(one.status, 200)
  assert.equal(one.text, 'ok')
  assert.equal((await s.call('GET', '/readyz/nope')).status, 404)
})

test('/metrics: Prometheus text with the request, storage, watch and flow-control series; authorized like any path', async () => {
  const cm = await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm1' }, data: { a: '1' } } })
  assert.equal(cm.status, 201, cm.text)
  assert.equal((await s.call('GET', '/api/v1/namespaces/payments/configmaps/m1')).status, 200)
  const r = await s.call('GET', '/metrics')
  assert.equal(r.status, 200, r.text)
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/)
  const t = r.text
  assert.match(t, /^apiserver_request_total\{verb="POST",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver",code="201"\} 1$/m)
  assert.match(t, /^apiserver_request_total\{verb="GET",group="",version="v1",resource="configmaps",subresource="",scope="resource",component="apiserver",code="200"\} 1$/m)
  assert.match(t, /^apiserver_request_duration_seconds_count\{verb="POST",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver"\} 1$/m)
  assert.match(t, /^apiserver_storage_objects\{resource="configmaps"\} 1$/m)
  assert.match(t, /^apiserver_storage_objects\{resource="clusterroles.rbac.authorization.k8s.io"\} [1-9]\d*$/m)
  assert.match(t, /^etcd_request_duration_seconds_count\{operation="create",type="configmaps"\} 1$/m)
  assert.match(t, /^apiserver_authentication_duration_seconds_count\{result="success"\} [1-9]/m)
  assert.match(t, /^apiserver_admission_step_admission_duration_seconds_count\{name="[^"]+",operation="CREATE",rejected="false"\} [1-9]/m)
  assert.match(t, /^apiserver_current_inflight_requests\{request_kind="readOnly"\} 1$/m, 'the scrape itself is in flight')
  assert.match(t, /^apiserver_current_inflight_requests\{request_kind="mutating"\} 0$/m)
  assert.match(t, /^apiserver_flowcontrol_current_executing_requests\{priority_level="global-default",request_kind="mutating"\} 0$/m)
  for (const name of ['apiserver_registered_watchers', 'apiserver_watch_events_total', 'apiserver_watch_cache_capacity', 'etchlog_watch_cache_events', 'etchlog_object_gets_total', 'apiserver_longrunning_requests', 'apiserver_flowcontrol_rejected_requests_total']) {
    assert.match(t, new RegExp(`^# TYPE ${name} `, 'm'), name)
  }
  assert.equal((await s.call('GET', '/metrics', { as: null })).status, 401)
  const denied = await s.call('GET', '/metrics', { as: alice })
  assert.equal(denied.status, 403, denied.text)
})

test('access log: one line per request with user, verb, resource, code and latency', async () => {
  const r = await s.call('GET', '/api/v1/namespaces/payments/configmaps/absent-one')
  assert.equal(r.status, 404)
  const line = logLines.find((l) => l.includes('name="absent-one"'))
  assert.ok(line !== undefined, logLines.slice(-5).join('\n'))
  assert.match(line, /^apiserver: access verb=get path="\/api\/v1\/namespaces\/payments\/configmaps\/absent-one" resource="configmaps" namespace="payments" name="absent-one" user="[^"]+" code=404 latency=\d+\.\d{3}ms srcIP="127\.0\.0\.1"$/)
})

test('panic recovery: an exception in a handler is that request\'s 500 Status and one log line; the server goes on', async () => {
  const r = await s.call('GET', '/boom')
  assert.equal(r.status, 500)
  assert.equal(r.json().kind, 'Status')
  assert.equal(r.json().reason, 'InternalError')
  assert.ok(logLines.some((l) => l.startsWith('apiserver: GET /boom: TypeError: handler bug')), 'logged with the stack')
  const quiet = logLines.length
  assert.equal((await s.call('GET', '/expected')).status, 409)
  assert.equal(logLines.slice(quiet).filter((l) => !l.startsWith('apiserver: access')).length, 0, 'an expected error is not a panic')
  assert.equal((await s.call('GET', '/version')).status, 200)
  assert.match((await s.call('GET', '/metrics')).text, /^apiserver_request_panics_total 1$/m)
})

test('request timeout: the timeout parameter gives a 504 Timeout Status; a bad one is a 400', async () => {
  const started = performance.now()
  const r = await s.call('GET', '/slow?timeout=300ms')
  assert.equal(r.status, 504, r.text)
  assert.equal(r.json().reason, 'Timeout')
  assert.ok(performance.now() - started >= 290)
  const bad = await s.call('GET', '/slow?timeout=soon')
  assert.equal(bad.status, 400)
  assert.match(String(bad.json().message), /invalid timeout "soon"/)
})

test('audit log: Event lines at the policy level, Secrets at Metadata only, no token anywhere', async () => {
  const token = 'sekrit-bearer-token-0123456789'
  const headers = { authorization: `Bearer ${token}` }
  const cm = await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' }, data: { colour: 'teal' } }, headers })
  assert.equal(cm.status, 201, cm.text)
  const secret = await s.call('POST', '/api/v1/namespaces/payments/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw' }, stringData: { password: 'hunter2-plaintext' } } })
  assert.equal(secret.status, 201, secret.text)
  assert.equal((await s.call('GET', '/api/v1/namespaces/payments/secrets/pw')).status, 200)
  assert.equal((await s.call('GET', '/api/v1/namespaces/payments/services', { headers: { 'impersonate-user': 'bob' } })).status, 403)
  assert.equal((await s.call('GET', '/api/v1/namespaces/payments/pods')).status, 200)
  const deadline = Date.now() + 10_000
  let lines: Record<string, unknown>[] = []
  const want = (l: Record<string, unknown>): boolean => (l.objectRef as { resource?: string } | undefined)?.resource === 'pods'
  while (Date.now() < deadline) {
    const text = existsSync(auditPath()) ? readFileSync(auditPath(), 'utf8') : ''
    lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
    if (lines.some(want)) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  const raw = readFileSync(auditPath(), 'utf8')
  assert.ok(!raw.includes(token), 'no bearer token')
  assert.ok(!raw.includes('hunter2'), 'no secret value')
  assert.ok(!raw.includes(Buffer.from('hunter2-plaintext').toString('base64')), 'no encoded secret value')
  const ref = (l: Record<string, unknown>): { resource?: string; name?: string } => (l.objectRef ?? {}) as { resource?: string; name?: string }
  const cmEvent = lines.find((l) => ref(l).resource === 'configmaps' && l.verb === 'create' && (l.requestObject as { metadata?: { name?: string } } | undefined)?.metadata?.name === 'audited')
  assert.ok(cmEvent !== undefined, raw)
  assert.equal(cmEvent.kind, 'Event')
  assert.equal(cmEvent.apiVersion, 'audit.k8s.io/v1')
  assert.equal(cmEvent.level, 'RequestResponse')
  assert.equal(cmEvent.stage, 'ResponseComplete')
  assert.deepEqual(cmEvent.responseStatus, { metadata: {}, code: 201 })
  assert.deepEqual((cmEvent.requestObject as { data: unknown }).data, { colour: 'teal' })
  assert.deepEqual((cmEvent.responseObject as { data: unknown }).data, { colour: 'teal' })
  assert.deepEqual(cmEvent.objectRef, { resource: 'configmaps', namespace: 'payments', apiGroup: '', apiVersion: 'v1' })
  assert.match(String(cmEvent.auditID), /^[0-9a-f-]{36}$/)
  assert.match(String(cmEvent.requestReceivedTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  const secretEvents = lines.filter((l) => ref(l).resource === 'secrets')
  assert.equal(secretEvents.length, 2)
  for (const e of secretEvents) {
    assert.equal(e.level, 'Metadata')
    assert.equal(e.requestObject, undefined)
    assert.equal(e.responseObject, undefined)
  }
  const pods = lines.find(want)
  assert.equal(pods?.level, 'Metadata')
  assert.ok(!lines.some((l) => l.requestURI === '/healthz'), 'level None is not written')
  const imp = lines.find((l) => ref(l).resource === 'services')
  assert.equal((imp?.user as { username?: string } | undefined)?.username, 'etchlog-admin', 'the requester')
  assert.equal((imp?.impersonatedUser as { username?: string } | undefined)?.username, 'bob')
  assert.deepEqual(imp?.responseStatus, { metadata: {}, code: 403 })
})
