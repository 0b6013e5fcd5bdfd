// Database files for benchmarks live in a fresh folder under os.tmpdir(), removed afterwards.
// Folders not yet removed are tracked, so that a run stopped by a signal can remove them too.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempDir {
  path: string
  file(name: string): string
  remove(): void
}

// Every folder tempDir() made whose remove() has not run yet.
const live = new Set<string>()

export function tempDir(prefix = 'etchlog-bench-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix))
  live.add(path)
  return {
    path,
    file: (name) => join(path, name),
    remove: () => {
      rmSync(path, { recursive: true, force: true })
      live.delete(path)
    },
  }
}

/** Removes every folder still there: for a run that ends on a signal or a crash. */
export function removeTempDirs(): void {
  for (const path of live) rmSync(path, { recursive: true, force: true })
  live.clear()
}
