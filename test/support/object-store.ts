// An ObjectStore over a fresh temp store with the default codec registry and a FakeClock; the store
// is checked and closed when the test ends.
import type { TestContext } from 'node:test'
import { ObjectCodec, defaultRegistry, type KubeObject } from '../../src/codec/index.js'
import { ObjectStore, type ObjectKv } from '../../src/objects/index.js'
import { FakeClock } from '../../src/util/index.js'
import { openTestStore } from './temp-store.js'
import type { OpenStoreOptions } from '../../src/index.js'

const registry = defaultRegistry()

export async function openObjectStore(t: TestContext, options: OpenStoreOptions = {}) {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock, ...options })
  let uids = 0
  const objects = new ObjectStore({ kv: ts.store, codec: new ObjectCodec(registry), clock, uid: () => `uid-${++uids}` })
  return { objects, ts, clock, get store() { return ts.store } }
}

/** A small Pod as a client would send it: no uid, resourceVersion, timestamp or generation. */
export function pod(name: string, options: { namespace?: string; labels?: Record<string, string>; image?: string } = {}): KubeObject {
  const metadata: Record<string, unknown> = { name }
  if (options.namespace !== undefined) metadata['namespace'] = options.namespace
  if (options.labels !== undefined) metadata['labels'] = options.labels
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [{ name: 'c', image: options.image ?? 'nginx:1' }] },
  } as unknown as KubeObject
}

/** A ConfigMap whose data holds a counter (used by the concurrent-update tests). */
export function counter(name: string, n = 0): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: String(n) } } as unknown as KubeObject
}

export function counterValue(o: KubeObject): number {
  const data = o['data'] as Record<string, string> | undefined
  return Number(data?.['n'] ?? NaN)
}

/** A second ObjectStore over any ObjectKv (a wrapper that counts or alters calls). */
export function objectStoreOver(kv: ObjectKv): ObjectStore {
  return new ObjectStore({ kv, codec: new ObjectCodec(registry), clock: new FakeClock() })
}

/** An ObjectKv that forwards to `store`, with some methods replaced. */
export function kvOver(store: ObjectKv, overrides: Partial<Pick<ObjectKv, 'get' | 'range' | 'txn' | 'leaseGrant'>>): ObjectKv {
  return {
    get revision() {
      return store.revision
    },
    get compactRevision() {
      return store.compactRevision
    },
    get: overrides.get ?? ((k, o) => store.get(k, o)),
    range: overrides.range ?? ((r) => store.range(r)),
    txn: overrides.txn ?? ((r) => store.txn(r)),
    leaseGrant: overrides.leaseGrant ?? ((ttl) => store.leaseGrant(ttl)),
  }
}
