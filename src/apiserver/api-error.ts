// Errors as the API server answers them: a metav1.Status with reason, code, message, details and
// causes, worded as kube-apiserver words them (kubectl prints them verbatim).
import { httpStatusByReason } from '../objects/index.js'
import { StorageError, type StatusReason } from '../util/index.js'

export interface StatusCause {
  reason?: string
  message: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

export interface ApiStatus {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: { continue?: string; resourceVersion?: string }
  status: 'Failure' | 'Success'
  message?: string
  reason?: StatusReason | ''
  details?: StatusDetails
  code: number
}

export class ApiError extends StorageError {
  constructor(
    code: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown; continue?: string; headers?: Record<string, string> },
  ) {
    super(code, message, options)
    this.continueToken = options?.continue
    this.headers = options?.headers ?? {}
  }
  readonly continueToken: string | undefined
  readonly headers: Record<string, string>

  get httpStatus(): number {
    return httpStatusByReason[this.code]
  }
}

/** What a resource is called in messages: `deployments.apps` or `configmaps`. */
export function qualifiedResource(r: { group: string; resource: string }): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`
}

export const notFound = (r: { group: string; resource: string }, name: string): ApiError =>
  new ApiError('NotFound', `${qualifiedResource(r)} "${name}" not found`, { name, group: r.group, kind: r.resource })

export const alreadyExists = (r: { group: string; resource: string }, name: string): ApiError =>
  new ApiError('AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, { name, group: r.group, kind: r.resource })

export const conflict = (r: { group: string; resource: string }, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError =>
  new ApiError('Conflict', `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`, { name, group: r.group, kind: r.resource })

export const badRequest = (message: string): ApiError => new ApiError('BadRequest', message)

/** 422 with field causes; `kind` is the Kind (kubectl prints `The Kind "name" is invalid: ...`). */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const text = causes.map((c) => (c.field === undefined || c.field === '' ? c.message : `${c.field}: ${c.message}`))
  const message = `${kind} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`
  return new ApiError('Invalid', message, { name, group, kind, causes })
}

/** Any error as a Status: ApiErrors as they are, other StorageErrors by their code, the rest as 500. */
export function statusOf(err: unknown): ApiStatus {
  if (err instanceof ApiError) {
    const s = status(err.code, err.message, err.httpStatus)
    if (err.details !== undefined) s.details = err.details
    if (err.continueToken !== undefined) s.metadata.continue = err.continueToken
    return s
  }
  if (err instanceof StorageError) return status(err.code, err.message, httpStatusByReason[err.code])
  return status('InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`, 500)
}

function status(reason: StatusReason, message: string, code: number): ApiStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
}

export function successStatus(details: StatusDetails): ApiStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 }
}
