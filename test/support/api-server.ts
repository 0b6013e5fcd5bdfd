// Starts `etchlog serve` in-process on a free port with a temporary data dir, and a small HTTPS
// client that speaks to it with the admin's client certificate (or none).
import type { IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OverloadFlags } from '../../src/apiserver/index.js'
import { startServing, type ServeOptions, type Serving } from '../../src/serve.js'

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json(): Record<string, unknown>
}

export interface Credentials {
  cert?: string
  key?: string
  token?: string
}

export interface TestServer {
  serving: Serving
  dataDir: string
  port: number
  ca: string
  admin: Credentials
  call(method: string, path: string, o?: { body?: unknown; contentType?: string; accept?: string; as?: Credentials | null; headers?: Record<string, string> }): Promise<Reply>
  /** Opens a watch and collects its lines until `until` says stop or the stream ends. */
  stream(path: string, until: (lines: string[]) => boolean, o?: { accept?: string; timeoutMs?: number }): Promise<string[]>
  close(): Promise<void>
}


/** `controllers` (default: on when nodes > 0) runs the simulated cluster's control loops (src/controllers). */
export async function startTestServer(o: { nodes?: number; etcd?: boolean; controllers?: boolean; overload?: OverloadFlags; log?: (line: string) => void; extra?: Partial<ServeOptions> } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'etchlog-api-'))
  const serving = await startServing({ dataDir, bindAddress: '127.0.0.1', securePort: 0, nodes: o.nodes ?? 0, controllers: o.controllers ?? (o.nodes ?? 0) > 0, listenClientUrls: o.etcd === true ? ['http://127.0.0.1:0'] : [], etcdTls: { clientCertAuth: false }, ...(o.overload === undefined ? {} : { overload: o.overload }), ...o.extra }, o.log ?? (() => undefined))
  const pki = join(dataDir, 'pki')
  const ca = readFileSync(join(pki, 'ca.crt'), 'utf8')
  const admin = { cert: readFileSync(join(pki, 'admin.crt'), 'utf8'), key: readFileSync(join(pki, 'admin.key'), 'utf8') }
  const port = serving.server.address.port
  const call: TestServer['call'] = (method, path, c = {}) =>
    new Promise((resolve, reject) => {
      const as: Credentials = c.as === null ? {} : (c.as ?? admin)
      const body = c.body === undefined ? undefined : typeof c.body === 'string' || Buffer.isBuffer(c.body) ? c.body : JSON.stringify(c.body)
      const headers: Record<string, string> = { ...(c.headers ?? {}) }
      if (body !== undefined) {
        headers['content-type'] = c.contentType ?? 'application/json'
        headers['content-length'] = String(Buffer.byteLength(body))
      }
      if (c.accept !== undefined) headers.accept = c.accept
      if (as.token !== undefined) headers.authorization = `Bearer ${as.token}`
      const req = httpsRequest({ host: '127.0.0.1', port, method, path, ca, headers, ...(as.cert === undefined ? {} : { cert: as.cert, key: as.key }) }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> })
        })
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    })
  const stream: TestServer['stream'] = (path, until, so = {}) =>
    new Promise((resolve, reject) => {
      const lines: string[] = []
      let buffer = ''
      const req = httpsRequest({ host: '127.0.0.1', port, method: 'GET', path, ca, cert: admin.cert, key: admin.key, headers: so.accept === undefined ? {} : { accept: so.accept } }, (res) => {
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          buffer += d
          let i
          while ((i = buffer.indexOf('\n')) >= 0) {
            lines.push(buffer.slice(0, i))
            buffer = buffer.slice(i + 1)
          }
          if (until(lines)) {
            req.destroy()
            resolve(lines)
          }
        })
        res.on('end', () => resolve(lines))
      })
      const timer = setTimeout(() => {
        req.destroy()
        reject(new Error(`watch ${path}: no end after ${so.timeoutMs ?? 10000} ms; lines so far: ${lines.join('\n')}`))
      }, so.timeoutMs ?? 10000)
      timer.unref()
      req.on('close', () => clearTimeout(timer))
      req.on('error', (err) => (lines.length > 0 && until(lines) ? resolve(lines) : reject(err)))
      req.end()
    })
  return {
    serving,
    dataDir,
    port,
    ca,
    admin,
    call,
    stream,
    async close() {
      await serving.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
