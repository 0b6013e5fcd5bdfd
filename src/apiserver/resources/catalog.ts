// The set of resources the server serves right now: the built-in ones plus one per served version
// of every established CRD. Discovery, OpenAPI and routing all read it; a change bumps `generation`
// so cached documents know to rebuild.
import { builtinResources } from './builtin.js'
import { groupVersion, type ResourceType } from './types.js'

export class Catalog {
  // group/version -> resource -> type; insertion order is discovery order.
  private readonly byGroupVersion = new Map<string, Map<string, ResourceType>>()
  // Custom resources by CRD name, to remove them together.
  private readonly byCrd = new Map<string, ResourceType[]>()
  /** Grows on every change; cached discovery and OpenAPI documents compare it. */
  generation = 0
  private readonly listeners = new Set<() => void>()

  constructor(resources: ResourceType[] = builtinResources()) {
    for (const r of resources) this.put(r)
  }

  private put(r: ResourceType): void {
    const gv = groupVersion(r)
    let m = this.byGroupVersion.get(gv)
    if (m === undefined) this.byGroupVersion.set(gv, (m = new Map()))
    m.set(r.resource, r)
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGroupVersion.get(group === '' ? version : `${group}/${version}`)?.get(resource)
  }

  /** The first served resource of a kind in a group-version (a kind named in a body or an ownerReference). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const r of this.byGroupVersion.get(apiVersion)?.values() ?? []) if (r.kind === kind) return r
    return undefined
  }

  groupVersions(): string[] {
    return [...this.byGroupVersion.keys()].filter((gv) => (this.byGroupVersion.get(gv)?.size ?? 0) > 0)
  }

  resources(gv?: string): ResourceType[] {
    if (gv !== undefined) return [...(this.byGroupVersion.get(gv)?.values() ?? [])]
    return [...this.byGroupVersion.values()].flatMap((m) => [...m.values()])
  }

  /** Serves (or re-serves, after a change) a CRD's resources: one per served version. */
  setCustom(crdName: string, resources: ResourceType[]): void {
    this.removeCustomQuietly(crdName)
    for (const r of resources) this.put(r)
    this.byCrd.set(crdName, resources)
    this.changed()
  }

  removeCustom(crdName: string): ResourceType[] {
    const removed = this.removeCustomQuietly(crdName)
    if (removed.length > 0) this.changed()
    return removed
  }

  customNames(): string[] {
    return [...this.byCrd.keys()]
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private removeCustomQuietly(crdName: string): ResourceType[] {
    const old = this.byCrd.get(crdName) ?? []
    for (const r of old) {
      const gv = groupVersion(r)
      const m = this.byGroupVersion.get(gv)
      m?.delete(r.resource)
      if (m !== undefined && m.size === 0) this.byGroupVersion.delete(gv)
    }
    this.byCrd.delete(crdName)
    return old
  }

  private changed(): void {
    this.generation += 1
    for (const l of this.listeners) l()
  }
}
