// A small Kubernetes REST client over HTTPS (node:https, keep-alive): JSON in and out, errors as
// ApiStatusError carrying the server's Status, and watch streams read as JSON lines.
import { Agent, request } from 'node:https'
import type { IncomingMessage } from 'node:http'
import { StorageError, type StatusReason } from '../util/index.js'
import type { KubeObject, WatchEvent } from './types.js'

export interface ApiCredentials {
  /** https://host:port */
  server: string
  ca: string
  cert?: string
  key?: string
  token?: string
}

export interface Status {
  kind?: string
  status?: string
  message?: string
  reason?: string
  code?: number
  [field: string]: unknown
}

const reasons = new Set<string>(['BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'NotAcceptable', 'UnsupportedMediaType', 'Gone', 'AlreadyExists', 'Conflict', 'Expired', 'Timeout', 'Invalid', 'MethodNotAllowed', 'RequestEntityTooLarge', 'TooManyRequests', 'ServiceUnavailable', 'InternalError'])

/** A non-2xx answer: `code` is the Status reason, `httpStatus` the HTTP code. */
export class ApiStatusError extends StorageError {
  constructor(
    readonly httpStatus: number,
    readonly status: Status,
    what: string,
  ) {
    super(reasonOf(httpStatus, status), `${what}: ${httpStatus} ${status.message ?? ''}`.trim())
  }
}

function reasonOf(http: number, s: Status): StatusReason {
  if (typeof s.reason === 'string' && reasons.has(s.reason)) return s.reason as StatusReason
  if (http === 404) return 'NotFound'
  if (http === 409) return 'Conflict'
  if (http === 410) return 'Gone'
  if (http === 422) return 'Invalid'
  return 'InternalError'
}

export function isReason(err: unknown, ...codes: StatusReason[]): boolean {
  return err instanceof StorageError && codes.includes(err.code)
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[]
  metadata: { resourceVersion: string; continue?: string }
}

export class ApiClient {
  private readonly agent: Agent
  private readonly url: URL

  constructor(private readonly creds: ApiCredentials) {
    this.url = new URL(creds.server)
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, ca: creds.ca, ...(creds.cert === undefined ? {} : { cert: creds.cert, key: creds.key }) })
  }

  get<T extends KubeObject = KubeObject>(path: string): Promise<T> {
    return this.json<T>('GET', path)
  }

  list<T extends KubeObject = KubeObject>(path: string): Promise<ListResult<T>> {
    return this.json<ListResult<T>>('GET', path)
  }

  /** Any JSON document (discovery, Status). */
  raw<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    return this.json<T>(method, path, body, contentType)
  }

  create<T extends KubeObject = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, body)
  }

  update<T extends KubeObject = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, body)
  }

  /** JSON merge patch (RFC 7386). */
  patch<T extends KubeObject = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body, 'application/merge-patch+json')
  }

  delete(path: string, o: { propagationPolicy?: string; gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } } = {}): Promise<KubeObject | Status> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...o }
    return this.json<KubeObject | Status>('DELETE', path, body)
  }

  /**
   * Streams a watch: calls `onEvent` per line until the server ends the stream, the signal
   * aborts, or the connection fails (rejects). Resolves when the stream ends.
   */
  watch(path: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve()
      const req = this.start('GET', path, undefined, undefined, (res) => {
        if ((res.statusCode ?? 0) >= 300) return readAll(res).then((text) => reject(statusError(res, text, `watch ${path}`)), reject)
        res.setEncoding('utf8')
        let buffer = ''
        res.on('data', (d: string) => {
          buffer += d
          for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
            const line = buffer.slice(0, i).trim()
            buffer = buffer.slice(i + 1)
            if (line === '') continue
            try {
              onEvent(JSON.parse(line) as WatchEvent)
            } catch (err) {
              req.destroy(err instanceof Error ? err : new Error(String(err)))
              return
            }
          }
        })
        res.on('end', () => resolve())
        res.on('error', (err) => (signal.aborted ? resolve() : reject(err)))
      })
      const onAbort = (): void => {
        req.destroy()
        resolve()
      }
      signal.addEventListener('abort', onAbort, { once: true })
      req.on('close', () => signal.removeEventListener('abort', onAbort))
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)))
      req.end()
    })
  }

  close(): void {
    this.agent.destroy()
  }

  private json<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body)
      const req = this.start(method, path, text, contentType, (res) => {
        readAll(res).then((reply) => {
          if ((res.statusCode ?? 0) >= 300) return reject(statusError(res, reply, `${method} ${path}`))
          try {
            resolve(JSON.parse(reply) as T)
          } catch (err) {
            reject(new ApiStatusError(res.statusCode ?? 0, { message: `not JSON: ${String(err)}` }, `${method} ${path}`))
          }
        }, reject)
      })
      req.on('error', reject)
      req.end(text)
    })
  }

  private start(method: string, path: string, body: string | undefined, contentType: string | undefined, onResponse: (res: IncomingMessage) => void): ReturnType<typeof request> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json'
      headers['content-length'] = String(Buffer.byteLength(body))
    }
    if (this.creds.token !== undefined) headers.authorization = `Bearer ${this.creds.token}`
    return request({ host: this.url.hostname.replace(/^\[|\]$/g, ''), port: this.url.port === '' ? 443 : Number(this.url.port), method, path, headers, agent: this.agent }, onResponse)
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (d: Buffer) => chunks.push(d))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}

function statusError(res: IncomingMessage, text: string, what: string): ApiStatusError {
  let status: Status = { message: text.slice(0, 200) }
  try {
    const parsed = JSON.parse(text) as unknown
    if (typeof parsed === 'object' && parsed !== null) status = parsed as Status
  } catch (err) {
    status = { message: `${text.slice(0, 200)} (${String(err)})` }
  }
  return new ApiStatusError(res.statusCode ?? 0, status, what)
}
