// The API server: HTTPS with HTTP/2 and HTTP/1.1 on one port, and the request pipeline composed
// in one place, read top to bottom (handle, then serve): request info, request timeout, panic
// recovery, authentication, impersonation, audit, flow control, authorization, then the router
// (whose write handlers run admission and validation). Each stage is a small filter in filters/
// or a function of one concern; this file only orders them and owns the listening socket.
import { once } from 'node:events'
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { ApiError } from './api-error.js'
import type { AuditLog } from './filters/audit-log.js'
import type { FlowControl } from './filters/flow-control.js'
import { isLongRunning } from './filters/long-running.js'
import type { ApiMetrics } from './filters/metrics.js'
import { recoverPanics } from './filters/panic-recovery.js'
import { requestTimeoutMs, requestTimeoutMsDefault, withTimeout } from './filters/request-timeout.js'
import type { ApiContext, UserInfo } from './handlers/context.js'
import { sendError, type ApiRequest, type ApiResponse } from './http/io.js'
import { parseRequestInfo, type RequestInfo } from './request-info.js'
import { publicPaths, Router } from './router.js'

/** Returns the user a request authenticates as, undefined when its credentials are not this kind, or throws Unauthorized. */
export type Authenticator = (req: ApiRequest, socket: TLSSocket | undefined) => Promise<UserInfo | undefined> | UserInfo | undefined

export interface Decision {
  allowed: boolean
  reason: string
}

/** Decides a request; the default allows only system:masters (until RBAC is wired in). */
export type Authorizer = (user: UserInfo, info: RequestInfo) => Decision | Promise<Decision>

/** Runs around each request after routing is decided (metrics, audit, access log). */
export type RequestObserver = (e: { info: RequestInfo; user: UserInfo | undefined; code: number; durationMs: number; req: ApiRequest }) => void

export interface ApiServerOptions {
  ctx: ApiContext
  tls: { cert: string; key: string; ca: string }
  authenticators: Authenticator[]
  authorizer: Authorizer
  /** Mutates the authenticated user (impersonation headers). */
  impersonate?: (user: UserInfo, req: ApiRequest, info: RequestInfo) => Promise<UserInfo> | UserInfo
  observers?: RequestObserver[]
  /** In-flight limits with priority and fairness (filters/flow-control.ts); none when absent. */
  flowControl?: FlowControl
  /** Timeout of non-long-running requests (default 60 s). */
  requestTimeoutMs?: number
  metrics?: ApiMetrics
  audit?: AuditLog
  /** Called with every 500 (never a secret: the Status only). */
  log(line: string): void
}

export class ApiServer {
  readonly router: Router
  private server: Http2SecureServer | undefined
  private readonly open = new Set<Http2ServerResponse>()
  private port = 0
  private host = '127.0.0.1'

  constructor(private readonly o: ApiServerOptions) {
    this.router = new Router(o.ctx, () => `${this.host}:${this.port}`)
  }

  get address(): { host: string; port: number } {
    return { host: this.host, port: this.port }
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createSecureServer({
      cert: this.o.tls.cert,
      key: this.o.tls.key,
      ca: this.o.tls.ca,
      allowHTTP1: true,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      settings: { maxConcurrentStreams: 1000 },
    })
    server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
      this.open.add(res)
      res.on('close', () => this.open.delete(res))
      void this.handle(req, res)
    })
    // A client that fails the handshake or sends garbage affects only its own connection.
    server.on('tlsClientError', () => undefined)
    server.on('sessionError', () => undefined)
    server.listen(port, host)
    await once(server, 'listening')
    this.server = server
    this.host = host
    this.port = (server.address() as AddressInfo).port
    return this.address
  }

  /** Stops accepting, ends every open response (watch streams end cleanly), and waits for the sockets. */
  async close(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const res of this.open) if (!res.writableEnded) res.end()
    await closed
  }

  /** Ends every open response (watch streams, log follows) without closing the server: clients reconnect. */
  endStreams(): void {
    for (const res of this.open) if (!res.writableEnded) res.end()
  }

  /**
   * The pipeline, outermost first: request info, request timeout (non-long-running requests),
   * panic recovery, authentication, impersonation, audit, flow control (in-flight limits with
   * priority and fairness), authorization, the router; access log, metrics and observers after.
   */
  private async handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const started = performance.now()
    const request = req as unknown as ApiRequest
    const response = res as unknown as ApiResponse
    let info: RequestInfo
    try {
      info = parseRequestInfo(req.method, req.url)
    } catch (err) {
      sendError(response, err)
      return
    }
    const seen: { user: UserInfo | undefined } = { user: undefined }
    const abort = new AbortController()
    const where = `${req.method} ${info.path}`
    const log = (line: string): void => {
      this.o.metrics?.countPanic()
      this.o.log(line)
    }
    let code: number
    if (isLongRunning(info)) {
      code = await recoverPanics(() => this.serve(request, response, info, seen, abort.signal), response, where, log)
    } else {
      const work = recoverPanics(() => this.serve(request, response, info, seen, abort.signal), response, where, log)
      const timeoutMs = this.timeoutOf(info)
      const outcome = timeoutMs === undefined ? 'done' : await withTimeout(this.o.ctx.clock, timeoutMs, response, abort, work.then(() => undefined))
      code = outcome === 'timeout' ? 504 : await work
    }
    const durationMs = performance.now() - started
    this.o.metrics?.observeRequest(info, request, code, durationMs)
    for (const ob of this.o.observers ?? []) ob({ info, user: seen.user, code, durationMs, req: request })
  }

  /** The request's timeout in ms; a bad `timeout` parameter is answered by the pipeline (400). */
  private timeoutOf(info: RequestInfo): number | undefined {
    try {
      return requestTimeoutMs(info.query, this.o.requestTimeoutMs ?? requestTimeoutMsDefault)
    } catch {
      // serve() parses it again and throws the 400 inside panic recovery.
      return undefined
    }
  }

  private async serve(request: ApiRequest, response: ApiResponse, info: RequestInfo, seen: { user: UserInfo | undefined }, signal: AbortSignal): Promise<void> {
    if (!isLongRunning(info)) requestTimeoutMs(info.query, this.o.requestTimeoutMs ?? requestTimeoutMsDefault)
    const authenticated = await this.authenticate(request)
    let user = authenticated
    if (user === undefined) {
      if (!publicPaths.has(info.path)) throw new ApiError('Unauthorized', 'Unauthorized')
      user = { username: 'system:anonymous', groups: ['system:unauthenticated'] }
    } else if (this.o.impersonate !== undefined) {
      user = await this.o.impersonate(user, request, info)
    }
    seen.user = user
    // Audited as the requester (the policy too), with the impersonated user beside it, as Kubernetes does.
    const audited = this.o.audit?.begin(authenticated ?? user, info, request, response, user === authenticated ? undefined : user)
    try {
      const release = this.o.flowControl === undefined ? undefined : await this.o.flowControl.admit(user, info, signal)
      try {
        if (!publicPaths.has(info.path)) {
          const decision = await this.o.authorizer(user, info)
          if (!decision.allowed) throw new ApiError('Forbidden', decision.reason, { ...(info.name === '' ? {} : { name: info.name }), group: info.group, kind: info.resource })
        }
        await this.router.route(audited?.req ?? request, audited?.res ?? response, info, user)
      } finally {
        release?.()
      }
    } catch (err) {
      audited?.fail(err)
      throw err
    } finally {
      audited?.end()
    }
  }

  private async authenticate(request: ApiRequest): Promise<UserInfo | undefined> {
    const req = request as unknown as Http2ServerRequest
    const socket = (req.stream?.session?.socket ?? req.socket) as TLSSocket | undefined
    const started = performance.now()
    let failed = true
    let user: UserInfo | undefined
    try {
      for (const a of this.o.authenticators) {
        user = await a(request, socket)
        if (user !== undefined) break
      }
      failed = false
      return user
    } finally {
      this.o.metrics?.observeAuthentication(user, failed, performance.now() - started)
    }
  }
}
