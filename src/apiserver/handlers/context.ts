// What every handler is given: the served resources, the generic store, time, and the hooks the
// later stages (patching, admission, validation, authorization) plug into.
import type { KubeObject } from '../../codec/index.js'
import type { Clock } from '../../util/index.js'
import { badRequest, type StatusCause } from '../api-error.js'
import type { ApiRequest, ApiResponse } from '../http/io.js'
import type { GenericStore } from '../registry/generic-store.js'
import type { RequestInfo } from '../request-info.js'
import type { Catalog } from '../resources/catalog.js'
import type { ResourceType } from '../resources/types.js'

export interface UserInfo {
  username: string
  uid?: string
  groups: string[]
  extra?: Record<string, string[]>
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'

/** One write on its way to the store, as admission and validation see it. */
export interface WriteAttempt {
  operation: Operation
  resource: ResourceType
  subresource: string
  namespace: string
  name: string
  object: KubeObject | undefined
  oldObject: KubeObject | undefined
  user: UserInfo
  dryRun: boolean
  /** Query fieldValidation: Strict (default for kubectl), Warn or Ignore. */
  fieldValidation: 'Strict' | 'Warn' | 'Ignore'
  /** Warning headers to send back (fieldValidation=Warn, deprecations). */
  warnings: string[]
}

/**
 * Admission and validation: called with every write before it is persisted (inside the update
 * loop, so on each retry). Returns the object to store, or throws an ApiError.
 */
export type WriteHook = (attempt: WriteAttempt) => Promise<KubeObject | undefined> | KubeObject | undefined

export interface PatchEngine {
  /** The media types PATCH accepts. */
  readonly mediaTypes: readonly string[]
  apply(mediaType: string, current: KubeObject | undefined, patch: Buffer, o: { resource: ResourceType; manager: string; force: boolean; now: string; subresource: string }): KubeObject
  /** managedFields bookkeeping after a non-apply write. */
  track(old: KubeObject | undefined, next: KubeObject, o: { manager: string; now: string; subresource: string }): KubeObject
}

export interface VirtualHandler {
  /** POST to a virtual resource (reviews, projectrequests): the answer, never stored. */
  create(info: RequestInfo, body: unknown, user: UserInfo, req: ApiRequest): Promise<{ code: number; body: unknown }>
}

export interface LogSource {
  /** The lines a simulated container has written; follow streams new ones until the signal ends. */
  read(namespace: string, pod: string, container: string, o: { follow: boolean; tailLines?: number; timestamps: boolean; signal: AbortSignal }, write: (text: string) => void): Promise<void>
}

export interface ApiContext {
  catalog: Catalog
  store: GenericStore
  clock: Clock
  patch: PatchEngine | undefined
  /** Admission (mutating, then validating) and schema validation, in order. */
  writeHooks: WriteHook[]
  virtual: Map<string, VirtualHandler>
  logs: LogSource | undefined
  log(line: string): void
}

export interface HandlerArgs {
  ctx: ApiContext
  info: RequestInfo
  resource: ResourceType
  req: ApiRequest
  res: ApiResponse
  user: UserInfo
}

export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name)
  if (v === null || v === '') return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}: must be a non-negative integer`)
  return n
}

export function fieldValidationOf(q: URLSearchParams): WriteAttempt['fieldValidation'] {
  const v = q.get('fieldValidation') ?? ''
  if (v === '' || v === 'Strict' || v === 'Warn' || v === 'Ignore') return v === '' ? 'Warn' : v
  throw badRequest(`fieldValidation must be one of Strict, Warn or Ignore, got ${JSON.stringify(v)}`)
}

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun')
  for (const v of values) if (v !== 'All') throw badRequest(`unsupported dry run value ${JSON.stringify(v)}: only All is supported`)
  return values.length > 0
}

/** Runs the write hooks in order; each may replace the object. */
export async function runWriteHooks(ctx: ApiContext, attempt: WriteAttempt): Promise<KubeObject | undefined> {
  let object = attempt.object
  for (const hook of ctx.writeHooks) {
    const next = await hook({ ...attempt, object })
    if (next !== undefined) object = next
  }
  return object
}

export type { StatusCause }
