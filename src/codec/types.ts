// The objects the codec stores: Kubernetes-style API objects. Only apiVersion, kind and
// metadata.name are checked on encode; every other field is carried as data, whatever its shape.

/**
 * metadata as a caller writes it: only name is needed. The fields the store sets (uid,
 * resourceVersion, generation, creationTimestamp) may be present, as on an object read back and
 * changed, but are never required on input.
 */
export interface ObjectMetaInput {
  name: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  /** RFC 3339. */
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  [field: string]: unknown
}

/** metadata as the store returns it: the server-set fields are always there. */
export interface ObjectMeta extends ObjectMetaInput {
  uid: string
  /** The row's modRevision as a decimal string: set by decode, never stored in the bytes. */
  resourceVersion: string
  generation: number
  /** RFC 3339. */
  creationTimestamp: string
}

/** Fields of an object's body (spec, status, data, ...): JSON-like data of any shape. */
export type ObjectFields = Record<string, unknown>

/** An object as a caller writes it (create, or the result of an update function). */
export interface KubeObjectInput {
  apiVersion: string
  kind: string
  metadata: ObjectMetaInput
  spec?: ObjectFields
  status?: ObjectFields
  [field: string]: unknown
}

/** An object as the store returns it. */
export interface KubeObject extends KubeObjectInput {
  metadata: ObjectMeta
}

/**
 * What the store returns for an input of type T: the caller's own shape (so a spec written as
 * `{ containers: [...] }` reads back typed), plus the metadata fields the store sets.
 */
export type Stored<T extends KubeObjectInput> = T & KubeObject & { metadata: T['metadata'] & ObjectMeta }

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
