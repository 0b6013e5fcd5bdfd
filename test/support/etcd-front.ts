// Starts the etcd front over a fresh temp store on 127.0.0.1:0 for a test; closed (front, then
// store.check() and close) when the test ends.
import type { TestContext } from 'node:test'
import type { OpenStoreOptions, Store } from '../../src/index.js'
import { startEtcdFront, type EtcdFrontOptions } from '../../src/etcdserver/index.js'
import { openTestStore } from './temp-store.js'

export interface TestFront {
  store: Store
  /** host:port, for a gRPC channel. */
  endpoint: string
  url: string
  close(): Promise<void>
}

export async function startTestFront(
  t: TestContext,
  options: Omit<Partial<EtcdFrontOptions>, 'store'> = {},
  storeOptions: OpenStoreOptions = {},
): Promise<TestFront> {
  const ts = await openTestStore(t, storeOptions)
  const front = await startEtcdFront({ store: ts.store, listenClientUrls: ['http://127.0.0.1:0'], ...options })
  // Registered after openTestStore's hook: node:test runs after-hooks in reverse order, so the
  // front closes before the store is checked.
  t.after(() => front.close())
  const url = front.urls[0] as string
  return { store: ts.store, endpoint: url.replace(/^https?:\/\//, ''), url, close: () => front.close() }
}
