// A store for workload tests set up as `npm start` sets it up: a key file and an encryption
// config beside the database (prepareAtRest), the store opened with that transformer. After the
// test, what was deferred runs first (stopping informers, so a closing store does not end their
// watches under them, even when an assertion failed), then the store is checked (every invariant
// must hold), closed and its folder removed.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { openStore, type Store } from '../../src/index.js'
import { prepareAtRest, type AtRest } from '../../src/workload/index.js'
import { tempDir } from '../support/temp-store.js'

export async function openWorkloadStore(
  t: TestContext,
): Promise<{ store: Store; path: string; dir: string; atRest: AtRest; defer(cleanup: () => Promise<void>): void }> {
  const dir = tempDir('etchlog-workload-')
  const path = join(dir.path, 'etchlog.db')
  const atRest = prepareAtRest(path)
  const store = await openStore({ path, durability: 'relaxed', transformer: atRest.transformer, watchProgressNotifyIntervalMs: 5000 })
  const deferred: Array<() => Promise<void>> = []
  t.after(async () => {
    try {
      for (const cleanup of deferred.reverse()) await cleanup()
      const report = await store.check()
      assert.deepEqual(report.problems, [], 'store.check() found problems')
      await store.close()
    } finally {
      dir.remove()
    }
  })
  return { store, path, dir: dir.path, atRest, defer: (cleanup) => deferred.push(cleanup) }
}
