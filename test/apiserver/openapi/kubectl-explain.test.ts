// Real kubectl 1.32 against a tiny HTTP server that serves only /version, legacy discovery
// and the OpenApiBuilder documents: `kubectl explain` reads nothing else, so its output shows
// whether the documents carry the real schemas (descriptions, types, x-kubernetes-group-version-kind).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadKubernetesSchemas, OpenApiBuilder, type ServedResource } from '../../../src/apiserver/openapi/index.js'

const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'
const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const served: ServedResource[] = [
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, verbs, subresources: ['status', 'scale'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs, subresources: [] },
]

function discovery(path: string): object | undefined {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }
  if (path === '/apis') {
    const gv = { groupVersion: 'apps/v1', version: 'v1' }
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [gv], preferredVersion: gv }] }
  }
  const gv = path === '/api/v1' ? 'v1' : path === '/apis/apps/v1' ? 'apps/v1' : undefined
  if (gv === undefined) return undefined
  const resources = served
    .filter((r) => (r.group === '' ? r.version : `${r.group}/${r.version}`) === gv)
    .map((r) => ({ name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: r.verbs }))
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources }
}

async function startServer(builder: OpenApiBuilder): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    let body: object | undefined
    if (url.pathname === '/version') body = { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' }
    else if (url.pathname === '/openapi/v3') body = builder.v3Index()
    else if (url.pathname.startsWith('/openapi/v3/')) body = builder.v3Document(url.pathname.slice('/openapi/v3/'.length))
    else if (url.pathname === '/openapi/v2') body = builder.v2Document()
    else body = discovery(url.pathname)
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

function run(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectl, args, { env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: join(home, 'none') }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

test('kubectl explain prints the real field docs from /openapi/v3', { skip: !existsSync(kubectl) && 'kubectl 1.32 not installed' }, async () => {
  const builder = new OpenApiBuilder(await loadKubernetesSchemas(), () => served, () => new Map())
  const { server, url } = await startServer(builder)
  const home = mkdtempSync(join(tmpdir(), 'explain-'))
  try {
    const out = await run(['--server', url, '--cache-dir', join(home, 'cache'), 'explain', 'deployment.spec.strategy'], home)
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /GROUP:\s+apps/)
    assert.match(out.stdout, /KIND:\s+Deployment/)
    assert.match(out.stdout, /FIELD: strategy <DeploymentStrategy>/)
    assert.match(out.stdout, /The deployment strategy to use to replace existing pods with new ones\./)
    assert.match(out.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/)
    assert.match(out.stdout, /type\s+<string>\s+enum: Recreate, RollingUpdate/)
    const replicas = await run(['--server', url, '--cache-dir', join(home, 'cache'), 'explain', 'deployment.spec.replicas'], home)
    assert.match(replicas.stdout, /FIELD: replicas <integer>/)
    const cm = await run(['--server', url, '--cache-dir', join(home, 'cache'), 'explain', 'configmap.data'], home)
    assert.match(cm.stdout, /FIELD: data <map\[string\]string>/)
  } finally {
    server.close()
    rmSync(home, { recursive: true, force: true })
  }
})
