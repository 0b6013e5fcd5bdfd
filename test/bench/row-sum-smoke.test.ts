// Runs bench/log/row-sum.bench.ts once at tiny size (--smoke) so it does not rot: it must finish
// and print its paired table (figures are not checked).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'

const root = join(import.meta.dirname, '..', '..')

test('row-sum bench --smoke runs and prints its paired rows', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'log', 'row-sum.bench.ts'), '--smoke'], { cwd: root, encoding: 'utf8', timeout: 55_000 })
  assert.equal(r.status, 0, r.stderr)
  for (const row of ['range/keys=200/format1', 'range/keys=200/format2', 'keysOnly/keys=200/format2', 'put/store (relaxed)', 'range: format 2 / format 1']) {
    assert.ok(r.stdout.includes(row), `missing "${row}" in:\n${r.stdout}`)
  }
})
