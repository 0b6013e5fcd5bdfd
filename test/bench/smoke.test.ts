// Runs every benchmark once at tiny size (`bench/run.ts --quick`) so none of them rots: a bench
// that throws, loses a task or stops printing its table fails here. Figures are not checked.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'

const root = join(import.meta.dirname, '..', '..')

test('bench --quick runs every benchmark', { timeout: 60_000 }, () => {
  const env = { ...process.env }
  delete env['KV_VERIFY'] // verify() checks are for correctness tests; they would only slow this down
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), '--quick'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 55_000,
  })
  assert.equal(run.status, 0, `bench --quick failed:\n${run.stdout}\n${run.stderr}`)
  for (const task of [
    'put/strict/writers=1/store',
    'put/strict/writers=1/raw-log-only/batch=1',
    'put/strict/writers=1/raw-same-rows/batch=1',
    'put/strict/writers=64/store',
    'put/strict/writers=64/raw-same-rows/batch=',
    'get/keys=1000/store',
    'put/strict/writers=1/keys=2000',
    'log/point-sql/keys=1000/store-limit-literal',
    'compaction/history=500x4/writers=1/baseline',
    'compaction/history=500x4/writers=8/during-physical-compact',
    'put/strict/writers=256/store',
    'txn/cas-increment/strict/clients=64/hot-keys=16',
    'range/keys=1000/paginated/limit=500/raw',
    'watch/fanout/watchers=100',
  ]) {
    assert.ok(run.stdout.includes(task), `bench --quick output lacks ${task}:\n${run.stdout}`)
  }
  assert.doesNotMatch(run.stdout, /\bNaN\b/, 'a benchmark produced NaN')
  assert.doesNotMatch(run.stdout, /wrote .*BENCHMARKS\.md/, '--quick must not rewrite BENCHMARKS.md')
})
