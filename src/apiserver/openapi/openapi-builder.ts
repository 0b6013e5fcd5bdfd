// Builds the /openapi/v3 index, the per-group-version v3 documents and the /openapi/v2
// document from the built-in definitions (kubernetes-schemas.ts), the served resources and
// the CRD schemas. Documents are cached until invalidate() (a CRD changed).
//
// Each document carries the definitions its kinds reach through $ref (the transitive closure),
// so `kubectl explain deployment.spec.template.spec.containers` resolves inside one document.

import { createHash } from 'node:crypto'
import type { JsonSchema } from './json-schema.js'
import { gvkKey, type SchemaCatalog } from './kubernetes-schemas.js'
import { addResourcePaths, groupVersionPath, type DocStyle, type ServedResource } from './openapi-paths.js'
import { permissiveKindSchema, structuralKindSchema, definitionNameFor } from './kind-schemas.js'

const statusName = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status'
const scaleName = 'io.k8s.api.autoscaling.v1.Scale'

interface Built {
  index: { paths: Record<string, { serverRelativeURL: string }> }
  v3: Map<string, object>
  v2: object | undefined
}

/**
 * What to answer on GET /openapi/v2 for an Accept header: JSON when the client takes JSON,
 * otherwise 406. kubectl 1.32 asks v2 only in protobuf
 * (application/com.github.proto-openapi.spec.v2@v1.0+protobuf) and fails on a JSON body
 * ("proto: cannot parse invalid wire-format data"); with real v3 documents it never asks v2.
 */
export function openApiV2Answer(accept: string | undefined): 'json' | 'not-acceptable' {
  if (accept === undefined || accept === '') return 'json'
  const types = accept.split(',').map((t) => (t.split(';')[0] ?? '').trim().toLowerCase())
  return types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*') ? 'json' : 'not-acceptable'
}

export class OpenApiBuilder {
  /** The documents of the current resources and CRDs; undefined after invalidate(). */
  private built: Built | undefined

  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly resources: () => ServedResource[],
    private readonly crdSchemas: () => Map<string, JsonSchema>,
  ) {}

  invalidate(): void {
    this.built = undefined
  }

  v3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
    return this.build().index
  }

  /** `api/v1` or `apis/apps/v1`; undefined when that group-version is not served. */
  v3Document(gvPath: string): object | undefined {
    return this.build().v3.get(gvPath)
  }

  v2Document(): object {
    const built = this.build()
    built.v2 ??= this.document('v2', this.resources())
    return built.v2
  }

  private build(): Built {
    if (this.built !== undefined) return this.built
    const byGv = new Map<string, ServedResource[]>()
    for (const r of this.resources()) {
      const key = groupVersionPath(r.group, r.version)
      byGv.set(key, [...(byGv.get(key) ?? []), r])
    }
    const v3 = new Map<string, object>()
    const paths: Record<string, { serverRelativeURL: string }> = {}
    for (const [gv, rs] of [...byGv].sort(([a], [b]) => a.localeCompare(b))) {
      const doc = this.document('v3', rs)
      v3.set(gv, doc)
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase()
      paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` }
    }
    this.built = { index: { paths }, v3, v2: undefined }
    return this.built
  }

  /** Definition name of a kind's schema, adding fallback or CRD schemas to `extra`. */
  private kindName(r: ServedResource, extra: Map<string, JsonSchema>): string {
    const apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`
    const crd = this.crdSchemas().get(gvkKey(apiVersion, r.kind))
    if (crd !== undefined) {
      const name = definitionNameFor(r.group, r.version, r.kind)
      extra.set(name, structuralKindSchema(crd, r.group, r.version, r.kind))
      return name
    }
    const builtIn = this.catalog.kinds.get(gvkKey(apiVersion, r.kind))
    if (builtIn !== undefined) return builtIn
    const name = definitionNameFor(r.group, r.version, r.kind)
    extra.set(name, permissiveKindSchema(r.group, r.version, r.kind))
    return name
  }

  private document(style: DocStyle, rs: ServedResource[]): object {
    const extra = new Map<string, JsonSchema>()
    const roots = new Set<string>([statusName])
    const paths: Record<string, Record<string, unknown>> = {}
    for (const r of [...rs].sort((a, b) => a.resource.localeCompare(b.resource))) {
      const kind = this.kindName(r, extra)
      const apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`
      const list = this.catalog.kinds.get(gvkKey(apiVersion, `${r.kind}List`))
      roots.add(kind)
      if (list !== undefined) roots.add(list)
      if (r.subresources.includes('scale')) roots.add(scaleName)
      addResourcePaths(paths, r, style, { kind, list, status: statusName, scale: scaleName })
    }
    const schemas = this.closure(roots, extra, style)
    if (style === 'v2') {
      return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions: schemas }
    }
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } }
  }

  /** Every definition reachable from `roots`, with references rewritten for the style. */
  private closure(roots: Set<string>, extra: Map<string, JsonSchema>, style: DocStyle): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {}
    const queue = [...roots]
    while (queue.length > 0) {
      const name = queue.pop() as string // loop guard: queue is non-empty
      if (out[name] !== undefined) continue
      const schema = extra.get(name) ?? this.catalog.definitions.get(name)
      if (schema === undefined) continue
      const text = JSON.stringify(schema)
      for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) if (m[1] !== undefined) queue.push(m[1])
      out[name] = style === 'v3' ? (JSON.parse(text.replace(/"#\/definitions\//g, '"#/components/schemas/')) as JsonSchema) : schema
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
  }
}
