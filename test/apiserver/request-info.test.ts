// Request info: every URL shape the API serves parses to the verb and coordinates Kubernetes' RequestInfoFactory gives.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRequestInfo } from '../../src/apiserver/index.js'

const cases: [string, string, string, [string, string, string, string, string, string]][] = [
  ['GET', '/api/v1/namespaces/foo', 'get', ['', 'v1', 'foo', 'namespaces', 'foo', '']],
  ['PUT', '/api/v1/namespaces/foo/status', 'update', ['', 'v1', 'foo', 'namespaces', 'foo', 'status']],
  ['PUT', '/api/v1/namespaces/foo/finalize', 'update', ['', 'v1', 'foo', 'namespaces', 'foo', 'finalize']],
  ['GET', '/api/v1/namespaces/foo/pods?watch=1', 'watch', ['', 'v1', 'foo', 'pods', '', '']],
  ['GET', '/api/v1/namespaces/foo/pods?watch=true&resourceVersion=5', 'watch', ['', 'v1', 'foo', 'pods', '', '']],
  ['GET', '/api/v1/watch/namespaces/foo/pods', 'watch', ['', 'v1', 'foo', 'pods', '', '']],
  ['GET', '/apis/apps/v1/namespaces/p/deployments/web/scale', 'get', ['apps', 'v1', 'p', 'deployments', 'web', 'scale']],
  ['DELETE', '/api/v1/namespaces/p/configmaps', 'deletecollection', ['', 'v1', 'p', 'configmaps', '', '']],
  ['DELETE', '/api/v1/namespaces/p/configmaps/x', 'delete', ['', 'v1', 'p', 'configmaps', 'x', '']],
  ['GET', '/api/v1/pods', 'list', ['', 'v1', '', 'pods', '', '']],
  ['POST', '/api/v1/namespaces/p/pods', 'create', ['', 'v1', 'p', 'pods', '', '']],
  ['PATCH', '/api/v1/nodes/n1/status', 'patch', ['', 'v1', '', 'nodes', 'n1', 'status']],
  ['GET', '/api/v1/namespaces/p/pods/a%20b', 'get', ['', 'v1', 'p', 'pods', 'a b', '']],
]

test('resource paths parse to verb, group, version, namespace, resource, name and subresource', () => {
  for (const [method, url, verb, coords] of cases) {
    const i = parseRequestInfo(method, url)
    assert.equal(i.isResourceRequest, true, url)
    assert.equal(i.verb, verb, url)
    assert.deepEqual([i.group, i.version, i.namespace, i.resource, i.name, i.subresource], coords, url)
  }
})

test('non-resource paths are not resource requests and keep the method as verb', () => {
  for (const url of ['/version', '/healthz', '/api', '/apis', '/api/v1', '/apis/apps/v1', '/openapi/v3', '/metrics']) {
    const i = parseRequestInfo('GET', url)
    assert.equal(i.isResourceRequest, false, url)
    assert.equal(i.verb, 'get', url)
  }
})

test('a malformed escape does not throw; extra segments are kept for the router to refuse', () => {
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/p/pods/%E0%A4%A').name, '%E0%A4%A')
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/namespaces/p/pods/x/status/extra').extra, ['extra'])
  // Regressions from the API fuzz test (seeds 1403082964, 1403088232): paths new URL() cannot parse.
  assert.equal(parseRequestInfo('GET', '//%2F').isResourceRequest, false)
  assert.equal(parseRequestInfo('GET', '//%').path, '//%')
})
