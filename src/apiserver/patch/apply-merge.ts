// The object half of server-side apply: merge an applied configuration into the live object
// (structured-merge-diff's merge: granular maps and associative lists merge, atomic values and
// lists are replaced) and remove the fields a manager stopped applying.
import { deepClone, isObject, type JsonObject } from './json-value.js'
import { associativeKeys, childSchema, fieldMeta, isSetList, type FieldMeta, type PatchSchema } from './patch-schema.js'
import { itemElements } from './object-fields.js'
import { keyElement, valueElement, type Path } from './field-set.js'

/** live with config merged in (both untouched; the result shares nothing with them). */
export function mergeApplied(live: JsonObject, config: JsonObject, schema: PatchSchema | undefined): JsonObject {
  return mergeInto(deepClone(live), config, schema)
}

/** Merges config into out, which the caller owns (mutated); config values are copied. */
function mergeInto(out: JsonObject, config: JsonObject, schema: PatchSchema | undefined): JsonObject {
  for (const [name, value] of Object.entries(config)) {
    out[name] = mergeValue(out[name], value, fieldMeta(schema, name), childSchema(schema, name))
  }
  return out
}

function mergeValue(live: unknown, config: unknown, meta: FieldMeta | undefined, schema: PatchSchema | undefined): unknown {
  if (isObject(config)) {
    if (meta?.atomic === true || !isObject(live)) return deepClone(config)
    return mergeInto(live, config, schema)
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const keys = associativeKeys(meta)
    if (keys !== undefined) {
      const lhs = itemElements(live, keys)
      const rhs = itemElements(config, keys)
      if (lhs !== undefined && rhs !== undefined) return mergeLists(live, lhs, config, rhs, (l, r) => mergeValue(l, r, undefined, schema))
    }
    if (isSetList(meta)) {
      return mergeLists(live, live.map(valueElement), config, config.map(valueElement), (_l, r) => deepClone(r))
    }
  }
  return deepClone(config)
}

/**
 * Merges two keyed lists the way structured-merge-diff does: live-only items stay where they
 * were, applied items come in the applied order, an item in both is merged. Example: live
 * [a, x, b], applied [b, a] gives [x, b, a]: x (live only) keeps its place before b.
 */
function mergeLists(lhs: readonly unknown[], lk: readonly string[], rhs: readonly unknown[], rk: readonly string[], merge: (l: unknown, r: unknown) => unknown): unknown[] {
  const out: unknown[] = []
  const inRhs = new Set(rk)
  const shared = rk.filter((k) => lk.includes(k))
  const done = new Set<string>()
  let s = 0 // shared[s] is the next item in both lists, in applied order
  let l = 0
  let r = 0
  const takeRhs = (): void => {
    const key = rk[r] as string // r < rk.length
    const at = lk.indexOf(key)
    out.push(at >= 0 ? merge(lhs[at], rhs[r]) : deepClone(rhs[r]))
    done.add(key)
    if (shared[s] === key) s++
    r++
  }
  while (l < lhs.length || r < rhs.length) {
    const lKey = lk[l] as string // read only while l < lk.length
    if (l < lhs.length && r < rhs.length) {
      if (lKey === rk[r]) {
        l++
        takeRhs()
        continue
      }
      // A shared live item that is not the next one in applied order waits for its turn.
      if (inRhs.has(lKey) && shared[s] !== undefined && shared[s] !== lKey) {
        l++
        continue
      }
    }
    if (l < lhs.length && (!inRhs.has(lKey) || done.has(lKey))) {
      if (!inRhs.has(lKey)) out.push(lhs[l]) // live is the caller's own copy
      l++
      continue
    }
    if (r < rhs.length) takeRhs()
    else l++
  }
  return out
}

/** Removes the field at path from obj (mutated); a path that does not resolve is ignored. Maps
 *  left empty by the removal go too, up to the first one `keep` says is still wanted: dropping
 *  the only field of spec.nested from a configuration removes spec.nested. */
export function removePath(obj: JsonObject, path: Path, keep: (prefix: Path) => boolean): void {
  const chain: { parent: JsonObject; name: string; depth: number }[] = []
  let container: unknown = obj
  for (let i = 0; i < path.length; i++) {
    const el = path[i] as string // i < length
    const last = i === path.length - 1
    if (el.startsWith('f:')) {
      if (!isObject(container)) return
      const name = el.slice(2)
      if (last) delete container[name]
      else chain.push({ parent: container, name, depth: i + 1 })
      container = container[name]
      continue
    }
    if (!Array.isArray(container)) return
    const list: unknown[] = container
    const at = list.findIndex((item) => elementMatches(item, el))
    if (at < 0) return
    if (last) list.splice(at, 1)
    else container = list[at]
    chain.length = 0 // never drop a list item or what holds the list: the item still has its keys
  }
  for (const { parent, name, depth } of chain.reverse()) {
    const value = parent[name]
    if (!isObject(value) || Object.keys(value).length > 0 || keep(path.slice(0, depth))) return
    delete parent[name]
  }
}

function elementMatches(item: unknown, el: string): boolean {
  if (el.startsWith('v:')) return valueElement(item) === el
  if (el.startsWith('i:')) return false // atomic lists are owned whole, never by index
  if (!isObject(item)) return false
  const keys = Object.keys(JSON.parse(el.slice(2)) as JsonObject) // written by keyElement
  return keyElement(item, keys) === el
}

