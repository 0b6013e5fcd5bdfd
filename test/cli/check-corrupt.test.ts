// etchctl check prints its report (FAILED, exit 1) for SQLite-level damage too, and a get on a
// damaged file fails instead of answering (issue 16).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from './harness.js'
import { tempDir } from '../support/temp-store.js'

async function damagedFile(t: TestContext, damage: (bytes: Buffer) => void): Promise<string> {
  const dir = tempDir('etchctl-corrupt-')
  t.after(() => dir.remove())
  const path = join(dir.path, 'etchlog.db')
  for (let i = 0; i < 40; i++) {
    const r = await runCli(['--db', path, 'put', `key-${i}`, `value-${i}-`.repeat(50)])
    assert.equal(r.code, 0, r.stderr)
  }
  const bytes = readFileSync(path)
  damage(bytes)
  writeFileSync(path, bytes)
  return path
}

test('check: a damaged header gets the FAILED report and exit 1, not a bare error', async (t) => {
  const path = await damagedFile(t, (b) => b.fill(0, 0, 100))
  const r = await runCli(['--db', path, 'check'])
  assert.equal(r.code, 1)
  assert.match(r.stdout, /corrupt|not a database/i)
  assert.match(r.stdout, /FAILED: 1 problem\(s\) in 0 rows, 0 keys\n$/)
})

test('get: a damaged page fails with an error instead of answering', async (t) => {
  // Zero 3,000 bytes of a page that holds rows, as in issue 16.
  const path = await damagedFile(t, (b) => {
    const at = b.indexOf('value-20-')
    assert.ok(at > 0)
    b.fill(0, at - 1500, at + 1500)
  })
  const count = await runCli(['--db', path, 'get', '', '--prefix', '--count-only'])
  assert.ok(count.code !== 0 || count.stdout.trim() === '40', `a count is right or fails: ${count.stdout}`)
  const all = await runCli(['--db', path, 'get', '', '--prefix'])
  assert.notEqual(all.code, 0, `reading the damaged rows fails: ${all.stdout.slice(0, 80)}`)
  assert.match(all.stderr, /corrupt/i)
  const check = await runCli(['--db', path, 'check'])
  assert.equal(check.code, 1)
  assert.match(check.stdout, /FAILED/)
})
