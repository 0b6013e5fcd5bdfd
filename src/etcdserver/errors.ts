// etcd's gRPC errors (api/v3rpc/rpctypes/error.go): the code and the exact message string, which
// clients match on. Store errors are translated here; anything unexpected is INTERNAL.
import { status as Status } from '@grpc/grpc-js'
import {
  CompactedError,
  DuplicateKeyError,
  FutureRevisionError,
  InvalidArgumentError,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LogError,
  ReadOnlyError,
  RequestTooLargeError,
  StorageError,
  StoreClosedError,
  TooManyOpsError,
  TooManyRequestsError,
} from '../util/index.js'

export const etcdMessages = Object.freeze({
  emptyKey: 'etcdserver: key is not provided',
  keyNotFound: 'etcdserver: key not found',
  valueProvided: 'etcdserver: value is provided',
  leaseProvided: 'etcdserver: lease is provided',
  tooManyOps: 'etcdserver: too many operations in txn request',
  duplicateKey: 'etcdserver: duplicate key given in txn request',
  compacted: 'etcdserver: mvcc: required revision has been compacted',
  futureRev: 'etcdserver: mvcc: required revision is a future revision',
  noSpace: 'etcdserver: mvcc: database space exceeded',
  leaseNotFound: 'etcdserver: requested lease not found',
  leaseExists: 'etcdserver: lease already exists',
  leaseTtlTooLarge: 'etcdserver: too large lease TTL',
  requestTooLarge: 'etcdserver: request is too large',
  authNotEnabled: 'etcdserver: authentication is not enabled',
  stopped: 'etcdserver: server stopped',
  tooManyRequests: 'etcdserver: too many requests',
  membership: 'etchlog: single-node store, membership changes are not supported',
  auth: 'etchlog: authentication is not supported',
})

/** An answer with a gRPC status: what a handler throws to refuse a request. */
export class EtcdGrpcError extends StorageError {
  constructor(
    readonly grpcCode: Status,
    message: string,
  ) {
    super(grpcCode === Status.INVALID_ARGUMENT ? 'BadRequest' : grpcCode === Status.NOT_FOUND ? 'NotFound' : 'InternalError', message)
  }
}

export const invalid = (message: string): EtcdGrpcError => new EtcdGrpcError(Status.INVALID_ARGUMENT, message)
export const unimplemented = (message: string): EtcdGrpcError => new EtcdGrpcError(Status.UNIMPLEMENTED, message)

// InvalidArgumentError messages of the store that are etcd's own (they may carry a detail suffix).
const invalidPrefixes: Array<[string, Status]> = [
  [etcdMessages.emptyKey, Status.INVALID_ARGUMENT],
  [etcdMessages.valueProvided, Status.INVALID_ARGUMENT],
  [etcdMessages.leaseProvided, Status.INVALID_ARGUMENT],
  [etcdMessages.leaseTtlTooLarge, Status.OUT_OF_RANGE],
]

export function isNoSpace(err: unknown): boolean {
  return err instanceof LogError && err.message.includes('database space exceeded')
}

/** The gRPC status and etcd message for an error thrown while serving a request. */
export function toGrpcStatus(err: unknown): { code: Status; details: string } {
  if (err instanceof EtcdGrpcError) return { code: err.grpcCode, details: err.message }
  if (err instanceof CompactedError) return { code: Status.OUT_OF_RANGE, details: etcdMessages.compacted }
  if (err instanceof FutureRevisionError) return { code: Status.OUT_OF_RANGE, details: etcdMessages.futureRev }
  if (err instanceof DuplicateKeyError) return { code: Status.INVALID_ARGUMENT, details: etcdMessages.duplicateKey }
  if (err instanceof TooManyOpsError) return { code: Status.INVALID_ARGUMENT, details: etcdMessages.tooManyOps }
  if (err instanceof RequestTooLargeError) return { code: Status.INVALID_ARGUMENT, details: etcdMessages.requestTooLarge }
  if (err instanceof KeyNotFoundError) return { code: Status.INVALID_ARGUMENT, details: etcdMessages.keyNotFound }
  if (err instanceof LeaseNotFoundError) return { code: Status.NOT_FOUND, details: etcdMessages.leaseNotFound }
  if (err instanceof LeaseExistsError) return { code: Status.FAILED_PRECONDITION, details: etcdMessages.leaseExists }
  if (err instanceof TooManyRequestsError) return { code: Status.RESOURCE_EXHAUSTED, details: etcdMessages.tooManyRequests }
  if (err instanceof StoreClosedError) return { code: Status.UNAVAILABLE, details: etcdMessages.stopped }
  if (err instanceof ReadOnlyError) return { code: Status.FAILED_PRECONDITION, details: `etchlog: ${err.message}` }
  if (isNoSpace(err)) return { code: Status.RESOURCE_EXHAUSTED, details: etcdMessages.noSpace }
  if (err instanceof InvalidArgumentError) {
    const known = invalidPrefixes.find(([prefix]) => err.message.startsWith(prefix))
    if (known !== undefined) return { code: known[1], details: known[0] }
    return { code: Status.INVALID_ARGUMENT, details: err.message }
  }
  if (err instanceof StorageError) return { code: Status.INTERNAL, details: `etchlog: ${err.message}` }
  return { code: Status.INTERNAL, details: `etchlog: ${err instanceof Error ? err.message : String(err)}` }
}
