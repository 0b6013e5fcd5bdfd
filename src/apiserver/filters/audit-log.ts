// The audit log (--audit-log-path): one audit.k8s.io/v1 Event JSON line per request at the level
// the policy gives it, written when the response is complete (stage ResponseComplete). At Request
// level the request body is kept as the handler reads it; at RequestResponse the response body
// too. Headers are never logged, so no bearer token can reach the file.
import { randomUUID } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Clock } from '../../util/index.js'
import { statusOf } from '../api-error.js'
import type { UserInfo } from '../handlers/context.js'
import type { ApiRequest, ApiResponse } from '../http/io.js'
import type { RequestInfo } from '../request-info.js'
import type { AuditLevel, AuditPolicy } from './audit-policy.js'

/** Bodies larger than this are left out of the event (the event says so in an annotation). */
export const auditBodyBytesMax = 1024 * 1024

export interface Audited {
  /** The request and response the later stages should use (they copy bodies for the event). */
  req: ApiRequest
  res: ApiResponse
  fail(err: unknown): void
  end(): void
}

export class AuditLog {
  private readonly out: WriteStream | undefined

  /** `path` is a file to append to; `sink` (tests, or "-" style use) gets each line instead. */
  constructor(
    private readonly policy: AuditPolicy,
    private readonly clock: Clock,
    target: { path: string } | { sink: (line: string) => void },
  ) {
    if ('path' in target) this.out = createWriteStream(target.path, { flags: 'a', mode: 0o600 })
    else this.sink = target.sink
  }
  private readonly sink: ((line: string) => void) | undefined

  /** Starts a request's event; undefined when the policy says None. */
  begin(user: UserInfo, info: RequestInfo, req: ApiRequest, res: ApiResponse, impersonated?: UserInfo): Audited | undefined {
    const level = this.policy.levelFor(user, info)
    if (level === 'None') return undefined
    const received = this.clock.now()
    const requestBody = level === 'Request' || level === 'RequestResponse' ? new Capture() : undefined
    const responseBody = level === 'RequestResponse' && info.verb !== 'watch' ? new Capture() : undefined
    let error: unknown
    let done = false
    return {
      req: requestBody === undefined ? req : teeRequest(req, requestBody),
      res: responseBody === undefined ? res : teeResponse(res, responseBody),
      fail: (err) => {
        error = err
      },
      end: () => {
        if (done) return
        done = true
        const code = error === undefined ? res.statusCode : statusOf(error).code
        const e = event(level, info, user, req, code, received, this.clock.now(), requestBody?.json(), error === undefined ? responseBody?.json() : statusOf(error))
        if (impersonated !== undefined) e.impersonatedUser = userOf(impersonated)
        this.write(e)
      },
    }
  }

  async close(): Promise<void> {
    const out = this.out
    if (out === undefined || out.closed) return
    out.end()
    await once(out, 'close')
  }

  private write(e: Record<string, unknown>): void {
    const line = JSON.stringify(e)
    if (this.sink !== undefined) this.sink(line)
    else this.out?.write(`${line}\n`)
  }
}

function event(level: AuditLevel, info: RequestInfo, user: UserInfo, req: ApiRequest, code: number, received: number, now: number, requestObject: unknown, responseObject: unknown): Record<string, unknown> {
  const e: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level,
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    requestURI: req.url ?? info.path,
    verb: info.verb,
    user: userOf(user),
    sourceIPs: req.socket.remoteAddress === undefined ? [] : [req.socket.remoteAddress],
    ...(typeof req.headers['user-agent'] === 'string' ? { userAgent: req.headers['user-agent'] } : {}),
  }
  if (info.isResourceRequest) {
    e.objectRef = { resource: info.resource, ...(info.namespace === '' ? {} : { namespace: info.namespace }), ...(info.name === '' ? {} : { name: info.name }), apiGroup: info.group, apiVersion: info.version, ...(info.subresource === '' ? {} : { subresource: info.subresource }) }
  }
  e.responseStatus = { metadata: {}, code }
  if (requestObject !== undefined) e.requestObject = requestObject
  if (responseObject !== undefined) e.responseObject = responseObject
  e.requestReceivedTimestamp = microTime(received)
  e.stageTimestamp = microTime(now)
  return e
}

function userOf(user: UserInfo): Record<string, unknown> {
  return { username: user.username, ...(user.uid === undefined ? {} : { uid: user.uid }), groups: user.groups, ...(user.extra === undefined ? {} : { extra: user.extra }) }
}

/** metav1.MicroTime as audit events carry it. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z')
}

/** Bytes seen on a stream, up to auditBodyBytesMax. */
class Capture {
  private readonly chunks: Buffer[] = []
  private size = 0
  /** Set once the body outgrew the cap (then nothing is kept). */
  private over = false

  add(chunk: string | Uint8Array): void {
    if (this.over) return
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    this.size += b.length
    if (this.size > auditBodyBytesMax) {
      this.over = true
      this.chunks.length = 0
      return
    }
    this.chunks.push(b)
  }

  /** The body as JSON, or undefined when empty, too large or not JSON (YAML and protobuf bodies). */
  json(): unknown {
    if (this.over || this.size === 0) return undefined
    try {
      return JSON.parse(Buffer.concat(this.chunks).toString('utf8'))
    } catch {
      // Not JSON: the event goes without the body rather than with undecoded bytes.
      return undefined
    }
  }
}

function teeRequest(req: ApiRequest, into: Capture): ApiRequest {
  return {
    get method() {
      return req.method
    },
    get url() {
      return req.url
    },
    headers: req.headers,
    socket: req.socket,
    on: (ev, listener) => req.on(ev, listener),
    async *[Symbol.asyncIterator]() {
      for await (const chunk of req) {
        into.add(chunk)
        yield chunk
      }
    },
  }
}

function teeResponse(res: ApiResponse, into: Capture): ApiResponse {
  return {
    get statusCode() {
      return res.statusCode
    },
    set statusCode(v: number) {
      res.statusCode = v
    },
    get headersSent() {
      return res.headersSent
    },
    get writableEnded() {
      return res.writableEnded
    },
    setHeader: (n, v) => res.setHeader(n, v),
    writeHead: (c, h) => res.writeHead(c, h),
    flushHeaders: () => res.flushHeaders(),
    write: (chunk, cb) => {
      into.add(chunk)
      return res.write(chunk, cb)
    },
    end: (chunk, cb) => {
      if (chunk !== undefined) into.add(chunk)
      return res.end(chunk, cb)
    },
    on: (ev, l) => res.on(ev, l),
    once: (ev, l) => res.once(ev, l),
  }
}
