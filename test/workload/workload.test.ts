// A short run of the whole workload in-process: every kind of traffic happens, no CAS update is
// lost, every controller's watch saw every event of its prefix, the report is written, and what
// reached the database file is what the object path promises: the codec's kinds, and pods,
// secrets and configmaps encrypted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { dirname } from 'node:path'
import { codec, type Store } from '../../src/index.js'
import { buildReport, categoryNames, defaultWorkloadOptions, Workload, writeReport, type WorkloadOptions, type WorkloadReport } from '../../src/workload/index.js'
import { openWorkloadStore } from './workload-store.js'
import { realScheduler } from './real-scheduler.js'

const objects = new codec.ObjectCodec(codec.defaultRegistry())

function smallRun(path: string, more: Partial<WorkloadOptions> = {}): WorkloadOptions {
  // x300: node status every 33 ms, compaction every 1 s, event leases of 2 s (the minimum).
  return { ...defaultWorkloadOptions, nodes: 8, controllers: 6, durationSeconds: 3, speedup: 300, dbPath: path, seed: 7, eventTtlSeconds: 100, durability: 'relaxed', ...more }
}

/** The kind stored under each prefix, how the codec writes it, and whether it is encrypted at rest. */
const layout: ReadonlyArray<[prefix: string, kind: string, body: 'protobuf' | 'msgpack', sealed: boolean]> = [
  ['/registry/pods/', 'Pod', 'protobuf', true],
  ['/registry/secrets/', 'Secret', 'protobuf', true],
  ['/registry/configmaps/', 'ConfigMap', 'protobuf', true],
  ['/registry/deployments/', 'Deployment', 'protobuf', false],
  ['/registry/minions/', 'Node', 'msgpack', false],
  ['/registry/namespaces/', 'Namespace', 'msgpack', false],
  ['/registry/services/endpoints/', 'Endpoints', 'msgpack', false],
  ['/registry/events/', 'Event', 'msgpack', false],
]

/** Live rows as they are in the database file, read past the store (and its decryption). */
function rawLiveRows(path: string): Array<{ key: string; value: Buffer }> {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare('SELECT log.key AS key, log.value AS value FROM live JOIN log ON log.id = live.id').all() as Array<{ key: Buffer; value: Buffer }>
    return rows.map((r) => ({ key: r.key.toString('utf8'), value: r.value }))
  } finally {
    db.close()
  }
}

async function checkAtRest(store: Store, path: string): Promise<void> {
  await store.flush()
  const rows = rawLiveRows(path)
  for (const [prefix, kind, body, sealed] of layout) {
    const mine = rows.filter((r) => r.key.startsWith(prefix))
    assert.ok(mine.length > 0, `no ${kind} stored`)
    for (const { key, value } of mine) {
      const name = Buffer.from(key.slice(key.lastIndexOf('/') + 1))
      if (sealed) {
        assert.ok(value.subarray(0, 29).equals(Buffer.from('etch:enc:aesgcm-hkdf:v1:key1:')), `${key} is not sealed`)
        assert.ok(!value.includes(name), `${key}: its name is readable in the ciphertext`)
      } else assert.ok(value.subarray(0, 5).equals(Buffer.from(codec.magic)), `${key} is not a plaintext codec frame`)
    }
    // Through the store (which decrypts), each value is an object of the expected kind and body.
    const r = await store.range({ key: prefix, prefix: true, limit: 20 })
    for (const kv of r.kvs) {
      assert.equal(objects.decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision }).kind, kind)
      const contentType = body === 'protobuf' ? codec.contentTypeProtobuf : codec.contentTypeMsgpack
      assert.ok(Buffer.from(kv.value).includes(Buffer.from(contentType)), `${kind} not stored as ${body}`)
    }
  }
}

async function decodedUnder(store: Store, prefix: string): Promise<codec.KubeObject[]> {
  const r = await store.range({ key: prefix, prefix: true })
  return r.kvs.map((kv) => objects.decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision }))
}

test('a short run does every kind of work, loses no update and every watch sees every event', async (t) => {
  const { store, path, atRest } = await openWorkloadStore(t)
  const options = smallRun(path)
  console.log(`seed ${options.seed}`)
  const result = await new Workload(store, realScheduler, options, atRest.summary).run()

  for (const name of categoryNames) assert.ok(result.stats.of(name).ops > 0, `no ${name} operations`)
  assert.ok(result.stats.watchEvents > 0, 'no watch deliveries')
  assert.deepEqual(result.verification.problems, [])
  assert.equal(result.verification.informersChecked, options.controllers + 1)
  assert.ok(result.verification.leasesExpired > 0, 'no event lease expired')
  assert.ok(result.compactedTo > 0 && store.compactRevision === result.compactedTo)

  // Independently of the workload's own bookkeeping: on a fresh database every node-status
  // operation wrote one heartbeat (postStatus always changes the Node), every deploy one generation.
  const nodes = await decodedUnder(store, '/registry/minions/')
  assert.equal(nodes.length, options.nodes)
  const heartbeats = nodes.reduce((sum, n) => sum + Number(n.metadata.annotations?.['etchlog.io/heartbeats']), 0)
  assert.equal(heartbeats, result.stats.of('node-status').ops - result.stats.of('node-status').errors)
  const deployments = await decodedUnder(store, '/registry/deployments/')
  const bumps = deployments.reduce((sum, d) => sum + d.metadata.generation - 1, 0)
  assert.equal(bumps, result.stats.of('deploy').ops)
  // The deployment controllers kept up: every pod exists and Endpoints exist per app.
  const pods = await decodedUnder(store, '/registry/pods/')
  assert.ok(pods.length >= deployments.length * 2)
  assert.equal((await store.range({ key: '/registry/services/endpoints/', prefix: true, countOnly: true })).count, deployments.length)

  const report = buildReport(result, await store.check(), new Date().toISOString(), path)
  const written = writeReport(report)
  assert.equal(dirname(written), dirname(path))
  const parsed = JSON.parse(readFileSync(written, 'utf8')) as WorkloadReport
  assert.equal(parsed.format, 'etchlog-workload-report/1')
  assert.equal(parsed.categories['node-status']?.ops, result.stats.of('node-status').ops)
  assert.equal(parsed.verification.ok, true)
  assert.equal(parsed.check.ok, true)
  assert.ok(parsed.watch.events > 0 && parsed.watch.p99Ms >= parsed.watch.p50Ms)
  assert.equal(parsed.storage.api, 'objects')
  assert.deepEqual(parsed.storage.codec.protobuf.sort(), ['apps/v1/Deployment', 'v1/ConfigMap', 'v1/Pod', 'v1/Secret'])
  assert.equal(parsed.storage.encryption?.created, true)
  await checkAtRest(store, path)

  // A second run on the same database adopts the cluster and still loses nothing.
  const again = await new Workload(store, realScheduler, smallRun(path, { durationSeconds: 1.5, seed: 8 })).run()
  assert.equal(again.baseline.created, 0)
  assert.deepEqual(again.verification.problems, [])
  assert.ok(again.stats.of('node-status').ops > 0)
})

test('stop() ends the traffic early: in-flight operations finish and the run still verifies', async (t) => {
  const { store, path } = await openWorkloadStore(t)
  const workload = new Workload(store, realScheduler, smallRun(path, { durationSeconds: 60 }))
  const running = workload.run()
  // Stop once the first node status is acknowledged (a signal from the workload, not a sleep).
  await new Promise<void>((resolve) => {
    const off = store.onCommit(() => {
      if (workload.stats.of('node-status').ops === 0) return
      off()
      resolve()
    })
  })
  workload.stop()
  const result = await running
  assert.equal(result.interrupted, true)
  assert.ok(result.trafficMs < 30_000)
  assert.deepEqual(result.verification.problems, [])
})
