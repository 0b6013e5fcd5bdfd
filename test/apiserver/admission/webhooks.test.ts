// Admission webhooks over a real server, called over HTTPS at real webhook servers on loopback:
// a label injector, a policy that denies pods without resource limits, one that hangs, one that
// answers garbage; rules, selectors, failurePolicy, dry run, reinvocation.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../../support/api-server.js'
import { allow, deny, jsonPatch, startWebhookServer, type Review, type WebhookServer } from '../../support/webhook-server.js'

let s: TestServer
let hooks: WebhookServer
let reinvoked = 0
before(async () => {
  s = await startTestServer()
  hooks = await startWebhookServer({
    '/label': (r) => jsonPatch(r, [{ op: 'add', path: '/metadata/labels', value: { ...((r.request.object?.metadata as { labels?: object }).labels ?? {}), injected: 'yes' } }]),
    '/limits': (r) => {
      const containers = ((r.request.object?.spec as { containers?: { name: string; resources?: { limits?: object } }[] }).containers ?? [])
      const bare = containers.find((c) => c.resources?.limits === undefined)
      return bare === undefined ? allow(r) : deny(r, `container ${bare.name} has no resource limits`)
    },
    '/hang': () => 'hang',
    '/garbage': () => '<html>not a review</html>',
    '/first': (r) => {
      reinvoked++
      return allow(r)
    },
    '/second': (r) => jsonPatch(r, [{ op: 'add', path: '/metadata/annotations', value: { second: 'was-here' } }]),
  })
})
after(async () => {
  await s.close()
  await hooks.close()
})

type Json = Record<string, unknown>

async function namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  const r = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } })
  assert.equal(r.status, 201, r.text)
}

function webhook(name: string, path: string, ns: string, extra: Json = {}): Json {
  return {
    name,
    clientConfig: { url: hooks.url(path), caBundle: hooks.caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'configmaps'], scope: 'Namespaced' }],
    namespaceSelector: { matchLabels: { test: ns } },
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: 2,
    ...extra,
  }
}

async function configure(kind: 'mutating' | 'validating', name: string, webhooks: Json[]): Promise<void> {
  const resource = `${kind}webhookconfigurations`
  const body = { apiVersion: 'admissionregistration.k8s.io/v1', kind: kind === 'mutating' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration', metadata: { name }, webhooks }
  const r = await s.call('POST', `/apis/admissionregistration.k8s.io/v1/${resource}`, { body })
  assert.equal(r.status, 201, r.text)
}

function pod(name: string, limits = false, labels: Record<string, string> = {}): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'nginx', ...(limits ? { resources: { limits: { cpu: '1', memory: '128Mi' } } } : {}) }] } }
}

test('a mutating webhook injects a label; a validating one denies a pod without limits, reason shown', async () => {
  await namespace('wh-policy', { test: 'policy' })
  await configure('mutating', 'inject-label', [webhook('label.example.com', '/label', 'policy')])
  await configure('validating', 'require-limits', [webhook('limits.example.com', '/limits', 'policy', { rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] })])
  const ok = await s.call('POST', '/api/v1/namespaces/wh-policy/pods', { body: pod('limited', true, { app: 'web' }) })
  assert.equal(ok.status, 201, ok.text)
  assert.deepEqual((ok.json().metadata as Json).labels, { app: 'web', injected: 'yes' })
  const refused = await s.call('POST', '/api/v1/namespaces/wh-policy/pods', { body: pod('bare') })
  assert.equal(refused.status, 403, refused.text)
  assert.equal(refused.json().message, 'admission webhook "limits.example.com" denied the request: container app has no resource limits')
  assert.equal((await s.call('GET', '/api/v1/namespaces/wh-policy/pods/bare')).status, 404)
  // The review the validating webhook saw: after mutation, with the user and operation.
  const review = (hooks.seen.get('/limits') ?? []).at(-1) as Review
  assert.equal(review.request.operation, 'CREATE')
  assert.equal(review.request.namespace, 'wh-policy')
  assert.deepEqual(review.request.resource, { group: '', version: 'v1', resource: 'pods' })
  assert.equal((review.request.userInfo as { username: string }).username, 'etchlog-admin')
  assert.equal(((review.request.object?.metadata as Json).labels as Json).injected, 'yes')
  // A configmap matches the mutating rule (label) but not the validating one (pods only).
  const cm = await s.call('POST', '/api/v1/namespaces/wh-policy/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } })
  assert.equal(cm.status, 201, cm.text)
  assert.deepEqual((cm.json().metadata as Json).labels, { injected: 'yes' })
})

test('selectors: another namespace and a non-matching objectSelector are not sent to the webhook', async () => {
  await namespace('wh-elsewhere', { test: 'elsewhere' })
  const before = hooks.seen.get('/limits')?.length ?? 0
  const r = await s.call('POST', '/api/v1/namespaces/wh-elsewhere/pods', { body: pod('free') })
  assert.equal(r.status, 201, r.text)
  assert.equal(hooks.seen.get('/limits')?.length ?? 0, before)
  await namespace('wh-objsel', { test: 'objsel' })
  await configure('validating', 'objsel', [webhook('objsel.example.com', '/limits', 'objsel', { objectSelector: { matchExpressions: [{ key: 'policy', operator: 'In', values: ['strict'] }] } })])
  assert.equal((await s.call('POST', '/api/v1/namespaces/wh-objsel/pods', { body: pod('lax') })).status, 201)
  const strict = await s.call('POST', '/api/v1/namespaces/wh-objsel/pods', { body: pod('strict', false, { policy: 'strict' }) })
  assert.equal(strict.status, 403, strict.text)
})

test('a hanging webhook times out: failurePolicy Fail refuses (500), Ignore lets the write through', async () => {
  await namespace('wh-hang-fail', { test: 'hang-fail' })
  await namespace('wh-hang-ignore', { test: 'hang-ignore' })
  await configure('validating', 'hang-fail', [webhook('hang-fail.example.com', '/hang', 'hang-fail', { timeoutSeconds: 1, failurePolicy: 'Fail' })])
  await configure('validating', 'hang-ignore', [webhook('hang-ignore.example.com', '/hang', 'hang-ignore', { timeoutSeconds: 1, failurePolicy: 'Ignore' })])
  const started = Date.now()
  const failed = await s.call('POST', '/api/v1/namespaces/wh-hang-fail/pods', { body: pod('p') })
  assert.equal(failed.status, 500, failed.text)
  assert.equal(failed.json().reason, 'InternalError')
  assert.match(String(failed.json().message), /^Internal error occurred: failed calling webhook "hang-fail\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/hang\?timeout=1s": context deadline exceeded$/)
  assert.ok(Date.now() - started < 5000, 'the timeout was honoured')
  const ignored = await s.call('POST', '/api/v1/namespaces/wh-hang-ignore/pods', { body: pod('p') })
  assert.equal(ignored.status, 201, ignored.text)
})

test('a webhook answering garbage: Fail refuses with the decode error, Ignore lets the write through', async () => {
  await namespace('wh-garbage', { test: 'garbage' })
  await configure('validating', 'garbage', [webhook('garbage.example.com', '/garbage', 'garbage')])
  const r = await s.call('POST', '/api/v1/namespaces/wh-garbage/pods', { body: pod('p') })
  assert.equal(r.status, 500, r.text)
  assert.match(String(r.json().message), /^Internal error occurred: failed calling webhook "garbage\.example\.com": received invalid webhook response: /)
  await namespace('wh-garbage-ok', { test: 'garbage-ok' })
  await configure('mutating', 'garbage-ok', [webhook('garbage-ok.example.com', '/garbage', 'garbage-ok', { failurePolicy: 'Ignore' })])
  assert.equal((await s.call('POST', '/api/v1/namespaces/wh-garbage-ok/pods', { body: pod('p') })).status, 201)
  // Deleting the configuration counts for the very next request.
  assert.equal((await s.call('DELETE', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/garbage')).status, 200)
  const after = await s.call('POST', '/api/v1/namespaces/wh-garbage/pods', { body: pod('p') })
  assert.equal(after.status, 201, after.text)
})

test('dry run: sideEffects Unknown is refused with 400, None is called with dryRun true', async () => {
  await namespace('wh-dry', { test: 'dry' })
  await configure('validating', 'dry-unknown', [webhook('unknown.example.com', '/limits', 'dry', { sideEffects: 'Unknown', objectSelector: { matchLabels: { side: 'unknown' } } })])
  await configure('validating', 'dry-none', [webhook('none.example.com', '/limits', 'dry', { objectSelector: { matchLabels: { side: 'none' } } })])
  const unknown = await s.call('POST', '/api/v1/namespaces/wh-dry/pods?dryRun=All', { body: pod('u', true, { side: 'unknown' }) })
  assert.equal(unknown.status, 400, unknown.text)
  assert.equal(unknown.json().message, 'admission webhook "unknown.example.com" does not support dry run')
  const none = await s.call('POST', '/api/v1/namespaces/wh-dry/pods?dryRun=All', { body: pod('n', true, { side: 'none' }) })
  assert.equal(none.status, 201, none.text)
  const review = (hooks.seen.get('/limits') ?? []).at(-1) as Review
  assert.equal(review.request.dryRun, true)
  assert.equal((await s.call('GET', '/api/v1/namespaces/wh-dry/pods/n')).status, 404)
})

test('reinvocationPolicy IfNeeded: an earlier webhook runs once more after a later one changed the object', async () => {
  await namespace('wh-reinvoke', { test: 'reinvoke' })
  await namespace('wh-never', { test: 'never' })
  await configure('mutating', 'reinvoke', [webhook('first.example.com', '/first', 'reinvoke', { reinvocationPolicy: 'IfNeeded' }), webhook('second.example.com', '/second', 'reinvoke')])
  reinvoked = 0
  const r = await s.call('POST', '/api/v1/namespaces/wh-reinvoke/pods', { body: pod('p') })
  assert.equal(r.status, 201, r.text)
  assert.equal(((r.json().metadata as Json).annotations as Json).second, 'was-here')
  assert.equal(reinvoked, 2)
  await configure('mutating', 'no-reinvoke', [webhook('first-never.example.com', '/first', 'never'), webhook('second-never.example.com', '/second', 'never')])
  reinvoked = 0
  assert.equal((await s.call('POST', '/api/v1/namespaces/wh-never/pods', { body: pod('p') })).status, 201)
  assert.equal(reinvoked, 1)
})

test('matchConditions: a false condition skips the webhook; one that cannot be evaluated follows failurePolicy', async () => {
  await namespace('wh-cel', { test: 'cel' })
  await configure('validating', 'cel', [
    webhook('cel.example.com', '/limits', 'cel', { matchConditions: [{ name: 'not-exempt', expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)" }] }),
    webhook('cel-broken.example.com', '/limits', 'cel', { objectSelector: { matchLabels: { broken: 'yes' } }, matchConditions: [{ name: 'typo', expression: 'object.metadata.labelz.x == "y"' }] }),
  ])
  const exempt = await s.call('POST', '/api/v1/namespaces/wh-cel/pods', { body: pod('exempt', false, { exempt: 'true' }) })
  assert.equal(exempt.status, 201, exempt.text)
  const checked = await s.call('POST', '/api/v1/namespaces/wh-cel/pods', { body: pod('checked') })
  assert.equal(checked.status, 403, checked.text)
  const broken = await s.call('POST', '/api/v1/namespaces/wh-cel/pods', { body: pod('broken', true, { broken: 'yes' }) })
  assert.equal(broken.status, 500, broken.text)
  assert.equal(broken.json().message, 'Internal error occurred: failed calling webhook "cel-broken.example.com": failed to evaluate match condition: typo: no such key: labelz')
})

test('a webhook URL that is not https is a failed call', async () => {
  await namespace('wh-http', { test: 'http' })
  await configure('validating', 'http', [{ ...webhook('http.example.com', '/limits', 'http'), clientConfig: { url: 'http://127.0.0.1:1/validate' } }])
  const r = await s.call('POST', '/api/v1/namespaces/wh-http/pods', { body: pod('p', true) })
  assert.equal(r.status, 500, r.text)
  assert.equal(r.json().message, 'Internal error occurred: failed calling webhook "http.example.com": failed to call webhook: clientConfig.url must be an https URL, got "http://127.0.0.1:1/validate"')
})
