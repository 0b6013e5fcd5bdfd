// The object layer's operating errors, one per Kubernetes status the storage.Interface can answer,
// and the mapping of any StorageError to a Kubernetes Status. Errors from below that already say the
// right thing pass through unchanged: CompactedError (Expired) on a get at a compacted revision,
// CodecError (InternalError) for an undecodable value, InvalidArgumentError (Invalid) for bad input.
import { StorageError, type StatusReason } from '../util/index.js'

/** The HTTP status Kubernetes answers for each reason (apimachinery StatusReason docs). */
export const httpStatusByReason: Readonly<Record<StatusReason, number>> = Object.freeze({
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  Gone: 410,
  AlreadyExists: 409,
  Conflict: 409,
  Expired: 410,
  Invalid: 422,
  MethodNotAllowed: 405,
  RequestEntityTooLarge: 413,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
})

/** Base of this layer's errors: a StorageError that also knows its HTTP status. */
export abstract class ObjectError extends StorageError {
  get httpStatus(): number {
    return httpStatusByReason[this.code]
  }
}

export class NotFoundError extends ObjectError {
  constructor(readonly key: string) {
    super('NotFound', `objects: key not found: ${JSON.stringify(key)}`)
  }
}

export class AlreadyExistsError extends ObjectError {
  constructor(readonly key: string) {
    super('AlreadyExists', `objects: key already exists: ${JSON.stringify(key)}`)
  }
}

/** A precondition (uid, resourceVersion) does not hold for the stored object (Kubernetes InvalidObj → 409). */
export class ConflictError extends ObjectError {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super('Conflict', `objects: precondition failed for ${JSON.stringify(key)}: ${detail}`)
  }
}

/**
 * A list at a compacted revision (HTTP 410 Gone). For a paginated list, `continue` is a token that
 * reads the rest at the latest revision: an inconsistent list the client may accept, or re-list.
 */
export class ExpiredError extends ObjectError {
  /** The inconsistent-continue token, for a paginated list only. */
  readonly continue: string | undefined

  constructor(
    message: string,
    continueToken: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('Expired', `objects: ${message}`, options)
    this.continue = continueToken
  }
}

/** The caller asked for a revision the store has not reached (Kubernetes 504, ResourceVersionTooLarge). */
export class TooLargeResourceVersionError extends ObjectError {
  constructor(
    readonly requested: number,
    readonly current: number,
    options?: { cause?: unknown },
  ) {
    super('Timeout', `objects: too large resource version: ${requested}, current: ${current}`, options)
  }
}

/** The store answered something it never should (a range that reports more but returns nothing). */
export class InternalObjectError extends ObjectError {
  constructor(message: string) {
    super('InternalError', `objects: ${message}`)
  }
}

/** A Kubernetes meta/v1 Status, as an API server would send for a failed call. */
export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  status: 'Failure'
  message: string
  reason: StatusReason
  code: number
  /** For a 410 on a paginated list: the inconsistent-continue token (Kubernetes ListMeta.continue). */
  metadata: { continue?: string }
}

export function httpStatusOf(err: StorageError): number {
  return httpStatusByReason[err.code]
}

/** The Status for any operating error of this store, from whichever layer it came. */
export function toStatus(err: StorageError): Status {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: err.message,
    reason: err.code,
    code: httpStatusOf(err),
    metadata: {},
  }
  if (err instanceof ExpiredError && err.continue !== undefined) status.metadata.continue = err.continue
  return status
}
