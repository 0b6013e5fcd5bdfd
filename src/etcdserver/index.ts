// The etcd v3 front: etcd's gRPC API and JSON gateway over a Store (docs/etcdserver.md).
export { startEtcdFront, defaultMaxRequestBytes, defaultMaxTxnOps, defaultVersion, type EtcdFront, type EtcdFrontOptions } from './front.js'
export { etcdMessages } from './errors.js'
export type { TlsFiles } from './listener.js'
export type { FrontStore } from './front-store.js'
export { etcdProto } from './proto.js'
