// Shared by the controller tests: a server with the simulated cluster, and waiting for conditions.
import type { TestServer } from '../support/api-server.js'

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, tick?: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`)
    tick?.()
    await new Promise<void>((resolve) => setImmediate(resolve))
    await new Promise<void>((resolve) => setTimeout(resolve, 25))
  }
}

export interface Item {
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string>; ownerReferences?: { uid: string; kind: string }[]; finalizers?: string[]; deletionTimestamp?: string; annotations?: Record<string, string> }
  spec?: { nodeName?: string; replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } }
  status?: { phase?: string; conditions?: { type: string; status: string }[]; [k: string]: unknown }
}

export async function items(s: TestServer, path: string): Promise<Item[]> {
  const r = await s.call('GET', path)
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`)
  return (r.json() as { items: Item[] }).items
}

export async function status(s: TestServer, path: string): Promise<number> {
  return (await s.call('GET', path)).status
}

export function deployment(name: string, replicas: number, image = 'nginx:1.27'): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } } },
  }
}

export async function createNamespace(s: TestServer, name: string): Promise<void> {
  const r = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } })
  if (r.status !== 201) throw new Error(`namespace ${name}: ${r.status} ${r.text}`)
}

export const running = (pods: Item[]): Item[] => pods.filter((p) => p.status?.phase === 'Running' && p.metadata.deletionTimestamp === undefined)
