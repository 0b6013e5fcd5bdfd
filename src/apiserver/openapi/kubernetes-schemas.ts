// Loads the Kubernetes OpenAPI definitions from the installed kubernetes-models package
// (MIT, generated from Kubernetes' own OpenAPI spec; see docs/apiserver-validation.md for why
// this package). The package ships descriptions and shapes in `.d.ts` files and compiled ajv
// validators in `_schemas/*.js`; it does not ship the raw JSON. So, once per process:
//   1. every `.d.ts` is parsed into a schema (dts-schema-parser.ts),
//   2. each property typed `number` is probed through the package's own validator with 0.5:
//      a `type: integer` error (plus its `format` error, int32/int64) means an integer field,
//   3. references are resolved to Kubernetes-style definition names (io.k8s.api.apps.v1.Deployment).
// Nothing is written by hand: a package upgrade brings the new fields.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JsonSchema } from './json-schema.js'
import { DeclarationParseError, parseDeclaration, resolveRefs, type ParsedDeclaration } from './dts-schema-parser.js'
import { cachePath, readCatalog, writeCatalog } from './schema-cache.js'

export interface GroupVersionKind {
  group: string
  version: string
  kind: string
}

/** The definitions of one API surface, keyed by definition name, plus the kinds they serve. */
export interface SchemaCatalog {
  definitions: Map<string, JsonSchema>
  /** gvkKey(apiVersion, kind) -> definition name of that kind's object schema. */
  kinds: Map<string, string>
}

/** "apps/v1" + "Deployment" -> "apps/v1/Deployment"; core "v1" + "Pod" -> "v1/Pod". */
export function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/')
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

interface Source {
  root: string
  /** Definition name for a `.d.ts` path relative to root, without extension. */
  name: (segments: string[]) => string
}

function kubernetesName(segments: string[]): string {
  const [name, version, group] = [...segments].reverse() as [string, string, string | undefined]
  if (group === undefined) return `io.k8s.api.core.${version}.${name}`
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${name}`
  if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${name}`
  return `io.k8s.api.${group.split('.')[0] ?? group}.${version}.${name}`
}

function packageRoot(specifier: string): string {
  return dirname(fileURLToPath(import.meta.resolve(specifier)))
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry)
    if (entry === '_schemas' || entry === 'node_modules') return []
    if (statSync(p).isDirectory()) return declarationFiles(p)
    return entry.endsWith('.d.ts') && entry !== 'index.d.ts' ? [p] : []
  })
}

interface Loaded extends ParsedDeclaration {
  name: string
  root: string
}

function parseSource(source: Source): Loaded[] {
  const out: Loaded[] = []
  for (const file of declarationFiles(source.root)) {
    const parsed = parseDeclaration(readFileSync(file, 'utf8'), file)
    if (parsed === undefined) continue
    const segments = relative(source.root, file).replace(/\.d\.ts$/, '').split(sep)
    out.push({ ...parsed, name: source.name(segments), root: source.root })
  }
  return out
}

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown> }> | null }

async function probe(decl: Loaded): Promise<void> {
  if (decl.empty) {
    const { type: _type, properties: _properties, ...rest } = decl.schema
    decl.schema = { ...rest, 'x-kubernetes-preserve-unknown-fields': true }
    return
  }
  if (decl.numberPaths.length === 0) return
  const mod = (await import(join(decl.root, '_schemas', `${decl.id}.js`))) as { validate: Validate }
  const sample: Record<string, unknown> = {}
  for (const p of decl.numberPaths) {
    const t = (decl.schema.properties?.[p] as JsonSchema | undefined)?.type
    sample[p] = t === 'array' ? [0.5] : t === 'object' ? { k: 0.5 } : 0.5
  }
  mod.validate(sample)
  for (const err of mod.validate.errors ?? []) {
    const prop = err.instancePath.split('/')[1] ?? ''
    const target = innerNumber(decl.schema.properties?.[prop])
    if (target === undefined) continue
    if (err.keyword === 'type' && err.params.type === 'integer') target.type = 'integer'
    if (err.keyword === 'format' && typeof err.params.format === 'string') target.format = err.params.format
  }
}

function innerNumber(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema === undefined) return undefined
  if (schema.type === 'number') return schema
  if (schema.items !== undefined) return innerNumber(schema.items)
  if (typeof schema.additionalProperties === 'object') return innerNumber(schema.additionalProperties)
  return undefined
}

function addGvk(schema: JsonSchema, apiVersion: string, kind: string): void {
  const { group, version } = splitApiVersion(apiVersion)
  schema['x-kubernetes-group-version-kind'] = [{ group, version, kind }]
}

// The one load of this process; set on first call and never cleared (the package cannot change under us).
let cached: Promise<SchemaCatalog> | undefined

/**
 * Loads (once per process) the built-in Kubernetes definitions, from the on-disk cache when
 * it matches the installed packages. `useCache: false` always extracts (tests of the extractor).
 */
export function loadKubernetesSchemas(opts: { useCache?: boolean } = {}): Promise<SchemaCatalog> {
  if (opts.useCache === false) return build(false)
  cached ??= build(true)
  return cached
}

async function build(useCache: boolean): Promise<SchemaCatalog> {
  const sources: Source[] = [
    { root: packageRoot('kubernetes-models'), name: kubernetesName },
    { root: packageRoot('@kubernetes-models/apimachinery'), name: (s) => `io.k8s.apimachinery.pkg.${s.join('.')}` },
  ]
  const here = dirname(fileURLToPath(import.meta.url))
  const extractor = ['kubernetes-schemas', 'dts-schema-parser', 'schema-cache'].map((f) => join(here, `${f}${extname(fileURLToPath(import.meta.url))}`))
  const cacheFile = cachePath(join(sources[0]?.root ?? '.', '..', '.cache', 'etchlog'), sources.map((s) => s.root), extractor)
  const hit = useCache ? readCatalog(cacheFile) : undefined
  if (hit !== undefined) return hit
  const catalog = await extract(sources)
  if (useCache) writeCatalog(cacheFile, catalog)
  return catalog
}

async function extract(sources: Source[]): Promise<SchemaCatalog> {
  const loaded = sources.flatMap(parseSource)
  await Promise.all(loaded.map(probe))
  const names = new Map<string, string>()
  for (const d of loaded) names.set(d.id, d.name)
  const definitions = new Map<string, JsonSchema>()
  const kinds = new Map<string, string>()
  for (const d of loaded) {
    resolveRefs(d.schema, names)
    if (definitions.has(d.name)) throw new DeclarationParseError(d.id, `two definitions named ${d.name}`)
    definitions.set(d.name, d.schema)
    if (d.gvk !== undefined) {
      addGvk(d.schema, d.gvk.apiVersion, d.gvk.kind)
      kinds.set(gvkKey(d.gvk.apiVersion, d.gvk.kind), d.name)
    }
  }
  return { definitions, kinds }
}
