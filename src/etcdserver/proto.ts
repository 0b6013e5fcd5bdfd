// Loads etcd's client API (etcd-rpc.proto beside this file) for grpc-js. int64 fields cross as
// decimal strings (never a lossy number), enums as their numbers (the wire's), bytes as Buffer,
// field names as in the .proto (etcd's JSON names). Each decoded request remembers its size on
// the wire, for the --max-request-bytes check.
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'

const protoPath = fileURLToPath(new URL('./etcd-rpc.proto', import.meta.url))

export const loaderOptions: protoLoader.Options = { keepCase: true, longs: String, enums: Number, bytes: Buffer, defaults: true, oneofs: true }

// Request object -> bytes it was decoded from. Weak: a request leaves with its call.
const wireSizes = new WeakMap<object, number>()

/** Bytes a decoded request had on the wire (0 when unknown). */
export function wireSize(request: object): number {
  return wireSizes.get(request) ?? 0
}

export type ServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance' | 'Auth'

export interface EtcdProto {
  services: Record<ServiceName, grpc.ServiceDefinition>
  /** message name (e.g. 'RangeResponse') -> protobufjs-style type, for the JSON gateway. */
  definition: protoLoader.PackageDefinition
}

let loaded: EtcdProto | undefined
let root: protobuf.Root | undefined

/** The same .proto as protobufjs types (field names as written), for hand-built messages. */
export function protoRoot(): protobuf.Root {
  root ??= new protobuf.Root().loadSync(protoPath, { keepCase: true })
  return root
}

export function etcdProto(): EtcdProto {
  if (loaded !== undefined) return loaded
  const definition = protoLoader.loadSync(protoPath, loaderOptions)
  const pkg = grpc.loadPackageDefinition(definition).etcdserverpb as grpc.GrpcObject
  const names: ServiceName[] = ['KV', 'Watch', 'Lease', 'Cluster', 'Maintenance', 'Auth']
  const services = {} as Record<ServiceName, grpc.ServiceDefinition>
  for (const name of names) {
    const ctor = pkg[name] as grpc.ServiceClientConstructor
    const service: Record<string, grpc.MethodDefinition<unknown, unknown>> = {}
    for (const [method, def] of Object.entries(ctor.service)) {
      const decode = def.requestDeserialize
      // Responses are built in the wire shape already (wire.ts), so protobufjs's encode takes them
      // as they are, without the fromObject copy proto-loader's serializer makes (2.5x cheaper).
      // A Buffer is a response already encoded (watch responses built from shared event bytes).
      const type = protoRoot().lookupType(protoRoot().lookupService(`etcdserverpb.${name}`).methods[method]?.responseType ?? '')
      service[method] = {
        ...def,
        responseSerialize: (value: unknown): Buffer => {
          if (Buffer.isBuffer(value)) return value
          const bytes = type.encode(value as Record<string, unknown>).finish()
          return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        },
        requestDeserialize: (buf: Buffer): unknown => {
          const request = decode(buf) as object
          wireSizes.set(request, buf.length)
          return request
        },
      }
    }
    services[name] = service as grpc.ServiceDefinition
  }
  loaded = { services, definition }
  return loaded
}
