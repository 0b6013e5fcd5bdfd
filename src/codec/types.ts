// The objects the codec stores: Kubernetes-style API objects. Only apiVersion, kind and
// metadata.name are checked on encode; every other field is carried as data, whatever its shape.

export interface ObjectMeta {
  name: string
  namespace?: string
  uid: string
  /** The row's modRevision as a decimal string: set by decode, never stored in the bytes. */
  resourceVersion: string
  generation: number
  /** RFC 3339. */
  creationTimestamp: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  [field: string]: unknown
}

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [field: string]: unknown
}

/** Where a stored value came from: its storage key and the modRevision of its row. */
export interface DecodeContext {
  key: string | Uint8Array
  resourceVersion: number
}

/** A plain object as the codec builds and reads them (prototype Object.prototype or null). */
export type PlainObject = Record<string, unknown>

export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== 'object') return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
