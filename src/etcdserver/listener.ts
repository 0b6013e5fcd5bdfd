// One port for gRPC (HTTP/2, h2c or TLS) and HTTP/1.1 (etcd's JSON gateway, /health, /version).
// Each connection is paused on accept; its first bytes are read and put back, then it goes to
// grpc-js (they start with the HTTP/2 preface "PRI * HTTP/2.0") or to the HTTP/1 server. The
// socket must stay in paused mode until handed over: a 'data' listener would start the flow and
// grpc-js would see a draining connection (etcd-grpc-surface.md §6).
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { Duplex } from 'node:stream'
import { InvalidArgumentError } from '../util/index.js'

const preface = Buffer.from('PRI * HTTP/2.0')

export interface TlsFiles { certFile: string; keyFile: string; trustedCaFile?: string; clientCertAuth?: boolean }

export interface SniffingListener {
  url: string
  close(): Promise<void>
}

/** Reads until the first bytes tell HTTP/2 from HTTP/1, puts them back, and hands the socket on. */
function sniff(socket: Duplex, http2: (s: Duplex) => void, http1: (s: Duplex) => void): void {
  let got = Buffer.alloc(0)
  const decide = (): void => {
    socket.off('readable', onReadable)
    socket.off('end', decide)
    if (got.length > 0) socket.unshift(got)
    if (got.length >= 3 && got.subarray(0, 3).equals(preface.subarray(0, 3))) http2(socket)
    else http1(socket)
  }
  const onReadable = (): void => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) got = Buffer.concat([got, chunk])
    // 'PRI' or any HTTP/1 method: three bytes decide.
    if (got.length >= 3) decide()
  }
  socket.on('readable', onReadable)
  socket.on('end', decide)
}

export function parseListenUrl(url: string): { host: string; port: number; secure: boolean } {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new InvalidArgumentError(`etcdserver: listen URL ${JSON.stringify(url)} is not a URL (http://host:port or https://host:port)`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`etcdserver: listen URL ${url} must be http:// or https://`)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const port = u.port === '' ? 2379 : Number(u.port)
  return { host, port, secure: u.protocol === 'https:' }
}

export async function listen(
  url: string,
  tls: TlsFiles | undefined,
  onHttp2: (s: Duplex) => void,
  httpHandler: RequestListener,
  sockets: Set<Duplex>,
): Promise<SniffingListener> {
  const { host, port, secure } = parseListenUrl(url)
  if (secure && tls === undefined) throw new InvalidArgumentError(`etcdserver: ${url} needs a certificate and key (tls)`)
  const http: HttpServer = createHttpServer(httpHandler)
  http.keepAliveTimeout = 5000
  const handle = (socket: Socket): void => {
    // Small request/response messages: no Nagle delay (grpc-js sets this on sockets it accepts).
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    sniff(socket, onHttp2, (s) => http.emit('connection', s))
  }
  let server: NetServer
  if (secure && tls !== undefined) {
    server = createTlsServer(
      {
        cert: readFileSync(tls.certFile),
        key: readFileSync(tls.keyFile),
        ...(tls.trustedCaFile === undefined ? {} : { ca: readFileSync(tls.trustedCaFile) }),
        requestCert: tls.clientCertAuth === true,
        rejectUnauthorized: tls.clientCertAuth === true,
        ALPNProtocols: ['h2', 'http/1.1'],
      },
      handle,
    )
  } else {
    server = createNetServer({ pauseOnConnect: true }, handle)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `${secure ? 'https' : 'http'}://${shownHost}:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
