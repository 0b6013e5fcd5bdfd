// startEtcdFront: etcd's v3 gRPC API (and its JSON gateway) over a FrontStore, on one or more URLs.
import * as grpc from '@grpc/grpc-js'
import type { Duplex } from 'node:stream'
import type { FrontStore } from './front-store.js'
import { authHandlers } from './auth-service.js'
import { FrontContext } from './front-context.js'
import { gatewayHandler } from './gateway.js'
import { kvHandlers } from './kv-service.js'
import { leaseHandlers } from './lease-service.js'
import { listen, type SniffingListener, type TlsFiles } from './listener.js'
import { clusterHandlers, maintenanceHandlers } from './maintenance-service.js'
import { etcdProto } from './proto.js'
import { WatchStream, type WireWatchRequest } from './watch-stream.js'

export interface EtcdFrontOptions {
  store: FrontStore
  listenClientUrls: string[]
  tls?: TlsFiles
  /** etcd's --max-request-bytes: larger writes are refused. Default 1.5 MiB. */
  maxRequestBytes?: number
  /** etcd's --max-txn-ops. Default 128. */
  maxTxnOps?: number
  /** Member name (MemberList). Default 'default', as etcd's. */
  name?: string
  dataDir?: string
  /** Version reported by Status. Default 3.5.13: kube-apiserver then uses progress requests. */
  version?: string
}

export interface EtcdFront {
  urls: string[]
  close(): Promise<void>
}

export const defaultMaxRequestBytes = 1.5 * 1024 * 1024
export const defaultMaxTxnOps = 128
export const defaultVersion = '3.5.13'
/** grpc's receive limit is the request limit plus this (etcd's grpcOverheadBytes). */
const grpcOverheadBytes = 512 * 1024

interface Closable { close(endCall: boolean): void }

export async function startEtcdFront(o: EtcdFrontOptions): Promise<EtcdFront> {
  const maxRequestBytes = o.maxRequestBytes ?? defaultMaxRequestBytes
  const status = await o.store.status()
  const ctx = new FrontContext(
    { store: o.store, name: o.name ?? 'default', maxRequestBytes, maxTxnOps: o.maxTxnOps ?? defaultMaxTxnOps, version: o.version ?? defaultVersion },
    status.path,
  )
  const streams = new Set<Closable>()
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxRequestBytes + grpcOverheadBytes,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': 7_200_000,
    'grpc.keepalive_timeout_ms': 20_000,
  })
  const proto = etcdProto()
  const Watch: grpc.handleBidiStreamingCall<WireWatchRequest, object> = (call) => {
    streams.add(new WatchStream(ctx, call, (s) => streams.delete(s)))
  }
  server.addService(proto.services.KV, kvHandlers(ctx))
  server.addService(proto.services.Watch, { Watch })
  server.addService(proto.services.Lease, leaseHandlers(ctx, streams))
  server.addService(proto.services.Cluster, clusterHandlers(ctx))
  server.addService(proto.services.Maintenance, maintenanceHandlers(ctx))
  server.addService(proto.services.Auth, authHandlers(ctx))
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure())
  const sockets = new Set<Duplex>()
  const http = gatewayHandler(ctx, streams)
  const listeners: SniffingListener[] = []
  try {
    for (const url of o.listenClientUrls) listeners.push(await listen(url, o.tls, (s) => injector.injectConnection(s), http, sockets))
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()))
    injector.destroy()
    throw err
  }
  ctx.clientUrls = listeners.map((l) => l.url)
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    const closed = Promise.all(listeners.map((l) => l.close()))
    for (const s of [...streams]) s.close(true)
    injector.drain(0)
    const gone = [...sockets].map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve()))))
    // Connections still open after the streams ended (idle HTTP keep-alive, clients that do not
    // close) are cut: close() promises that none is left.
    for (const s of sockets) s.destroy()
    injector.destroy()
    server.forceShutdown()
    await Promise.all([closed, ...gone])
  }
  return {
    urls: ctx.clientUrls,
    close: () => (closing ??= close()),
  }
}
