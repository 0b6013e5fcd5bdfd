// Runs every test/**/*.test.ts on node:test (Node 20 has no glob support in --test).
// KV_VERIFY=1 turns on the costly invariant checks (util/assert.ts verify()).
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function find(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : []
    })
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : find('test')
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, KV_VERIFY: '1' } },
)
process.exit(result.status ?? 1)
