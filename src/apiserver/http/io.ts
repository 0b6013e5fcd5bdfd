// Reading request bodies and writing responses, the same over HTTP/1.1 and HTTP/2 (node's
// compatibility API gives both the same request and response shapes).
import type { IncomingHttpHeaders } from 'node:http'
import { ApiError, statusOf, type ApiStatus } from '../api-error.js'

/** What the handlers need of a request; http.IncomingMessage and http2.Http2ServerRequest both fit. */
export interface ApiRequest extends AsyncIterable<Buffer | string> {
  method?: string
  url?: string
  headers: IncomingHttpHeaders
  socket: { remoteAddress?: string; encrypted?: boolean; getPeerCertificate?(detailed?: boolean): unknown; authorized?: boolean }
  on(event: 'close', listener: () => void): unknown
}

/** What the handlers need of a response. */
export interface ApiResponse {
  statusCode: number
  headersSent: boolean
  writableEnded: boolean
  setHeader(name: string, value: string | number | readonly string[]): unknown
  writeHead(code: number, headers?: Record<string, string | number>): unknown
  flushHeaders(): void
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean
  end(chunk?: string | Uint8Array, cb?: () => void): unknown
  on(event: 'close' | 'drain', listener: () => void): unknown
  once(event: 'close' | 'drain', listener: () => void): unknown
}

/** kube-apiserver refuses bodies over 3 MiB (its etcd request limit is 1.5 MiB, decoded objects may grow). */
export const requestBodyBytesMax = 3 * 1024 * 1024

export async function readBody(req: ApiRequest, bytesMax = requestBodyBytesMax): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > bytesMax) throw tooLarge(bytesMax)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += b.length
    if (size > bytesMax) throw tooLarge(bytesMax)
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}

function tooLarge(bytesMax: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `the request body is larger than the limit of ${bytesMax} bytes`)
}

/** Request content type without parameters, lower case. */
export function mediaType(req: ApiRequest): string {
  const raw = req.headers['content-type'] ?? ''
  return raw.split(';')[0]?.trim().toLowerCase() ?? ''
}

export function sendJson(res: ApiResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

export function sendRaw(res: ApiResponse, code: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length, ...headers })
  res.end(body)
}

/** Any error as its Status (a 500 for the unexpected, with a generic message: details go to the log). */
export function sendError(res: ApiResponse, err: unknown): ApiStatus {
  const status = statusOf(err)
  const headers = err instanceof ApiError ? err.headers : {}
  sendJson(res, status.code, status, headers)
  return status
}
