import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadKubernetesSchemas } from '../../../src/apiserver/openapi/index.js'
import { cachePath, readCatalog, writeCatalog } from '../../../src/apiserver/openapi/schema-cache.js'

test('the cached catalog equals a fresh extraction', async () => {
  const cached = await loadKubernetesSchemas()
  const fresh = await loadKubernetesSchemas({ useCache: false })
  assert.equal(fresh.definitions.size, cached.definitions.size)
  assert.deepEqual([...fresh.kinds].sort(), [...cached.kinds].sort())
  for (const [name, schema] of fresh.definitions) assert.deepEqual(cached.definitions.get(name), schema, name)
})

test('cache files: keyed by package and extractor content, written whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-cache-'))
  try {
    const src = join(dir, 'extractor.ts')
    writeFileSync(src, 'v1')
    const pkgDir = mkdtempSync(join(dir, 'pkg-'))
    writeFileSync(join(pkgDir, 'package.json'), '{"version":"1.0.0"}')
    const a = cachePath(join(dir, 'cache'), [pkgDir], [src])
    writeFileSync(src, 'v2')
    const b = cachePath(join(dir, 'cache'), [pkgDir], [src])
    assert.notEqual(a, b, 'a changed extractor misses the cache')
    assert.equal(readCatalog(a), undefined)
    const data = { definitions: new Map([['io.x.v1.A', { type: 'object' }]]), kinds: new Map([['x/v1/A', 'io.x.v1.A']]) }
    assert.equal(writeCatalog(a, data), true)
    assert.deepEqual(readCatalog(a), data)
    assert.deepEqual(readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.tmp')), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
