// Runs every benchmark once at tiny size (`bench/run.ts --quick`) so none of them rots: a bench
// that throws, loses a task or stops printing its table fails here. Figures are not checked.
// Where etcd is installed (CI: .ci/run unpacks it) the etcd side runs too and must show up; where
// it is not, the run must say so. The charts go to a temp folder and must all be there.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { findEtcd } from '../support/etcd-server.js'

function runBench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env }
  delete env['KV_VERIFY'] // verify() checks are for correctness tests; they would only slow this down
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 85_000 })
}

const root = join(import.meta.dirname, '..', '..')

const etcdTasks = [
  'put/strict/writers=1/etcd',
  'put/strict/writers=256/etcd',
  'txn/cas-increment/strict/clients=64/hot-keys=16/etcd',
  'watch/fanout/watchers=100/etcd',
]

test('bench --quick runs every benchmark', { timeout: 90_000 }, (t) => {
  const charts = mkdtempSync(join(tmpdir(), 'etchlog-bench-charts-'))
  t.after(() => rmSync(charts, { recursive: true, force: true }))
  const md = join(charts, 'report.md')
  const run = runBench(['--quick', `--charts-dir=${charts}`, `--md-out=${md}`])
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
    'reencrypt/store/main-thread/values=2000',
    'reencrypt/store/pool-2-threads/values=2000',
    'reseal/piscina-2-threads/values=2000/batch=512',
    'create, 64 writers (strict)',
    'get, 1 reader',
    'codec encode',
    'aes-gcm open (transformer)',
    'aes-gcm open (bare node:crypto)',
    'AES-GCM alone (KV = 1x)',
    'objects/list/pods=300/store (rv "")',
    'objects/list/pods=300/cache/limit=500 (NotOlderThan, first page)',
    'read-path/get/consistent (cache, encrypted pod)',
    'read-path/list/pods=300/limit=500/consistent (cache, first page)',
    'stall: consistent lists from the cache',
    'HTTP, no admission/validation/RBAC',
    'bare node http2',
    'watch fan-out: 50 HTTP/2 streams',
  ]) {
    assert.ok(run.stdout.includes(task), `bench --quick output lacks ${task}:\n${run.stdout}`)
  }
  if (findEtcd() === undefined) {
    assert.match(run.stdout, /etcd not found \(set ETCHLOG_ETCD_BIN or run \.ci\/run\): etcd columns skipped/)
  } else {
    for (const task of etcdTasks) assert.ok(run.stdout.includes(task), `bench --quick output lacks ${task}:\n${run.stdout}`)
    // The point-get table's row for 1,000 keys ends with etcd's p50, p99 and the store / etcd ratio.
    assert.match(run.stdout, /^1000\s.*\S\s+[\d.]+\s+[\d.]+\s+[\d.]+x\s*$/m, 'no etcd figures in the point-get table')
    // Likewise each range row (the store / etcd ratio last).
    assert.match(run.stdout, /range\/keys=1000\/paginated\/limit=500\/raw\s.*\S\s+[\d.]+\s+[\d.]+\s+[\d.]+x\s*$/m, 'no etcd figures in the range table')
  }
  // The BENCHMARKS.md text renders every section and links every chart.
  const report = readFileSync(md, 'utf8')
  for (const heading of ['## etcd side by side', '## Charts', '## 1. Durable puts', '## 4. CAS txns', '## 7. Watch fan-out', '## 8. Reencrypt: main thread vs a reseal pool', '## 9. Object path vs KV path']) {
    assert.ok(report.includes(heading), `the report lacks ${heading}`)
  }
  assert.ok(report.includes('`reencrypt/store/pool-2-threads/values=2000`'), 'the reencrypt table is missing')
  const files = readdirSync(charts).filter((f) => f.endsWith('.svg')).sort()
  for (const file of files) assert.ok(report.includes(`${file})`), `the report does not link ${file}`)
  assert.deepEqual(files, ['cas-throughput.svg', 'fanout-deliveries.svg', 'fanout-latency.svg', 'get-latency.svg', 'put-latency.svg', 'put-throughput.svg'])
  for (const file of files) {
    const svg = readFileSync(join(charts, file), 'utf8')
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/, `${file} is not an SVG document`)
    assert.ok(svg.includes('etchlog'), `${file} has no etchlog series`)
    if (findEtcd() !== undefined) assert.ok(svg.includes('etcd'), `${file} has no etcd series`)
  }
  assert.doesNotMatch(run.stdout, /\bNaN\b/, 'a benchmark produced NaN')
  assert.doesNotMatch(run.stdout, /wrote .*BENCHMARKS\.md/, '--quick must not rewrite BENCHMARKS.md')
})

test('bench --only runs the sections named and nothing else, and writes no file', { timeout: 90_000 }, () => {
  const run = runBench(['--quick', '--only=objects,reencrypt'])
  assert.equal(run.status, 0, `bench --only failed:\n${run.stdout}\n${run.stderr}`)
  for (const task of ['create, 64 writers (strict)', 'objects/list/pods=300/store (rv "")', 'reencrypt/store/main-thread/values=2000']) {
    assert.ok(run.stdout.includes(task), `bench --only output lacks ${task}:\n${run.stdout}`)
  }
  for (const task of ['put/strict/writers=1/store', 'txn/cas-increment', 'watch/fanout', 'get/keys=', 'compaction/history']) {
    assert.ok(!run.stdout.includes(task), `bench --only=objects,reencrypt ran ${task}:\n${run.stdout}`)
  }
  // No section of this run drives etcd, so etcd is not started even where it is installed.
  assert.match(run.stdout, /etcd left out \(no section of --only runs it\): etcd columns skipped/)
  assert.match(run.stdout, /--only objects,reencrypt: BENCHMARKS\.md and charts not written/)
  assert.doesNotMatch(run.stdout, /^wrote /m)
})

test('bench --only refuses an unknown section, and a file it cannot write', { timeout: 60_000 }, () => {
  const unknown = runBench(['--quick', '--only=objects,bogus'])
  assert.notEqual(unknown.status, 0)
  assert.match(unknown.stderr, /--only takes section names from puts, gets, cas, range, compaction, fanout, objects, read-path, server, reencrypt; got "objects,bogus"/)
  const md = runBench(['--quick', '--only=objects', '--md-out=/tmp/never-written.md'])
  assert.notEqual(md.status, 0)
  assert.match(md.stderr, /--only writes no BENCHMARKS\.md and no charts/)
})
