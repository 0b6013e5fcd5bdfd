// What the server knows about one resource: the declaration Kubernetes spreads over a type, its
// registry store and its strategy (apiserver pkg/registry/rest). A kind is data plus a few small
// functions; the generic handlers do the rest (STYLE: one generic store, small strategies).
import type { KubeObject } from '../../codec/index.js'

/** A column of a meta.k8s.io/v1 Table (kubectl get's default view). */
export interface Column {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format?: string
  description: string
  /** 0: always shown; 1: only with -o wide. */
  priority: 0 | 1
  cell(object: KubeObject, nowMs: number): string | number | boolean | null
}

export type Subresource = 'status' | 'scale' | 'log' | 'token' | 'binding' | 'eviction' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'finalize' | 'instantiate'

/** Where a scale subresource reads and writes its numbers. */
export interface ScalePaths {
  specReplicas: string
  statusReplicas: string
  labelSelector?: string
}

export interface ResourceType {
  group: string
  version: string
  /** Lower-case plural, as in the URL. */
  resource: string
  kind: string
  listKind: string
  singular: string
  namespaced: boolean
  shortNames: readonly string[]
  categories: readonly string[]
  verbs: readonly string[]
  subresources: readonly Subresource[]
  /** Set for resources with a scale subresource. */
  scale?: ScalePaths
  /** Field selectors this kind supports besides metadata.name and metadata.namespace. */
  fieldSelectors: readonly string[]
  /** Printed columns after NAME (and NAMESPACE); AGE is one of them where the kind has it. */
  columns: readonly Column[]
  /** Where objects live in the store: `<prefix>/<namespace>/<name>` or `<prefix>/<name>`. */
  storagePrefix: string
  /** Virtual resources (reviews, token requests) are never stored: they are computed per request. */
  virtual?: boolean
  /** Set for custom resources: the CRD's name, so deleting it can find them. */
  crd?: string
  /** Strategic merge patch is refused (415) for custom resources, as Kubernetes refuses it. */
  strategicMerge: boolean
}

/** group/version, "v1" for the core group. */
export function groupVersion(r: { group: string; version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}
