// An on-disk cache of the extracted catalog, so only the first start after an install pays
// for parsing ~950 declaration files and importing their validators (seconds under tsx).
// The file lives in node_modules/.cache/etchlog/ and its name is a hash of the package
// versions and of the extractor's own source, so an upgrade or a parser change misses.
// Writes go to a temporary file renamed into place: concurrent starts never see half a file.

import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { JsonSchema } from './json-schema.js'

export interface CatalogData {
  definitions: Map<string, JsonSchema>
  kinds: Map<string, string>
}

interface Stored {
  definitions: Array<[string, JsonSchema]>
  kinds: Array<[string, string]>
}

/** Cache file path for these package roots and extractor sources. */
export function cachePath(cacheDir: string, packageRoots: string[], extractorFiles: string[]): string {
  const h = createHash('sha256')
  for (const root of packageRoots) h.update(readFileSync(join(root, 'package.json')))
  for (const file of extractorFiles) h.update(readFileSync(file))
  return join(cacheDir, `kubernetes-schemas-${h.digest('hex').slice(0, 16)}.json`)
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT'
}

/** The cached catalog, or undefined when there is none yet. */
export function readCatalog(path: string): CatalogData | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
  const stored = JSON.parse(text) as Stored
  return { definitions: new Map(stored.definitions), kinds: new Map(stored.kinds) }
}

/** Stores the catalog; a read-only or missing node_modules only costs the next start its time. */
export function writeCatalog(path: string, data: CatalogData): boolean {
  const stored: Stored = { definitions: [...data.definitions], kinds: [...data.kinds] }
  const tmp = `${path}.${process.pid}.tmp`
  try {
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(tmp, JSON.stringify(stored))
    renameSync(tmp, path)
    return true
  } catch (err) {
    // Caching is an optimisation: a file system that refuses the write (read-only install,
    // permissions) leaves us correct, only slower on the next start. Anything else is a bug.
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOSPC') return false
    throw err
  }
}
