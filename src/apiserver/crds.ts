// CustomResourceDefinitions: a watch on the stored CRDs turns each into served resources (one per
// served version: discovery, CRUD, list/watch, status and scale subresources, printer columns),
// its OpenAPI v3 schema into validation and /openapi, and marks it Established. Deleting a CRD
// stops serving it and deletes its objects, as the apiextensions-apiserver's finalizer does.
import type { KubeObject } from '../codec/index.js'
import { ApiError } from './api-error.js'
import type { ApiContext } from './handlers/context.js'
import { declare } from './resources/builtin.js'
import { ageColumn, pathColumn } from './resources/columns.js'
import type { Column, ResourceType, Subresource } from './resources/types.js'
import type { JsonSchema } from './openapi/index.js'
import { gvkKey } from './openapi/index.js'

type Obj = Record<string, unknown>

const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

export interface CrdSchemaSink {
  /** The custom schema of apiVersion/kind, or undefined to forget it. */
  setCustomSchema(apiVersion: string, kind: string, schema: JsonSchema | undefined): void
}

/** The resources one CRD serves: one per served version. */
export function resourcesOf(crd: KubeObject): ResourceType[] {
  const spec = obj(crd.spec)
  const names = obj(spec.names)
  const group = str(spec.group)
  const plural = str(names.plural)
  const kind = str(names.kind)
  if (group === '' || plural === '' || kind === '') return []
  const out: ResourceType[] = []
  for (const v of Array.isArray(spec.versions) ? spec.versions.map(obj) : []) {
    if (v.served !== true) continue
    const subs = obj(v.subresources)
    const sub: Subresource[] = []
    if (subs.status !== undefined) sub.push('status')
    const scale = subs.scale === undefined ? undefined : obj(subs.scale)
    if (scale !== undefined) sub.push('scale')
    const columns: Column[] = (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns.map(obj) : []).map((c) =>
      pathColumn(str(c.name), str(c.jsonPath).replace(/^\./, ''), (['string', 'integer', 'number', 'boolean', 'date'].includes(str(c.type)) ? str(c.type) : 'string') as Column['type'], c.priority === 1 ? 1 : 0),
    )
    const r = declare(group, str(v.name), plural, kind, {
      cluster: spec.scope === 'Cluster',
      short: strs(names.shortNames),
      all: strs(names.categories).includes('all'),
      sub,
      singular: str(names.singular) || kind.toLowerCase(),
      columns: columns.length > 0 ? [...columns.filter((c) => c.name !== 'Age'), ageColumn] : [ageColumn],
      ...(scale === undefined ? {} : { scale: { specReplicas: str(scale.specReplicasPath).replace(/^\./, ''), statusReplicas: str(scale.statusReplicasPath).replace(/^\./, ''), ...(str(scale.labelSelectorPath) === '' ? {} : { labelSelector: str(scale.labelSelectorPath).replace(/^\./, '') }) } }),
    })
    out.push({ ...r, categories: strs(names.categories), storagePrefix: `/registry/${group}/${plural}`, strategicMerge: false, crd: crd.metadata.name })
  }
  return out
}

function schemasOf(crd: KubeObject): Map<string, JsonSchema> {
  const spec = obj(crd.spec)
  const group = str(spec.group)
  const kind = str(obj(spec.names).kind)
  const out = new Map<string, JsonSchema>()
  for (const v of Array.isArray(spec.versions) ? spec.versions.map(obj) : []) {
    const schema = obj(v.schema).openAPIV3Schema
    if (v.served === true && schema !== undefined) out.set(gvkKey(`${group}/${str(v.name)}`, kind), schema as JsonSchema)
  }
  return out
}

export class CrdController {
  // CRD name -> the gvk keys of its schemas, to forget them when it goes.
  private readonly schemaKeys = new Map<string, { apiVersion: string; kind: string }[]>()

  constructor(
    private readonly ctx: ApiContext,
    private readonly validator: CrdSchemaSink,
    /** The schemas /openapi serves for custom kinds, by gvk key. */
    readonly schemas: Map<string, JsonSchema>,
  ) {}

  /** Loads every stored CRD, then follows changes until the signal ends. */
  async start(signal: AbortSignal): Promise<void> {
    const r = this.ctx.catalog.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')
    if (r === undefined) return
    const list = await this.ctx.store.list(r, '', {})
    for (const crd of list.items) await this.serve(crd)
    const watcher = this.ctx.store.watch(r, '', '', { resourceVersion: list.resourceVersion, signal })
    void (async () => {
      for await (const e of watcher) {
        if (e.type === 'ADDED' || e.type === 'MODIFIED') await this.serve(e.object)
        else if (e.type === 'DELETED') await this.remove(e.object)
        else if (e.type === 'ERROR') break
      }
      if (!signal.aborted) await this.start(signal)
    })().catch((err: unknown) => this.ctx.log(`apiserver: CRD watch failed: ${err instanceof Error ? err.message : String(err)}`))
  }

  private async serve(crd: KubeObject): Promise<void> {
    if (crd.metadata.deletionTimestamp !== undefined) return this.remove(crd)
    const resources = resourcesOf(crd)
    if (resources.length === 0) return
    this.forgetSchemas(crd.metadata.name)
    const keys: { apiVersion: string; kind: string }[] = []
    for (const [key, schema] of schemasOf(crd)) {
      const apiVersion = key.slice(0, key.lastIndexOf('/'))
      const kind = key.slice(key.lastIndexOf('/') + 1)
      this.validator.setCustomSchema(apiVersion, kind, schema)
      this.schemas.set(key, schema)
      keys.push({ apiVersion, kind })
    }
    this.schemaKeys.set(crd.metadata.name, keys)
    this.ctx.catalog.setCustom(crd.metadata.name, resources)
    await this.establish(crd)
  }

  /** Sets NamesAccepted and Established (kubectl wait --for condition=established reads them). */
  private async establish(crd: KubeObject): Promise<void> {
    const status = obj(crd.status)
    const conditions = Array.isArray(status.conditions) ? status.conditions.map(obj) : []
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return
    const r = this.ctx.catalog.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')
    if (r === undefined) return
    const now = this.ctx.store.now()
    const names = obj(obj(crd.spec).names)
    await this.ctx.store
      .update(r, '', crd.metadata.name, (c) => ({
        ...c,
        status: {
          ...obj(c.status),
          acceptedNames: names,
          storedVersions: (Array.isArray(obj(c.spec).versions) ? (obj(c.spec).versions as unknown[]).map(obj) : []).filter((v) => v.storage === true).map((v) => str(v.name)),
          conditions: [
            { type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found' },
            { type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
          ],
        },
      }), { subresource: 'status' })
      .catch((err: unknown) => {
        // Deleted meanwhile, or another server established it first: either way nothing to do.
        if (err instanceof ApiError && (err.code === 'NotFound' || err.code === 'Conflict')) return
        throw err
      })
  }

  private async remove(crd: KubeObject): Promise<void> {
    const removed = this.ctx.catalog.removeCustom(crd.metadata.name)
    this.forgetSchemas(crd.metadata.name)
    // The custom resources go with their definition; every served version shares one storage prefix.
    const r = removed[0]
    if (r === undefined) return
    const list = await this.ctx.store.list(r, '', {})
    for (const item of list.items) {
      await this.ctx.store.delete(r, item.metadata.namespace ?? '', item.metadata.name).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.code === 'NotFound')) throw err
      })
    }
  }

  private forgetSchemas(crdName: string): void {
    for (const k of this.schemaKeys.get(crdName) ?? []) {
      this.validator.setCustomSchema(k.apiVersion, k.kind, undefined)
      this.schemas.delete(gvkKey(k.apiVersion, k.kind))
    }
    this.schemaKeys.delete(crdName)
  }
}
