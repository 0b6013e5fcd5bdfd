// Operating errors: expected outcomes a caller can act on. Each carries a `code` that is a
// Kubernetes StatusReason, so a server layer can map it to an HTTP status without guessing.
// Programmer errors are not here: they are assertion failures (util/assert.ts) and crash.
import { describeValue } from './describe-value.js'

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Gone'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Timeout'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'InternalError'

export class StorageError extends Error {
  constructor(
    readonly code: StatusReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A read or watch asked for a revision that compaction has removed (etcd ErrCompacted, HTTP 410). */
export class CompactedError extends StorageError {
  constructor(
    readonly revision: number,
    readonly compactRevision: number,
  ) {
    super(
      'Expired',
      `mvcc: required revision has been compacted (revision=${revision}, compact=${compactRevision})`,
    )
  }
}

/** A read asked for a revision the store has not reached (etcd ErrFutureRev). */
export class FutureRevisionError extends StorageError {
  constructor(
    readonly revision: number,
    readonly currentRevision: number,
  ) {
    super(
      'Timeout',
      `mvcc: required revision is a future revision (revision=${revision}, current=${currentRevision})`,
    )
  }
}

/** Bad input, rejected before anything is queued or written. */
export class InvalidArgumentError extends StorageError {
  constructor(message: string) {
    super('Invalid', message)
  }
}

/** A malformed request parameter that is not a field of an object (Kubernetes 400): a bad
 *  continue token, a resourceVersion given together with one. */
export class BadRequestError extends StorageError {
  constructor(message: string) {
    super('BadRequest', message)
  }
}

/** A txn puts one key twice, or puts a key inside a range it deletes (etcd T6). */
export class DuplicateKeyError extends InvalidArgumentError {
  constructor(readonly key: string) {
    super(`etcdserver: duplicate key given in txn request (key=${key})`)
  }
}

/** A txn has more operations than txnOpsMax allows (etcd T7). */
export class TooManyOpsError extends InvalidArgumentError {
  constructor(
    readonly ops: number,
    readonly opsMax: number,
  ) {
    super(`etcdserver: too many operations in txn request (${ops} > ${opsMax})`)
  }
}

/** A key, value or whole request is larger than its limit. */
export class RequestTooLargeError extends StorageError {
  constructor(what: string, bytes: number, bytesMax: number) {
    super('RequestEntityTooLarge', `etcdserver: request is too large (${what}: ${bytes} > ${bytesMax} bytes)`)
  }
}

/** ignoreValue / ignoreLease on a key that does not exist (etcd P3, P4). */
export class KeyNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super('NotFound', `etcdserver: key not found (key=${key})`)
  }
}

export class LeaseNotFoundError extends StorageError {
  constructor(readonly leaseId: number) {
    super('NotFound', `etcdserver: requested lease not found (lease=${leaseId})`)
  }
}

export class LeaseExistsError extends StorageError {
  constructor(readonly leaseId: number) {
    super('AlreadyExists', `etcdserver: lease already exists (lease=${leaseId})`)
  }
}

/** The write queue is full: the caller should back off and retry. */
export class TooManyRequestsError extends StorageError {
  constructor(pending: number) {
    super('TooManyRequests', `mvcc: too many pending writes (${pending}); retry later`)
  }
}

/** A write on a store opened with readOnly. */
export class ReadOnlyError extends StorageError {
  constructor() {
    super('MethodNotAllowed', 'mvcc: store is open read-only')
  }
}

export class StoreClosedError extends StorageError {
  constructor() {
    super('ServiceUnavailable', 'mvcc: store is closed')
  }
}

/**
 * The log could not complete an operation: disk full, I/O error, lock held by another process
 * past the busy timeout, read-only file. Nothing of the failed transaction was written.
 */
export class LogError extends StorageError {
  constructor(
    message: string,
    readonly sqliteCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(sqliteCode === 'SQLITE_BUSY' ? 'ServiceUnavailable' : 'InternalError', message, options)
  }
}

/** Stored data breaks an invariant (a failed integrity check, a malformed row). */
export class CorruptionError extends StorageError {
  constructor(message: string) {
    super('InternalError', message)
  }
}

/**
 * A value transformer (encryption at rest, or a user's own) failed with something other than a
 * typed error: a key service that is down, a bug in a custom transformer. Only the write or read
 * of that value fails; the message names the key and the direction, never the value.
 */
export class TransformerError extends StorageError {
  constructor(
    readonly key: string,
    readonly direction: 'toStorage' | 'fromStorage',
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? options.cause.message : describeValue(options?.cause)
    super('InternalError', `mvcc: value transformer ${direction} failed for key ${key}: ${reason}`, options)
  }
}
