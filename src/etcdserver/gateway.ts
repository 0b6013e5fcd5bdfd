// etcd's JSON gateway (grpc-gateway in etcd 3.4) on the client port: POST /v3/<path> with a JSON
// body of the request message (proto field names, bytes base64, int64 as strings); the answer is
// the response message in the same form, defaults left out, enums by name. /v3/watch streams one
// {"result": ...} object per line. Also etcd's GET /health and /version.
import { EventEmitter } from 'node:events'
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { status as Status } from '@grpc/grpc-js'
import type * as grpc from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import { authHandlers } from './auth-service.js'
import type { FrontContext } from './front-context.js'
import { kvHandlers } from './kv-service.js'
import { leaseHandlers } from './lease-service.js'
import { clusterHandlers, maintenanceHandlers } from './maintenance-service.js'
import { protoRoot } from './proto.js'
import { WatchStream, type WireWatchRequest } from './watch-stream.js'

const bodyBytesMax = 4 * 1024 * 1024

interface Route { handlers: grpc.UntypedServiceImplementation; method: string; request: string; response: string }

const toWire: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: Buffer, defaults: true, oneofs: true }
const toJson: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, defaults: false }

// grpc-gateway's HTTP status for a gRPC code.
const httpStatus: Partial<Record<Status, number>> = {
  [Status.INVALID_ARGUMENT]: 400, [Status.OUT_OF_RANGE]: 400, [Status.FAILED_PRECONDITION]: 400, [Status.NOT_FOUND]: 404,
  [Status.ALREADY_EXISTS]: 409, [Status.PERMISSION_DENIED]: 403, [Status.UNAUTHENTICATED]: 401, [Status.RESOURCE_EXHAUSTED]: 429,
  [Status.UNIMPLEMENTED]: 501, [Status.UNAVAILABLE]: 503, [Status.DEADLINE_EXCEEDED]: 504,
}

function routes(ctx: FrontContext, streams: Set<{ close(endCall: boolean): void }>): Map<string, Route> {
  const kv = kvHandlers(ctx)
  const lease = leaseHandlers(ctx, streams)
  const cluster = clusterHandlers(ctx)
  const maintenance = maintenanceHandlers(ctx)
  const auth = authHandlers(ctx)
  const r = new Map<string, Route>()
  const add = (paths: string[], handlers: grpc.UntypedServiceImplementation, method: string, request: string, response: string): void => {
    for (const p of paths) r.set(p, { handlers, method, request, response })
  }
  add(['/v3/kv/range'], kv, 'Range', 'RangeRequest', 'RangeResponse')
  add(['/v3/kv/put'], kv, 'Put', 'PutRequest', 'PutResponse')
  add(['/v3/kv/deleterange'], kv, 'DeleteRange', 'DeleteRangeRequest', 'DeleteRangeResponse')
  add(['/v3/kv/txn'], kv, 'Txn', 'TxnRequest', 'TxnResponse')
  add(['/v3/kv/compaction'], kv, 'Compact', 'CompactionRequest', 'CompactionResponse')
  add(['/v3/lease/grant'], lease, 'LeaseGrant', 'LeaseGrantRequest', 'LeaseGrantResponse')
  add(['/v3/lease/revoke', '/v3/kv/lease/revoke'], lease, 'LeaseRevoke', 'LeaseRevokeRequest', 'LeaseRevokeResponse')
  add(['/v3/lease/timetolive', '/v3/kv/lease/timetolive'], lease, 'LeaseTimeToLive', 'LeaseTimeToLiveRequest', 'LeaseTimeToLiveResponse')
  add(['/v3/lease/leases', '/v3/kv/lease/leases'], lease, 'LeaseLeases', 'LeaseLeasesRequest', 'LeaseLeasesResponse')
  add(['/v3/cluster/member/list'], cluster, 'MemberList', 'MemberListRequest', 'MemberListResponse')
  add(['/v3/maintenance/status'], maintenance, 'Status', 'StatusRequest', 'StatusResponse')
  add(['/v3/maintenance/alarm'], maintenance, 'Alarm', 'AlarmRequest', 'AlarmResponse')
  add(['/v3/maintenance/defragment'], maintenance, 'Defragment', 'DefragmentRequest', 'DefragmentResponse')
  add(['/v3/maintenance/hash'], maintenance, 'HashKV', 'HashKVRequest', 'HashKVResponse')
  add(['/v3/auth/status'], auth, 'AuthStatus', 'AuthAnyRequest', 'AuthStatusResponse')
  add(['/v3/auth/authenticate'], auth, 'Authenticate', 'AuthenticateRequest', 'AuthenticateResponse')
  return r
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > bodyBytesMax) throw new GatewayError(Status.INVALID_ARGUMENT, 'etcdserver: request is too large')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new GatewayError(Status.INVALID_ARGUMENT, `invalid JSON body: ${err instanceof Error ? err.message : String(err)}`)
  }
}

class GatewayError extends Error {
  constructor(
    readonly code: Status,
    message: string,
  ) {
    super(message)
  }
}

function sendError(res: ServerResponse, code: Status, message: string): void {
  res.writeHead(httpStatus[code] ?? 500, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error: message, message, code }))
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

class Gateway {
  private readonly root = protoRoot()
  private readonly table: Map<string, Route>

  constructor(
    private readonly ctx: FrontContext,
    private readonly streams: Set<{ close(endCall: boolean): void }>,
  ) {
    this.table = routes(ctx, streams)
  }

  private type(name: string): protobuf.Type {
    return this.root.lookupType(`etcdserverpb.${name}`)
  }

  /** etcd's JSON for message `name` -> the wire shape the handlers take. */
  private decode(name: string, body: unknown): object {
    const t = this.type(name)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError(Status.INVALID_ARGUMENT, `a JSON object is expected for ${name}`)
    let message: protobuf.Message
    try {
      // fromObject takes etcd's JSON forms: enum names or numbers, base64 bytes, int64 strings.
      message = t.fromObject(body as Record<string, unknown>)
    } catch (err) {
      throw new GatewayError(Status.INVALID_ARGUMENT, err instanceof Error ? err.message : String(err))
    }
    return t.toObject(message, toWire)
  }

  /** A wire-shaped response (or its encoded bytes) -> etcd's JSON. */
  private encode(name: string, wire: object): unknown {
    const t = this.type(name)
    return t.toObject(Buffer.isBuffer(wire) ? t.decode(wire) : t.fromObject(wire), toJson)
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (req.method === 'GET' && path === '/health') return json(res, 200, { health: this.ctx.alarms.size === 0 ? 'true' : 'false' })
    if (req.method === 'GET' && path === '/version') return json(res, 200, { etcdserver: this.ctx.version, etcdcluster: this.ctx.version.replace(/\.\d+$/, '.0') })
    const v3 = path.replace(/^\/v3beta\//, '/v3/')
    const route = this.table.get(v3)
    if (req.method !== 'POST' || (route === undefined && v3 !== '/v3/watch' && v3 !== '/v3/lease/keepalive')) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('404 page not found\n')
      return
    }
    readBody(req)
      .then((body) => {
        if (v3 === '/v3/watch') return this.watch(body, req, res)
        if (v3 === '/v3/lease/keepalive') return this.keepAlive(body, res)
        return this.unary(route as Route, body, res)
      })
      .catch((err: unknown) => {
        if (res.headersSent) res.destroy()
        else if (err instanceof GatewayError) sendError(res, err.code, err.message)
        else sendError(res, Status.INTERNAL, err instanceof Error ? err.message : String(err))
      })
  }

  private async unary(route: Route, body: unknown, res: ServerResponse): Promise<void> {
    const request = this.decode(route.request, body)
    const handler = route.handlers[route.method] as grpc.handleUnaryCall<object, object>
    await new Promise<void>((resolve) => {
      handler({ request } as grpc.ServerUnaryCall<object, object>, (err, value) => {
        if (err !== null && err !== undefined) sendError(res, (err as { code?: Status }).code ?? Status.UNKNOWN, (err as { details?: string }).details ?? String(err))
        else json(res, 200, this.encode(route.response, value ?? {}))
        resolve()
      })
    })
  }

  private watch(body: unknown, req: IncomingMessage, res: ServerResponse): void {
    const request = this.decode('WatchRequest', body) as WireWatchRequest
    res.writeHead(200, { 'content-type': 'application/json' })
    // WatchStream speaks to a gRPC call: this adapter writes its messages as JSON lines.
    const call = new EventEmitter() as EventEmitter & { write(m: object): boolean; end(): void }
    call.write = (m) => res.write(`${JSON.stringify({ result: this.encode('WatchResponse', m) })}\n`)
    call.end = () => res.end()
    // The stream failed a request: the HTTP response just ends (its status line was sent).
    call.on('error', () => res.destroy())
    res.on('drain', () => call.emit('drain'))
    res.on('close', () => call.emit('cancelled'))
    const stream = new WatchStream(this.ctx, call as unknown as grpc.ServerDuplexStream<WireWatchRequest, object>, (w) => this.streams.delete(w))
    this.streams.add(stream)
    call.emit('data', request)
    req.resume()
  }

  /** One keep-alive per request (etcd's gateway streams one answer per request object). */
  private async keepAlive(body: unknown, res: ServerResponse): Promise<void> {
    const r = this.decode('LeaseKeepAliveRequest', body) as { ID: string }
    const id = Number(r.ID)
    const ttl = Number.isSafeInteger(id) && id > 0 ? (await this.ctx.store.leaseKeepAlive(id)).ttl : 0
    const m = { header: this.ctx.header(this.ctx.store.revision), ID: r.ID, TTL: String(ttl) }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(`${JSON.stringify({ result: this.encode('LeaseKeepAliveResponse', m) })}\n`)
  }
}

export function gatewayHandler(ctx: FrontContext, streams: Set<{ close(endCall: boolean): void }>): RequestListener {
  const gateway = new Gateway(ctx, streams)
  return (req, res) => gateway.handle(req, res)
}
