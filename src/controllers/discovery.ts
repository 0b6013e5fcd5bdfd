// Reads the served resources from discovery (/api/v1, /apis and each group's preferred version).
import type { ApiClient } from './api-client.js'
import type { ResourceRef } from './resource-ref.js'

export interface DiscoveredResource extends ResourceRef {
  kind: string
  verbs: string[]
}

interface ResourceList {
  resources?: { name: string; namespaced: boolean; kind: string; verbs?: string[] }[]
}

interface GroupList {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[]
}

/** Every top-level resource (no subresources) of /api/v1 and each group's preferred version. */
export async function discoverResources(client: ApiClient): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = []
  const add = (group: string, version: string, list: ResourceList): void => {
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue
      out.push({ group, version, resource: r.name, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? [] })
    }
  }
  add('', 'v1', await client.raw<ResourceList>('GET', '/api/v1'))
  const groups = await client.raw<GroupList>('GET', '/apis')
  await Promise.all(
    (groups.groups ?? []).map(async (g) => {
      const version = g.preferredVersion?.version ?? g.versions?.[0]?.version
      if (version === undefined) return
      add(g.name, version, await client.raw<ResourceList>('GET', `/apis/${g.name}/${version}`))
    }),
  )
  return out
}
