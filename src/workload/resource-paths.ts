// Storage keys to REST paths. The workload's key prefixes (objects.ts `prefixes`) are the layout
// kube-apiserver (and etchlog's server, resources/builtin.ts storagePrefix) stores under, so the
// mapping is mechanical: /registry/<resource>/<namespace>/<name> <-> <group-version>/namespaces/<namespace>/<resource>/<name>.
import type { KubeObject } from '../codec/index.js'
import { InvalidArgumentError } from '../util/index.js'
import { prefixes } from './objects.js'

export interface Route {
  prefix: string
  /** /api/v1 or /apis/<group>/<version>. */
  base: string
  resource: string
  namespaced: boolean
  /** The resource has a status subresource: writes to the resource itself keep the stored status. */
  status: boolean
}

const routes: readonly Route[] = [
  { prefix: prefixes.namespaces, base: '/api/v1', resource: 'namespaces', namespaced: false, status: true },
  { prefix: prefixes.nodes, base: '/api/v1', resource: 'nodes', namespaced: false, status: true },
  { prefix: prefixes.deployments, base: '/apis/apps/v1', resource: 'deployments', namespaced: true, status: true },
  { prefix: prefixes.pods, base: '/api/v1', resource: 'pods', namespaced: true, status: true },
  { prefix: prefixes.endpoints, base: '/api/v1', resource: 'endpoints', namespaced: true, status: false },
  { prefix: prefixes.events, base: '/api/v1', resource: 'events', namespaced: true, status: false },
  { prefix: prefixes.configmaps, base: '/api/v1', resource: 'configmaps', namespaced: true, status: false },
  { prefix: prefixes.secrets, base: '/api/v1', resource: 'secrets', namespaced: true, status: false },
]

export interface ObjectPath {
  route: Route
  /** The collection the object is created in (its namespace's, for a namespaced resource). */
  collection: string
  /** The object itself. */
  item: string
}

function routeOf(key: string): Route {
  const route = routes.find((r) => key.startsWith(r.prefix))
  if (route === undefined) throw new InvalidArgumentError(`workload: no REST resource for key ${JSON.stringify(key)}`)
  return route
}

const seg = (s: string): string => encodeURIComponent(s)

/** The REST paths of the object stored at `key`. */
export function objectPath(key: string): ObjectPath {
  const route = routeOf(key)
  const parts = key.slice(route.prefix.length).split('/')
  if (route.namespaced) {
    const [ns, name] = parts
    if (parts.length !== 2 || ns === undefined || name === undefined || ns === '' || name === '') throw new InvalidArgumentError(`workload: key ${JSON.stringify(key)} is not <prefix><namespace>/<name>`)
    const collection = `${route.base}/namespaces/${seg(ns)}/${route.resource}`
    return { route, collection, item: `${collection}/${seg(name)}` }
  }
  const [name] = parts
  if (parts.length !== 1 || name === undefined || name === '') throw new InvalidArgumentError(`workload: key ${JSON.stringify(key)} is not <prefix><name>`)
  const collection = `${route.base}/${route.resource}`
  return { route, collection, item: `${collection}/${seg(name)}` }
}

/** The list/watch path of a prefix: a whole resource (every namespace), or one namespace's (`<prefix><ns>/`). */
export function collectionPath(prefix: string): { route: Route; path: string } {
  const route = routeOf(prefix)
  const rest = prefix.slice(route.prefix.length)
  if (rest === '') return { route, path: `${route.base}/${route.resource}` }
  const ns = rest.endsWith('/') ? rest.slice(0, -1) : ''
  if (!route.namespaced || ns === '' || ns.includes('/')) throw new InvalidArgumentError(`workload: prefix ${JSON.stringify(prefix)} is not a resource or one namespace of it`)
  return { route, path: `${route.base}/namespaces/${seg(ns)}/${route.resource}` }
}


function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
  if (!isRecord(a) || !isRecord(b)) return false
  const ka = Object.keys(a).filter((k) => a[k] !== undefined)
  const kb = Object.keys(b).filter((k) => b[k] !== undefined)
  return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]))
}

/**
 * The JSON merge patch (RFC 7386) that turns `from` into `to`: changed keys get their new value
 * (objects recursively), removed keys null, arrays whole. undefined when nothing differs.
 */
export function mergePatch(from: unknown, to: unknown): unknown {
  if (!isRecord(from) || !isRecord(to)) return jsonEqual(from, to) ? undefined : (to ?? null)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue
    const d = mergePatch(from[k], v)
    if (d !== undefined) out[k] = d
  }
  for (const [k, v] of Object.entries(from)) if (v !== undefined && to[k] === undefined) out[k] = null
  return Object.keys(out).length === 0 ? undefined : out
}

/** The object without its status (what a write to the resource itself may change). */
export function withoutStatus(o: KubeObject): Record<string, unknown> {
  const { status: _status, ...rest } = o as Record<string, unknown>
  return rest
}

