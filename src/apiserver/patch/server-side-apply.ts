// Server-side apply and the field tracking of ordinary writes, after Kubernetes' field manager
// (structured-merge-diff): each manager owns a field set; an apply makes the applied fields the
// applier's set, conflicts when it changes a field another manager owns (unless forced, which
// moves the field), and removes fields it applied before and no longer applies unless someone
// else owns them; an update (operation Update) takes the fields it changed from everyone else.
import { deepClone, deepEqual, describe, isObject, type JsonObject } from './json-value.js'
import { applySchemaFor } from './strategic-schema.js'
import { PatchError } from './patch-error.js'
import { difference, sameSet, union, pathKey, type FieldSet } from './field-set.js'
import { compareFields, fieldSetOf, fieldValues, ownable, type Scope } from './object-fields.js'
import { ownerId, readOwners, withManagedFields, writeOwners, type ManagedFieldsEntry, type Owner } from './managed-fields.js'
import { mergeApplied, removePath } from './apply-merge.js'
import { ApplyConflictError, type Conflict } from './apply-conflict.js'

/** An API object as the patch engines take it (the codec's KubeObject fits). */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata?: JsonObject
  [field: string]: unknown
}

export interface ApplyOptions {
  manager: string
  force: boolean
  /** RFC 3339 time written into the manager's entry when its fields or the object change. */
  now: string
  subresource?: string
}

export interface UpdateOptions {
  manager: string
  now: string
  subresource?: string
}

/** Metadata an applied configuration may not set (the server owns it). */
const serverMetadata = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink', 'deletionTimestamp']

/** The object after `manager` applies `applied` to `live` (undefined: the apply creates it). */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, o: ApplyOptions): KubeObject {
  if (o.manager === '') {
    throw new PatchError('Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')
  }
  if (!isObject(applied) || typeof applied.apiVersion !== 'string' || typeof applied.kind !== 'string') {
    throw new PatchError('BadRequest', `apply: the configuration must be an object with apiVersion and kind, got ${describe(applied)}`)
  }
  const managed = isObject(applied.metadata) ? applied.metadata.managedFields : undefined
  if (managed !== undefined && managed !== null && !(Array.isArray(managed) && managed.length === 0)) {
    throw new PatchError('BadRequest', 'metadata.managedFields must be nil')
  }
  const schema = applySchemaFor(applied.apiVersion, applied.kind)
  const scope: Scope = { subresource: o.subresource }
  const config = configToMerge(applied, scope)
  const configSet = fieldSetOf(fieldValues(ownable(config, scope), schema), false)
  const owners = readOwners(live)
  const snapshot = snapshotOf(owners)
  if (live !== undefined && owners.size === 0) seedBeforeFirstApply(owners, live, o.now)

  const id = ownerId({ manager: o.manager, operation: 'Apply', subresource: o.subresource })
  const previous = owners.get(id)
  const me: Owner = { manager: o.manager, operation: 'Apply', subresource: o.subresource ?? '', apiVersion: applied.apiVersion, time: previous?.time ?? o.now, set: previous !== undefined && sameSet(previous.set, configSet) ? previous.set : configSet }
  owners.set(id, me)

  const base: JsonObject = live === undefined ? {} : withManagedFields(live, [])
  const merged = mergeApplied(base, config, schema)
  if (previous !== undefined) prune(merged, difference(previous.set, configSet), owners)

  const before = fieldValues(ownable(base, scope), schema)
  const after = fieldValues(ownable(merged, scope), schema)
  const { changed, removed } = compareFields(before, after)
  const conflicts: Conflict[] = []
  for (const [otherId, owner] of owners) {
    if (otherId === id) continue
    for (const [k, path] of owner.set) if (changed.has(k)) conflicts.push({ owner, path })
  }
  if (conflicts.length > 0 && !o.force) throw new ApplyConflictError(conflicts)
  for (const [otherId, owner] of owners) {
    if (otherId !== id) owner.set = difference(difference(owner.set, changed), removed)
  }
  if (changed.size > 0 || removed.size > 0 || previous === undefined || !sameSet(previous.set, configSet)) me.time = o.now
  return finish(live, merged as KubeObject, owners, snapshot)
}

/** The object after a create, update or patch by a non-apply manager: `updated` with its
 *  managedFields recomputed. A client that changed managedFields itself (the
 *  `kubectl apply --server-side` migration patch) has its entries taken as the starting point;
 *  `[{}]` clears them. */
export function trackUpdate(live: KubeObject | undefined, updated: KubeObject, o: UpdateOptions): KubeObject {
  const schema = applySchemaFor(updated.apiVersion, updated.kind)
  const scope: Scope = { subresource: o.subresource }
  const given = updated.metadata?.managedFields
  const liveEntries = live?.metadata?.managedFields
  const rewritten = Array.isArray(given) && given.length > 0 && !deepEqual(given, liveEntries)
  const owners = rewritten ? readOwners(updated) : readOwners(live)
  const snapshot = rewritten ? undefined : snapshotOf(owners)

  const before = live === undefined ? new Map() : fieldValues(ownable(live, scope), schema)
  const after = fieldValues(ownable(updated, scope), schema)
  const { changed, removed } = compareFields(before, after)
  const id = ownerId({ manager: o.manager, operation: 'Update', subresource: o.subresource })
  for (const [otherId, owner] of owners) {
    if (otherId !== id) owner.set = difference(difference(owner.set, changed), removed)
  }
  if (changed.size > 0 || removed.size > 0) {
    const previous = owners.get(id)
    const set = difference(union(previous?.set ?? new Map(), changed), removed)
    owners.set(id, { manager: o.manager, operation: 'Update', subresource: o.subresource ?? '', apiVersion: updated.apiVersion, time: o.now, set })
  }
  return finish(live, withManagedFields(updated, []) as KubeObject, owners, snapshot)
}

/** The applied configuration as it merges into the object: no nulls (a null applies nothing),
 *  no server-owned metadata, and only the part of the object this scope writes. */
function configToMerge(applied: KubeObject, scope: Scope): JsonObject {
  const config = withoutNulls(deepClone(applied)) as JsonObject
  if (isObject(config.metadata)) for (const f of serverMetadata) delete config.metadata[f]
  if (scope.subresource === 'status') {
    const { apiVersion, kind, metadata, status } = config
    const name = isObject(metadata) ? { name: metadata.name, namespace: metadata.namespace } : undefined
    return withoutNulls({ apiVersion, kind, metadata: name, status }) as JsonObject
  }
  delete config.status
  return config
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = withoutNulls(v)
  return out
}

/** An object written before any apply has no managedFields: the real server gives all its fields
 *  to "before-first-apply" (operation Update) so the first apply can conflict with them. */
function seedBeforeFirstApply(owners: Map<string, Owner>, live: KubeObject, now: string): void {
  const set = fieldSetOf(fieldValues(ownable(live, {}), applySchemaFor(live.apiVersion, live.kind)), false)
  const owner: Owner = { manager: 'before-first-apply', operation: 'Update', subresource: '', apiVersion: live.apiVersion, time: now, set }
  owners.set(ownerId(owner), owner)
}

/** Removes the fields the applier dropped, except those someone (the applier included, through
 *  its new set) still owns, or under which someone owns a field. */
function prune(merged: JsonObject, dropped: FieldSet, owners: Map<string, Owner>): void {
  const owned: FieldSet = new Map()
  for (const owner of owners.values()) for (const [k, p] of owner.set) owned.set(k, p)
  const ownedPaths = [...owned.values()]
  for (const path of dropped.values()) {
    if (owned.has(pathKey(path))) continue
    const under = ownedPaths.some((p) => p.length > path.length && path.every((el, i) => p[i] === el))
    if (!under) removePath(merged, path, (prefix) => owned.has(pathKey(prefix)))
  }
}

type Snapshot = Map<string, Pick<Owner, 'set' | 'time' | 'apiVersion'>>

/** What the owners were as read from live: sets are replaced, never mutated, so an owner whose
 *  set is still the same Map (and time, apiVersion) did not change. */
function snapshotOf(owners: Map<string, Owner>): Snapshot {
  return new Map([...owners].map(([id, o]) => [id, { set: o.set, time: o.time, apiVersion: o.apiVersion }]))
}

function unchanged(owners: Map<string, Owner>, snapshot: Snapshot): boolean {
  const live = [...owners].filter(([, o]) => o.set.size > 0)
  if (live.length !== snapshot.size) return false
  return live.every(([id, o]) => {
    const s = snapshot.get(id)
    return s !== undefined && s.set === o.set && s.time === o.time && s.apiVersion === o.apiVersion
  })
}

/** obj with the owners written as its managedFields; when no owner changed, live's own list is
 *  kept verbatim (not re-encoded), so a no-op stays byte-for-byte a no-op. No snapshot: the
 *  request rewrote managedFields itself, so they are always written. */
function finish(live: KubeObject | undefined, obj: KubeObject, owners: Map<string, Owner>, snapshot: Snapshot | undefined): KubeObject {
  const liveEntries = live?.metadata?.managedFields
  if (live !== undefined && Array.isArray(liveEntries) && snapshot !== undefined && unchanged(owners, snapshot)) {
    return withManagedFields(obj, liveEntries as ManagedFieldsEntry[]) // live's entries, as live wrote them
  }
  return withManagedFields(obj, writeOwners(owners.values()))
}
