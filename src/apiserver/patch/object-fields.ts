// The fields of an object as server-side apply sees them: every member path with, for leaves,
// its value, so two objects can be compared field by field (added, removed, modified) and an
// applied configuration turned into the field set its manager owns.
import { deepEqual, isObject, type JsonObject } from './json-value.js'
import { associativeKeys, childSchema, fieldMeta, isSetList, type FieldMeta, type PatchSchema } from './patch-schema.js'
import { keyElement, pathKey, valueElement, type FieldSet, type Path } from './field-set.js'

export interface Member {
  readonly path: Path
  /** A leaf carries a value; a member with children (a list item, a granular map) does not. */
  readonly leaf: boolean
  /** A granular map (labels, data, any map of a custom resource): a member of the sets an update
   *  computes when it adds the map (the "." of `f:labels: {".": {}, ...}`), never of an applied
   *  configuration's set, where only leaves and list items are members. */
  readonly map: boolean
  readonly value: unknown
}

export type FieldValues = Map<string, Member>

/** Which part of an object a write may own: the main resource never owns status, the status
 *  subresource owns status only. */
export interface Scope {
  readonly subresource?: string | undefined
}

/** Server-maintained metadata nobody owns (the real server's stripped set). */
const unownedMetadata = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'selfLink', 'managedFields', 'clusterName']

/** A shallow copy of obj without the fields no manager can own in this scope. */
export function ownable(obj: JsonObject, scope: Scope): JsonObject {
  if (scope.subresource === 'status') return Object.hasOwn(obj, 'status') ? { status: obj.status } : {}
  const { apiVersion: _v, kind: _k, status: _s, ...rest } = obj
  if (isObject(rest.metadata)) {
    const metadata = { ...rest.metadata }
    for (const f of unownedMetadata) delete metadata[f]
    if (Object.keys(metadata).length === 0) delete rest.metadata
    else rest.metadata = metadata
  }
  return rest
}

/** Every member of obj (already reduced by ownable) under the schema. */
export function fieldValues(obj: JsonObject, schema: PatchSchema): FieldValues {
  const out: FieldValues = new Map()
  walkObject(obj, schema, [], out)
  return out
}

/** The field set of the members; an applied configuration's set (withMaps false) leaves out
 *  the granular maps themselves, as structured-merge-diff's ToFieldSet does. */
export function fieldSetOf(values: FieldValues, withMaps: boolean): FieldSet {
  return new Map([...values].filter(([, m]) => withMaps || !m.map).map(([k, m]) => [k, m.path]))
}

function add(out: FieldValues, path: Path, leaf: boolean, value: unknown, map = false): void {
  out.set(pathKey(path), { path, leaf, map, value: leaf ? value : undefined })
}

function walkObject(obj: JsonObject, schema: PatchSchema | undefined, prefix: Path, out: FieldValues): void {
  for (const [name, value] of Object.entries(obj)) {
    if (value === undefined) continue
    walkValue(value, fieldMeta(schema, name), childSchema(schema, name), [...prefix, `f:${name}`], out)
  }
}

function walkValue(value: unknown, meta: FieldMeta | undefined, schema: PatchSchema | undefined, path: Path, out: FieldValues): void {
  if (isObject(value)) {
    if (meta?.atomic === true || Object.keys(value).length === 0) return add(out, path, true, value)
    if (meta?.map === true || schema?.deduced === true) add(out, path, false, undefined, true)
    return walkObject(value, schema, path, out)
  }
  if (Array.isArray(value)) {
    const keys = associativeKeys(meta)
    const elements = keys === undefined ? undefined : itemElements(value, keys)
    if (keys !== undefined && elements !== undefined) {
      value.forEach((item, i) => {
        const itemPath = [...path, elements[i] as string] // one element per item
        add(out, itemPath, false, undefined)
        walkObject(item as JsonObject, schema, itemPath, out) // itemElements checked it is an object
      })
      return
    }
    if (isSetList(meta) && value.every((v) => !isObject(v) && !Array.isArray(v)) && new Set(value.map(valueElement)).size === value.length) {
      for (const v of value) add(out, [...path, valueElement(v)], true, v)
      return
    }
  }
  add(out, path, true, value)
}

/** The "k:" element of each item, or undefined when the list cannot be keyed (an item that is not
 *  an object or lacks every key, two items with one key): then it is owned as a whole. */
export function itemElements(list: readonly unknown[], keys: readonly string[]): string[] | undefined {
  const elements: string[] = []
  for (const item of list) {
    const el = isObject(item) ? keyElement(item, keys) : undefined
    if (el === undefined || elements.includes(el)) return undefined
    elements.push(el)
  }
  return elements
}

/** The paths whose value differs between two objects' members: added, removed, modified. */
export function compareFields(before: FieldValues, after: FieldValues): { changed: FieldSet; removed: FieldSet } {
  const changed: FieldSet = new Map()
  const removed: FieldSet = new Map()
  for (const [k, m] of after) {
    const old = before.get(k)
    if (old === undefined || old.leaf !== m.leaf || (m.leaf && !deepEqual(old.value, m.value))) changed.set(k, m.path)
  }
  for (const [k, m] of before) if (!after.has(k)) removed.set(k, m.path)
  return { changed, removed }
}
