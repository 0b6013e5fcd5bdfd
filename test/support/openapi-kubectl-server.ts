// A tiny HTTP server for driving the real kubectl 1.32 against OpenApiBuilder documents:
// /version (minor 32), legacy discovery of the given resources, /openapi/v3 and /openapi/v2,
// plus fixed objects to GET and a PATCH that echoes the object back. It records every request
// so tests can assert what kubectl asked for. Listens on 127.0.0.1, port 0; close() stops it.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openApiV2Answer, type OpenApiBuilder, type ServedResource } from '../../src/apiserver/openapi/index.js'

export const kubectl132 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'

export interface RecordedRequest {
  method: string
  url: string
  accept: string
  contentType: string
  body: string
}

function apiVersionOf(r: ServedResource): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}

function discovery(path: string, served: ServedResource[]): object | undefined {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }
  const groups = [...new Set(served.filter((r) => r.group !== '').map(apiVersionOf))]
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((gv) => {
        const v = { groupVersion: gv, version: gv.split('/')[1] ?? '' }
        return { name: gv.split('/')[0], versions: [v], preferredVersion: v }
      }),
    }
  }
  const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') && path.split('/').length === 4 ? path.slice('/apis/'.length) : undefined
  if (gv === undefined) return undefined
  const resources = served
    .filter((r) => apiVersionOf(r) === gv)
    .map((r) => ({ name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: r.verbs }))
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources }
}

export class KubectlFakeServer {
  readonly requests: RecordedRequest[] = []
  private server: Server | undefined
  url = ''
  readonly home = mkdtempSync(join(tmpdir(), 'kubectl-fake-'))

  constructor(
    private readonly builder: OpenApiBuilder,
    private readonly served: ServedResource[],
    /** URL path -> object answered on GET and echoed on PATCH. */
    private readonly objects: Map<string, object> = new Map(),
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const answer = this.answer(req, body)
        res.writeHead(answer.code, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
      })
    })
    const server = this.server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  private answer(req: IncomingMessage, body: string): { code: number; body: object } {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', accept: req.headers.accept ?? '', contentType: req.headers['content-type'] ?? '', body })
    const notFound = { code: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 } }
    if (path === '/version') return { code: 200, body: { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' } }
    if (path === '/openapi/v3') return { code: 200, body: this.builder.v3Index() }
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.builder.v3Document(path.slice('/openapi/v3/'.length))
      return doc === undefined ? notFound : { code: 200, body: doc }
    }
    if (path === '/openapi/v2') {
      if (openApiV2Answer(req.headers.accept) === 'json') return { code: 200, body: this.builder.v2Document() }
      return { code: 406, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotAcceptable', code: 406 } }
    }
    const obj = this.objects.get(path)
    if (obj !== undefined) return { code: 200, body: obj }
    const d = discovery(path, this.served)
    return d === undefined ? notFound : { code: 200, body: d }
  }

  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { PATH: process.env.PATH ?? '', HOME: this.home, KUBECONFIG: join(this.home, 'none') }
    const full = ['--server', this.url, '--cache-dir', join(this.home, 'cache'), ...args]
    return new Promise((resolve) => {
      execFile(kubectl132, full, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
      })
    })
  }

  async close(): Promise<void> {
    const server = this.server
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
    rmSync(this.home, { recursive: true, force: true })
  }
}
