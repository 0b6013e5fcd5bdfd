// A raw gRPC client for the front's tests: etcd's services loaded from the front's own .proto
// (keepCase, int64 as strings, enums as numbers), with a recorder for bidirectional streams that
// keeps every message, so tests can look at watch IDs, created/canceled flags and fragments.
import * as grpc from '@grpc/grpc-js'
import { etcdProto } from '../../src/etcdserver/proto.js'

export type RawClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>

export function rawClients(endpoint: string): { kv: RawClient; watch: RawClient; lease: RawClient; maintenance: RawClient; cluster: RawClient; auth: RawClient; close(): void } {
  const pkg = grpc.loadPackageDefinition(etcdProto().definition).etcdserverpb as grpc.GrpcObject
  const make = (name: string): RawClient => new (pkg[name] as grpc.ServiceClientConstructor)(endpoint, grpc.credentials.createInsecure()) as RawClient
  const clients = { kv: make('KV'), watch: make('Watch'), lease: make('Lease'), maintenance: make('Maintenance'), cluster: make('Cluster'), auth: make('Auth') }
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) }
}

/** Calls a unary method; resolves the response or rejects the grpc ServiceError. */
export function unaryCall<T = Record<string, unknown>>(client: RawClient, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = client[method] as (req: object, cb: (err: grpc.ServiceError | null, res?: T) => void) => void
    fn.call(client, request, (err, res) => (err !== null ? reject(err) : resolve(res as T)))
  })
}

export interface Recorded<T> {
  stream: grpc.ClientDuplexStream<object, T>
  messages: T[]
  error: grpc.ServiceError | undefined
  ended: boolean
  /** Resolves once pred holds for the messages so far (checked on every message), or rejects at the deadline. */
  until(pred: (messages: T[]) => boolean, what: string, timeoutMs?: number): Promise<void>
}

export function record<T>(stream: grpc.ClientDuplexStream<object, T>): Recorded<T> {
  const r: Recorded<T> = {
    stream,
    messages: [],
    error: undefined,
    ended: false,
    until: (pred, what, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (pred(r.messages)) return resolve()
        const check = (): void => {
          if (!pred(r.messages)) return
          cleanup()
          resolve()
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(r.messages).slice(0, 2000)}`))
        }, timeoutMs)
        const cleanup = (): void => {
          clearTimeout(timer)
          stream.off('data', check)
          stream.off('end', check)
        }
        stream.on('data', check)
        stream.on('end', check)
      }),
  }
  stream.on('data', (m: T) => r.messages.push(m))
  stream.on('error', (err: grpc.ServiceError) => (r.error = err))
  stream.on('end', () => (r.ended = true))
  return r
}
