// The API server: HTTPS with HTTP/2 and HTTP/1.1 on one port, and the request pipeline composed
// in one place, read top to bottom: panic recovery, request info, authentication, authorization,
// then the router (whose write handlers run admission and validation). Each stage is a function
// of one concern; this file only orders them and owns the listening socket.
import { once } from 'node:events'
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { ApiError, statusOf } from './api-error.js'
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

  /** The error's Status; if even that cannot be sent (a broken stream), the stream is reset so the client sees a failure. */
  private answer(res: ApiResponse, err: unknown): number {
    try {
      return sendError(res, err).code
    } catch (sendErr) {
      this.o.log(`apiserver: could not send a Status: ${sendErr instanceof Error ? sendErr.message : String(sendErr)}`)
      ;(res as unknown as { stream?: { close(code?: number): void } }).stream?.close(2)
      return 500
    }
  }

  /** Ends every open response (watch streams, log follows) without closing the server: clients reconnect. */
  endStreams(): void {
    for (const res of this.open) if (!res.writableEnded) res.end()
  }

  private async handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const started = performance.now()
    let info: RequestInfo | undefined
    let user: UserInfo | undefined
    let code = 500
    const request = req as unknown as ApiRequest
    const response = res as unknown as ApiResponse
    try {
      info = parseRequestInfo(req.method, req.url)
      user = await this.authenticate(request, req)
      if (user === undefined) {
        if (!publicPaths.has(info.path)) throw new ApiError('Unauthorized', 'Unauthorized')
        user = { username: 'system:anonymous', groups: ['system:unauthenticated'] }
      } else if (this.o.impersonate !== undefined) {
        user = await this.o.impersonate(user, request, info)
      }
      if (!publicPaths.has(info.path)) {
        const decision = await this.o.authorizer(user, info)
        if (!decision.allowed) throw new ApiError('Forbidden', decision.reason, { ...(info.name === '' ? {} : { name: info.name }), group: info.group, kind: info.resource })
      }
      await this.router.route(request, response, info, user)
      code = res.statusCode
    } catch (err) {
      if (!(err instanceof ApiError) && !(err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' && statusOf(err).code !== 500)) {
        // Panic recovery: one request fails with a 500, the process goes on.
        this.o.log(`apiserver: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      }
      code = res.headersSent ? res.statusCode : this.answer(response, err)
    } finally {
      if (info !== undefined) for (const ob of this.o.observers ?? []) ob({ info, user, code, durationMs: performance.now() - started, req: request })
    }
  }

  private async authenticate(request: ApiRequest, req: Http2ServerRequest): Promise<UserInfo | undefined> {
    const socket = (req.stream?.session?.socket ?? req.socket) as TLSSocket | undefined
    for (const a of this.o.authenticators) {
      const user = await a(request, socket)
      if (user !== undefined) return user
    }
    return undefined
  }
}
