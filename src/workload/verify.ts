// What the run promises, checked at its end against the store itself:
// - no CAS update was lost: each Node's heartbeat counter grew by exactly the updates its kubelet
//   saw succeed, and each Deployment's generation by exactly the deployers' successful bumps;
// - every watch delivered every event: each informer's cache equals a range of its prefix at the
//   revision the informer has reached (same keys; each cached resourceVersion is the key's
//   modRevision). The range goes to the KV store directly, not through the object layer under test.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { Baseline } from './bootstrap.js'
import type { Informer } from './informer.js'
import type { Kubelet } from './kubelet.js'
import { keyOf, ObjectClient } from './object-client.js'
import { heartbeatAnnotation, prefixes } from './objects.js'
import { sleep } from './scheduler.js'

export interface Verification {
  ok: boolean
  problems: string[]
  nodesChecked: number
  deploymentsChecked: number
  informersChecked: number
  /** Event leases granted by this run that have expired (their events deleted with them). */
  leasesExpired: number
}

export interface VerifyInput {
  baseline: Baseline
  kubelets: readonly Kubelet[]
  deployWrites: ReadonlyMap<string, number>
  deploymentKeys: readonly string[]
  informers: ReadonlyArray<{ name: string; informer: Informer }>
  leasesGranted: ReadonlySet<number>
}

const syncTimeoutMs = 15_000
// A bookmark request reaches only watchers whose KV watch is open: ask again until all are in sync.
const bookmarkEveryMs = 100

export async function verifyRun(ctx: ActorContext, input: VerifyInput): Promise<Verification> {
  const problems: string[] = []
  const nodes = await counters(ctx, prefixes.nodes, (o) => Number(o.metadata.annotations?.[heartbeatAnnotation] ?? '0'))
  for (const k of input.kubelets) {
    const expected = (input.baseline.heartbeats.get(k.key) ?? 0) + k.written
    const actual = nodes.get(k.key)
    if (actual !== expected) problems.push(`lost update: ${k.key} has heartbeat counter ${actual}, expected ${expected}`)
  }
  const generations = await counters(ctx, prefixes.deployments, (o) => o.metadata.generation)
  for (const key of input.deploymentKeys) {
    const expected = (input.baseline.generations.get(key) ?? 0) + (input.deployWrites.get(key) ?? 0)
    const actual = generations.get(key)
    if (actual !== expected) problems.push(`lost update: ${key} has generation ${actual}, expected ${expected}`)
  }
  problems.push(...(await verifyInformers(ctx, input.informers)))
  const live = new Set((await ctx.kv.leases()).map((l) => l.id))
  const leasesExpired = [...input.leasesGranted].filter((id) => !live.has(id)).length
  return {
    ok: problems.length === 0,
    problems,
    nodesChecked: input.kubelets.length,
    deploymentsChecked: input.deploymentKeys.length,
    informersChecked: input.informers.length,
    leasesExpired,
  }
}

async function counters(ctx: ActorContext, prefix: string, read: (o: KubeObject) => number): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const o of (await ctx.client.list(prefix)).items) out.set(keyOf(prefix, o), read(o))
  return out
}

/**
 * Key -> modRevision under `prefix` at `revision`. Embedded: a range of the KV store directly, not
 * through the object layer under test. Over HTTP: a list from the server (its keys may sit under
 * other prefixes than the workload's, e.g. /registry/nodes/), which reads the latest state: the
 * traffic has stopped and the store is flushed, so that is the state at the informer's revision,
 * provided the list's own revision is not past it.
 */
async function stateOf(ctx: ActorContext, prefix: string, revision: number): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (ctx.client instanceof ObjectClient) {
    const truth = await ctx.kv.range({ key: prefix, prefix: true, revision, keysOnly: true })
    for (const kv of truth.kvs) out.set(Buffer.from(kv.key).toString('utf8'), kv.modRevision)
    return out
  }
  const list = await ctx.client.list(prefix)
  if (list.revision > revision) out.set(`(list at revision ${list.revision}, past the informer's ${revision})`, -1)
  for (const o of list.items) out.set(keyOf(prefix, o), Number(o.metadata.resourceVersion))
  return out
}

async function verifyInformers(ctx: ActorContext, informers: VerifyInput['informers']): Promise<string[]> {
  const problems: string[] = []
  const target = ctx.kv.revision
  // Watchers that got no event near the end learn they are in sync from a bookmark.
  const timeout = new AbortController()
  let synced = false
  const all = Promise.all(informers.map((i) => i.informer.syncedTo(target))).then(() => {
    synced = true
    timeout.abort()
  })
  const deadline = ctx.scheduler.monotonicMs() + syncTimeoutMs
  while (!synced && ctx.scheduler.monotonicMs() < deadline) {
    ctx.client.requestBookmarks()
    await sleep(ctx.scheduler, bookmarkEveryMs, timeout.signal)
  }
  timeout.abort()
  if (synced) await all
  for (const { name, informer } of informers) {
    if (informer.revision < target) {
      problems.push(`${name}: watch stuck at revision ${informer.revision} < ${target} after ${syncTimeoutMs / 1000} s`)
      continue
    }
    const truth = await stateOf(ctx, informer.prefix, informer.revision)
    const missing: string[] = []
    for (const [key, modRevision] of truth) {
      const seen = informer.cache.get(key)
      if (seen === undefined || seen.metadata.resourceVersion !== String(modRevision)) missing.push(`${key}@${modRevision} (cache: ${seen?.metadata.resourceVersion ?? 'none'})`)
    }
    if (informer.cache.size !== truth.size) missing.push(`${informer.cache.size} keys cached, ${truth.size} stored`)
    if (missing.length > 0) problems.push(`${name}: cache differs from the store at revision ${informer.revision}: ${missing.slice(0, 3).join('; ')}`)
  }
  return problems
}
