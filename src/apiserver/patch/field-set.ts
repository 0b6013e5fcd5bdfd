// Field sets as server-side apply tracks ownership (structured-merge-diff fieldpath): a path is a
// list of elements "f:<field>", "k:<json of the item's keys>" (associative list item),
// "v:<json value>" (set item) or "i:<index>"; FieldsV1 is the same set written as a tree where a
// member that also has children carries ".". Example: labels.app and container "web"'s image:
//   {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
//    "f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}
import { isObject, type JsonObject } from './json-value.js'

export type Path = readonly string[]

/** A set of paths keyed by pathKey(path). */
export type FieldSet = Map<string, Path>

/** The map key of a path: its elements joined by NUL, which no field name, list key JSON or
 *  value JSON can hold (JSON escapes it; Kubernetes field names are printable). */
export function pathKey(path: Path): string {
  return path.join('\u0000')
}

export function setOf(paths: Iterable<Path>): FieldSet {
  const set: FieldSet = new Map()
  for (const p of paths) set.set(pathKey(p), p)
  return set
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  return new Map([...a, ...b])
}

/** a without b's paths; a itself when nothing is taken away (callers compare by identity). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  let removes = false
  for (const k of a.keys()) if (b.has(k)) removes = true
  return removes ? new Map([...a].filter(([k]) => !b.has(k))) : a
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return new Map([...a].filter(([k]) => b.has(k)))
}

export function sameSet(a: FieldSet, b: FieldSet): boolean {
  return a.size === b.size && [...a.keys()].every((k) => b.has(k))
}

/** Writes a field set as a FieldsV1 tree (keys sorted, as the real server writes them). */
export function toFieldsV1(set: FieldSet): JsonObject {
  interface Node { member: boolean; children: Map<string, Node> }
  const root: Node = { member: false, children: new Map() }
  for (const path of set.values()) {
    let node = root
    for (const el of path) {
      let next = node.children.get(el)
      if (next === undefined) node.children.set(el, (next = { member: false, children: new Map() }))
      node = next
    }
    node.member = true
  }
  const write = (node: Node): JsonObject => {
    const out: JsonObject = {}
    if (node.member && node.children.size > 0) out['.'] = {}
    for (const el of [...node.children.keys()].sort()) out[el] = write(node.children.get(el) as Node) // key from keys()
    return out
  }
  return write(root)
}

/** Reads a FieldsV1 tree; anything that is not an object is ignored (a corrupt entry owns nothing). */
export function fromFieldsV1(tree: unknown): FieldSet {
  const set: FieldSet = new Map()
  const read = (node: JsonObject, prefix: Path): void => {
    for (const [el, child] of Object.entries(node)) {
      if (el === '.' || !isObject(child)) continue
      const path = [...prefix, el]
      const keys = Object.keys(child)
      if (keys.length === 0 || Object.hasOwn(child, '.')) set.set(pathKey(path), path)
      read(child, path)
    }
  }
  if (isObject(tree)) read(tree, [])
  return set
}

/** A path as the real server prints it in conflicts: `.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path
    .map((el) => {
      const body = el.slice(2)
      if (el.startsWith('f:')) return `.${body}`
      if (el.startsWith('v:')) return `[=${body}]`
      if (el.startsWith('i:')) return `[${body}]`
      const keys = JSON.parse(body) as JsonObject // written by keyElement
      return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`
    })
    .join('')
}

/** List keys the real server defaults before it keys an item (ports are keyed by port and
 *  protocol, and a port without protocol is TCP), so `{"containerPort":80}` applied and
 *  `{"containerPort":80,"protocol":"TCP"}` live are the same item. */
const keyDefaults: Readonly<Record<string, unknown>> = { protocol: 'TCP' }

/** The "k:" element of an associative list item, or undefined if it lacks every key. */
export function keyElement(item: JsonObject, keys: readonly string[]): string | undefined {
  const values: [string, unknown][] = []
  for (const k of [...keys].sort()) {
    if (Object.hasOwn(item, k)) values.push([k, item[k]])
    else if (Object.hasOwn(keyDefaults, k)) values.push([k, keyDefaults[k]])
  }
  if (values.every(([k]) => !Object.hasOwn(item, k))) return undefined
  return `k:${JSON.stringify(Object.fromEntries(values))}`
}

export function valueElement(value: unknown): string {
  return `v:${JSON.stringify(value)}`
}
