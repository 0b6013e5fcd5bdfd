// Random requests (paths, methods, headers, bodies, credentials) against a running server: every
// answer is a well-formed Status or a success body, never a 5xx, never a crash; unauthenticated
// requests never get a 2xx outside the public paths; the store passes its check afterwards.
// ETCHLOG_API_FUZZ_RUNS scales the run (default 300); the seed is printed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { startTestServer, type TestServer } from '../support/api-server.js'

let s: TestServer
before(async () => {
  s = await startTestServer()
  await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } } })
})
after(async () => s.close())

const segments = ['api', 'apis', 'v1', 'apps', 'namespaces', 'fz', 'default', 'pods', 'configmaps', 'deployments', 'status', 'scale', 'log', 'exec', 'finalize', 'nodes', 'x', '', '..', '%', '%2F', 'watch', 'openapi', 'v3', 'version', 'healthz', 'rbac.authorization.k8s.io', 'roles', 'selfsubjectaccessreviews', 'authorization.k8s.io']
const queries = ['', '?watch=1&timeoutSeconds=1', '?limit=-1', '?limit=abc', '?labelSelector=%3D%3D', '?fieldSelector=spec.x%3Dy', '?resourceVersion=abc', '?resourceVersionMatch=Bogus', '?dryRun=Nope', '?fieldValidation=Maybe', '?continue=garbage', '?propagationPolicy=Sideways', '?gracePeriodSeconds=x']
const contentTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/plain', '']
const bodies: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.json(),
  fc.constantFrom('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok"}}', '{"metadata":{"name":"UPPER"}}', '[{"op":"remove","path":"/nope"}]', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"other"}}', 'k8s\u0000garbage', 'a: [b', 'null', '{"spec":{"containers":"x"}}'),
)

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  path: fc.array(fc.constantFrom(...segments), { minLength: 0, maxLength: 7 }).map((p) => `/${p.join('/')}`),
  query: fc.constantFrom(...queries),
  contentType: fc.constantFrom(...contentTypes),
  body: bodies,
  authenticated: fc.boolean(),
  token: fc.constantFrom(undefined, 'garbage', 'a.b.c', ''),
})

// Kubernetes' system:public-info-viewer paths, /version/ included (regression: seed 1407806720).
const publicPaths = new Set(['/healthz', '/readyz', '/livez', '/version', '/version/'])

test('random requests always get a well-formed answer: a Status for every failure, no 5xx, no 2xx without credentials', async () => {
  const seed = Number(process.env.ETCHLOG_API_FUZZ_SEED ?? Date.now() % 2 ** 31)
  const numRuns = Number(process.env.ETCHLOG_API_FUZZ_RUNS ?? 300)
  console.log(`api fuzz: seed ${seed}, ${numRuns} runs`)
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const as = r.authenticated ? undefined : r.token === undefined ? null : { token: r.token }
      const reply = await s.call(r.method, `${r.path}${r.query}`, { ...(r.body === undefined ? {} : { body: r.body, contentType: r.contentType }), as })
      assert.ok(reply.status < 500, `${r.method} ${r.path}${r.query} -> ${reply.status}: ${reply.text.slice(0, 300)}`)
      if (!r.authenticated && !publicPaths.has(r.path)) assert.ok(reply.status === 401 || reply.status === 403, `unauthenticated ${r.method} ${r.path} -> ${reply.status}`)
      if (reply.status >= 400 && r.method !== 'HEAD') {
        const status = reply.json()
        assert.equal(status.kind, 'Status')
        assert.equal(status.code, reply.status)
        assert.equal(typeof status.message, 'string')
      }
    }),
    { seed, numRuns },
  )
  const check = await s.serving.store.check()
  assert.equal(check.ok, true, JSON.stringify(check))
})
