// Discovery: legacy (/api, /apis, /api/v1, /apis/G/V) and aggregated (apidiscovery.k8s.io/v2,
// chosen by the Accept header and announced by the response Content-Type, which client-go reads),
// plus /version. Documents are rebuilt only when the catalog changes.
import { createHash } from 'node:crypto'
import type { Catalog } from './resources/catalog.js'
import { groupVersion, type ResourceType } from './resources/types.js'

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-etchlog',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-12-08T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
}

export const aggregatedMediaType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'
const aggregatedBetaMediaType = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'

/** Which aggregated version the client asked for first, if any. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList')) continue
    return part.includes('v=v2beta1') ? 'v2beta1' : 'v2'
  }
  return undefined
}

export function aggregatedContentType(v: 'v2' | 'v2beta1'): string {
  return v === 'v2' ? aggregatedMediaType : aggregatedBetaMediaType
}

function hashOf(r: ResourceType): string {
  return createHash('sha256').update(`${groupVersion(r)}/${r.kind}`).digest('base64').slice(0, 11)
}

export class Discovery {
  private cache = new Map<string, unknown>()
  private generation = -1

  constructor(private readonly catalog: Catalog) {}

  private cached<T>(key: string, build: () => T): T {
    if (this.generation !== this.catalog.generation) {
      this.cache = new Map()
      this.generation = this.catalog.generation
    }
    if (!this.cache.has(key)) this.cache.set(key, build())
    return this.cache.get(key) as T
  }

  apiVersions(address: string): unknown {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] }
  }

  /** Groups other than core, each with its versions in preference order. */
  private groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>()
    for (const gv of this.catalog.groupVersions()) {
      if (!gv.includes('/')) continue
      const [group = '', version = ''] = gv.split('/')
      const versions = groups.get(group) ?? []
      versions.push(version)
      groups.set(group, versions)
    }
    for (const versions of groups.values()) versions.sort(compareVersions)
    return groups
  }

  apiGroupList(): unknown {
    return this.cached('groups', () => ({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...this.groups()].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0] ?? ''}`, version: versions[0] ?? '' },
      })),
    }))
  }

  /** /api/v1 or /apis/G/V; undefined when the group-version is not served. */
  resourceList(gv: string): unknown {
    const resources = this.catalog.resources(gv)
    if (resources.length === 0) return undefined
    return this.cached(`list:${gv}`, () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: [...resources].sort((a, b) => a.resource.localeCompare(b.resource)).flatMap((r) => [
        {
          name: r.resource,
          singularName: r.singular,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: r.verbs,
          ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length > 0 ? { categories: r.categories } : {}),
          storageVersionHash: hashOf(r),
        },
        ...r.subresources.map((s) => ({ name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, ...subresourceKind(r, s), verbs: subresourceVerbs(s) })),
      ]),
    }))
  }

  /** Aggregated discovery for /api (core) or /apis (every group). */
  aggregated(core: boolean, v: 'v2' | 'v2beta1'): unknown {
    return this.cached(`agg:${String(core)}:${v}`, () => {
      const items = core
        ? [{ metadata: { name: '' }, versions: [this.aggregatedVersion('', 'v1')] }]
        : [...this.groups()].map(([group, versions]) => ({ metadata: { name: group }, versions: versions.map((ver) => this.aggregatedVersion(group, ver)) }))
      return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items }
    })
  }

  private aggregatedVersion(group: string, version: string): unknown {
    const resources = this.catalog.resources(group === '' ? version : `${group}/${version}`)
    return {
      version,
      freshness: 'Current',
      resources: [...resources].sort((a, b) => a.resource.localeCompare(b.resource)).map((r) => ({
        resource: r.resource,
        singularResource: r.singular,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        verbs: r.verbs,
        ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length > 0 ? { categories: r.categories } : {}),
        ...(r.subresources.length > 0
          ? { subresources: r.subresources.map((s) => ({ subresource: s, responseKind: subresourceKind(r, s), verbs: subresourceVerbs(s) })) }
          : {}),
      })),
    }
  }
}

function subresourceKind(r: ResourceType, s: string): { group: string; version: string; kind: string } {
  if (s === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' }
  if (s === 'token') return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }
  if (s === 'eviction') return { group: 'policy', version: 'v1', kind: 'Eviction' }
  if (s === 'binding') return { group: '', version: 'v1', kind: 'Binding' }
  if (s === 'log' || s === 'exec' || s === 'attach' || s === 'portforward' || s === 'proxy') return { group: '', version: 'v1', kind: s === 'log' ? 'Pod' : `${r.kind}${s[0]?.toUpperCase() ?? ''}${s.slice(1)}Options` }
  return { group: r.group, version: r.version, kind: r.kind }
}

function subresourceVerbs(s: string): string[] {
  if (s === 'status' || s === 'scale') return ['get', 'patch', 'update']
  if (s === 'log') return ['get']
  if (s === 'exec' || s === 'attach' || s === 'portforward' || s === 'proxy') return ['create', 'get']
  if (s === 'finalize') return ['update']
  return ['create']
}

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v)
    if (m === null) return [3, 0, 0]
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2
    return [level, -Number(m[1]), -Number(m[3] ?? 0)]
  }
  const [x, y] = [rank(a), rank(b)]
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.localeCompare(b)
}
