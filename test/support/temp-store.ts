// Opens stores on fresh files in a temp folder, and after each test checks and closes them.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type OpenStoreOptions, type Store } from '../../src/index.js'

export function tempDir(prefix = 'etchlog-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * A store on a new file. `done()` runs store.check() (every invariant must hold), closes the
 * store and removes the folder; call it at the end of each test (t.after(done) works).
 */
export async function tempStore(options: OpenStoreOptions = {}): Promise<{
  store: Store
  path: string
  reopen(more?: OpenStoreOptions): Promise<Store>
  done(): Promise<void>
}> {
  const dir = tempDir()
  const path = join(dir.path, 'etchlog.db')
  let store = await openStore({ ...options, path })
  return {
    get store() {
      return store
    },
    path,
    async reopen(more: OpenStoreOptions = {}) {
      await store.close()
      store = await openStore({ ...options, ...more, path })
      return store
    },
    async done() {
      try {
        const report = await store.check()
        assert.deepEqual(report.problems, [], 'store.check() found problems')
        await store.close()
      } finally {
        dir.remove()
      }
    },
  }
}

export const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : Buffer.from(b).toString('utf8')

/** A tempStore (relaxed durability unless given) that is checked and closed when the test ends. */
export async function openTestStore(t: TestContext, options: OpenStoreOptions = {}): ReturnType<typeof tempStore> {
  const ts = await tempStore({ durability: 'relaxed', ...options })
  t.after(() => ts.done())
  return ts
}
