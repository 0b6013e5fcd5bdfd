// What the store itself decides about an object's contents: system fields on create, what an update
// may not change, and when generation moves.
import type { KubeObject, KubeObjectInput } from '../codec/index.js'
import { InvalidArgumentError } from '../util/index.js'

/** RFC 3339 at whole seconds in UTC, as Kubernetes writes metav1.Time: 2023-11-14T22:13:20Z. */
export function rfc3339Seconds(ms: number): string {
  const second = Math.floor(ms / 1000)
  // Creates within one second share the string: formatting a Date costs more than the rest of create's bookkeeping.
  if (second !== lastSecond) {
    lastSecond = second
    lastStamp = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
  }
  return lastStamp
}
let lastSecond = Number.NaN
let lastStamp = ''

/** The object as create stores it: a copy with fresh uid, creationTimestamp and generation 1. */
export function forCreate(object: KubeObjectInput, uid: string, nowMs: number): KubeObjectInput {
  checkShape(object)
  const rv = object.metadata.resourceVersion
  // Kubernetes ErrResourceVersionSetOnCreate: a create cannot be conditional on a version.
  if (rv !== undefined && rv !== '') throw new InvalidArgumentError('objects: resourceVersion should not be set on objects to be created')
  return { ...object, metadata: { ...object.metadata, uid, creationTimestamp: rfc3339Seconds(nowMs), generation: 1 } }
}

/**
 * The object an update stores: uid and creationTimestamp are the stored object's (they never change
 * in an object's life); generation grows by one when the desired state changed (see specChanged).
 */
export function forUpdate(current: KubeObject, next: KubeObjectInput): KubeObjectInput {
  checkShape(next)
  const generation = typeof current.metadata.generation === 'number' ? current.metadata.generation : 0
  return {
    ...next,
    metadata: {
      ...next.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: specChanged(current, next) ? generation + 1 : generation,
    },
  }
}

function checkShape(object: unknown): asserts object is KubeObjectInput {
  if (object === null || typeof object !== 'object') throw new InvalidArgumentError('objects: the object must be an object')
  const meta: unknown = (object as { metadata?: unknown }).metadata
  if (meta === null || typeof meta !== 'object') throw new InvalidArgumentError('objects: the object has no metadata')
}

/**
 * Kubernetes bumps generation when the spec changes; kinds differ in what counts (a ConfigMap has
 * no spec but its data is its desired state). So: anything other than metadata and status, compared
 * as the codec stores it (a property set to undefined is absent, -0 is 0).
 */
export function specChanged(before: KubeObjectInput, after: KubeObjectInput): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  for (const k of keys) {
    if (k === 'metadata' || k === 'status') continue
    if (!sameData(before[k], after[k])) return true
  }
  return false
}

/** Deep equality over the codec's values: JSON values plus Uint8Array. Allocation-free: it runs on every update. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b) // a === b above already made 0 and -0 equal
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false
    return true
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  let defined = 0
  for (const k in ra) {
    if (!Object.hasOwn(ra, k) || ra[k] === undefined) continue
    defined++
    if (!Object.hasOwn(rb, k) || !sameData(ra[k], rb[k])) return false
  }
  for (const k in rb) if (Object.hasOwn(rb, k) && rb[k] !== undefined) defined--
  return defined === 0
}

/**
 * Freezes `value` and everything in it. tryUpdate gets the current object frozen so that it cannot
 * change it in place: the store still needs it (generation, the unchanged case), and the watch
 * cache will hand out shared objects the same way. Cheaper than a deep copy.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  // Typed arrays with elements cannot be frozen; the codec gives each object its own copies anyway.
  if (ArrayBuffer.isView(value)) return value
  Object.freeze(value)
  for (const k of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[k])
  return value
}
