// One HTTP/2 session to a Kubernetes API server over TLS with the admin's client certificate,
// taken from a kubeconfig (parsed with `yaml`): JSON requests, and watch streams read as chunked
// JSON lines. A non-2xx answer becomes an HttpStatusError carrying the server's metav1.Status.
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { InvalidArgumentError, StorageError, type StatusReason } from '../util/index.js'

export interface ServerCredentials {
  server: string
  ca?: string
  cert?: string
  key?: string
  token?: string
}

/** A metav1.Status answer (or in-stream ERROR) from the server, as a typed operating error. */
export class HttpStatusError extends StorageError {
  constructor(
    readonly status: number,
    reason: StatusReason,
    message: string,
  ) {
    super(reason, `workload: HTTP ${status} ${reason}: ${message}`)
  }
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

function named(list: unknown, name: unknown): Record<string, unknown> {
  const hit = (Array.isArray(list) ? list : []).map(record).find((e) => e.name === name)
  return record(hit)
}

function pem(entry: Record<string, unknown>, field: string): string | undefined {
  const data = entry[`${field}-data`]
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8')
  const file = entry[field]
  return typeof file === 'string' ? readFileSync(file, 'utf8') : undefined
}

/** The server and credentials of a kubeconfig's current context (data fields or file paths). */
export function readKubeconfig(path: string): ServerCredentials {
  const doc = record(parseYaml(readFileSync(path, 'utf8')))
  const context = record(named(doc.contexts, doc['current-context']).context)
  const cluster = record(named(doc.clusters, context.cluster).cluster)
  const user = record(named(doc.users, context.user).user)
  if (typeof cluster.server !== 'string') throw new InvalidArgumentError(`workload: ${path}: no server for the current context`)
  const out: ServerCredentials = { server: cluster.server }
  const ca = pem(cluster, 'certificate-authority')
  const cert = pem(user, 'client-certificate')
  const key = pem(user, 'client-key')
  if (ca !== undefined) out.ca = ca
  if (cert !== undefined) out.cert = cert
  if (key !== undefined) out.key = key
  if (typeof user.token === 'string') out.token = user.token
  return out
}

export interface JsonReply {
  status: number
  body: unknown
}

const reasons: Readonly<Record<number, StatusReason>> = { 404: 'NotFound', 409: 'Conflict', 410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 504: 'Timeout' }

/** The error a non-2xx reply stands for (its Status's reason, or one from the HTTP code). */
export function statusError(status: number, body: unknown): HttpStatusError {
  const s = record(body)
  const reason = typeof s.reason === 'string' && s.reason !== '' ? (s.reason as StatusReason) : (reasons[status] ?? 'InternalError')
  return new HttpStatusError(status, reason, typeof s.message === 'string' ? s.message : JSON.stringify(body))
}

/** JSON.stringify replacer: bytes (a Secret's data) travel as base64 strings, as Kubernetes' JSON carries []byte. */
function bytesAsBase64(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key]
  return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : value
}

/**
 * Sessions per transport: requests and watches are spread over them round-robin. One session
 * carrying 60 watch streams and hundreds of requests stalls on HTTP/2 flow control and on the
 * peers' per-session memory limits (NGHTTP2_ENHANCE_YOUR_CALM); client-go has one connection per
 * client, and each controller of a real cluster is a client of its own.
 */
const sessionsMax = 8
/** Flow-control windows: a watch stream must never wait for a WINDOW_UPDATE while its reader is idle. */
const streamWindowBytes = 16 << 20
const sessionWindowBytes = 128 << 20

export class HttpTransport {
  // Open sessions by slot; a slot's session is replaced when the server closes it (GOAWAY, a broken connection).
  private readonly sessions: Array<ClientHttp2Session | undefined> = []
  // The slot of the next request.
  private next = 0

  constructor(private readonly creds: ServerCredentials) {}

  private connection(): ClientHttp2Session {
    const slot = this.next
    this.next = (this.next + 1) % sessionsMax
    const s = this.sessions[slot]
    if (s !== undefined && !s.closed && !s.destroyed) return s
    const session = connect(this.creds.server, {
      ...(this.creds.ca === undefined ? {} : { ca: this.creds.ca }),
      ...(this.creds.cert === undefined ? {} : { cert: this.creds.cert, key: this.creds.key }),
      settings: { initialWindowSize: streamWindowBytes },
      maxSessionMemory: 256,
    })
    session.once('connect', () => session.setLocalWindowSize(sessionWindowBytes))
    // A session error ends its streams with the same error; the slot's next request opens a new session.
    session.on('error', () => undefined)
    this.sessions[slot] = session
    return session
  }

  open(method: string, path: string, headers: Record<string, string> = {}, withBody = false): ClientHttp2Stream {
    const auth = this.creds.token === undefined ? {} : { authorization: `Bearer ${this.creds.token}` }
    // node:http2 ends GET and DELETE requests with their headers unless told a body follows.
    const stream = this.connection().request({ ':method': method, ':path': path, accept: 'application/json', ...auth, ...headers }, { endStream: !withBody })
    // Its reader sees the error (the iteration throws, or the stream closes): no unhandled 'error'.
    stream.on('error', () => undefined)
    return stream
  }

  /** One request with an optional JSON body; resolves to the status and the parsed JSON answer. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<JsonReply> {
    const stream = this.open(method, path, body === undefined ? {} : { 'content-type': contentType }, body !== undefined)
    const status = new Promise<number>((resolve) => stream.once('response', (h) => resolve(Number(h[':status']))))
    stream.end(body === undefined ? undefined : JSON.stringify(body, bytesAsBase64))
    const chunks: Buffer[] = []
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer)
    } catch (err) {
      throw new StorageError('ServiceUnavailable', `workload: ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    const text = Buffer.concat(chunks).toString('utf8')
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch (err) {
      throw new StorageError('InternalError', `workload: ${method} ${path}: answer is not JSON: ${text.slice(0, 200)}`, { cause: err })
    }
    return { status: await status, body: parsed }
  }

  /** Like request, but a non-2xx answer throws its HttpStatusError. */
  async call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const r = await this.request(method, path, body, contentType)
    if (r.status < 200 || r.status > 299) throw statusError(r.status, r.body)
    return r.body
  }

  close(): void {
    for (const s of this.sessions) s?.close()
    this.sessions.length = 0
  }
}

/** Cancels a watch stream (RST_STREAM CANCEL), as a client closing its watch does. */
export function cancelStream(stream: ClientHttp2Stream): void {
  if (!stream.destroyed) stream.close(constants.NGHTTP2_CANCEL)
}
