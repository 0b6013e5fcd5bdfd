// Reencrypt throughput (issue 3): 100k values of 1 KiB written under key A, the ring rotated to
// [B, A], then store.reencrypt() rewrites them all under B. And the question the issue asks: is
// the crypto faster on worker threads (piscina)? Measured on the crypto alone (decrypt + encrypt
// of the same 100k values) on the main thread vs a pool of 2 worker threads, side by side.
//
// Estimate: AES-256-GCM on 1 KiB is ~2-3 us each way with AES-NI, plus the header and the
// random nonce: ~10-20 us per re-seal on one core. A worker round trip costs ~50-100 us per
// message; batches of 512 values amortise it, and 2 workers can at most double throughput on
// these 2 cores — but the main thread, SQLite's fsyncs and the workers share those 2 cores. The
// rewrite itself is a CAS put per value: at ~60k puts/s in groups, ~2 s for 100k.
// The store path is measured both ways in the same run, each on its own copy of the same stale
// database: store.reencrypt() on the main thread, and with createResealPool (2 threads) as its
// resealer, each at the default page (256 keys) and at 2048 keys.
//
//   npx tsx bench/encryption/reencrypt.bench.ts [--quick]
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { Piscina } from 'piscina'
import { createResealPool, openStore, type ReencryptOptions } from '../../src/index.js'
import { SecretKey, createTransformer } from '../../src/encryption/index.js'
import { tempDir } from '../support/temp.js'

const quick = process.argv.includes('--quick')
const count = quick ? 2_000 : 100_000
const valueBytes = 1024
const batch = 512

const keyA = { name: 'a', bytes: randomBytes(32) }
const keyB = { name: 'b', bytes: randomBytes(32) }
const configOf = (...ks: Array<{ name: string; bytes: Buffer }>) => ({
  resources: [{ prefixes: [''], providers: [{ aesgcm: { keys: ks.map((k) => ({ name: k.name, secret: SecretKey.fromBytes(k.bytes, k.name) })) } }] }],
})
const ring = (...ks: Array<{ name: string; bytes: Buffer }>) => createTransformer(configOf(...ks))

const dir = tempDir()
try {
  // 1. The store path.
  const path = dir.file('reencrypt.db')
  const value = randomBytes(valueBytes)
  const writer = await openStore({ path, durability: 'relaxed', transformer: ring(keyA) })
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => writer.put(`/registry/secrets/ns/s${i + j}`, value)))
  }
  await writer.close()
  const copy = (name: string): string => {
    const to = dir.file(name)
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) copyFileSync(path + suffix, to + suffix)
    return to
  }
  const runs: Array<{ label: string; path: string; options: () => ReencryptOptions }> = []
  const resealPool = createResealPool(configOf(keyB, keyA), { threads: 2 })
  runs.push({ label: 'main-thread', path: copy('main.db'), options: () => ({}) })
  runs.push({ label: 'pool-2-threads', path: copy('pool.db'), options: () => ({ resealer: resealPool }) })
  runs.push({ label: 'main-thread/batchKeys=2048', path: copy('main2048.db'), options: () => ({ batchKeys: 2048 }) })
  runs.push({ label: 'pool-2-threads/batchKeys=2048', path: copy('pool2048.db'), options: () => ({ resealer: resealPool, batchKeys: 2048 }) })
  await resealPool.reseal([]) // start the workers before timing
  const storeRuns: Array<{ label: string; ms: number; rewritten: number }> = []
  let t0 = 0
  for (const run of runs) {
    const store = await openStore({ path: run.path, transformer: ring(keyB, keyA) })
    t0 = performance.now()
    const result = await store.reencrypt(run.options())
    storeRuns.push({ label: run.label, ms: performance.now() - t0, rewritten: result.rewritten })
    await store.close()
  }
  await resealPool.close()

  // 2. The crypto alone: the same re-seal on the main thread and on 2 worker threads.
  const sealA = ring(keyA)
  const items = Array.from({ length: count }, (_, i) => {
    const key = Buffer.from(`/registry/secrets/ns/s${i}`)
    return { key, stored: Buffer.from(sealA.toStorage(key, value)) }
  })
  const rotated = ring(keyB, keyA)
  t0 = performance.now()
  for (const item of items) rotated.toStorage(item.key, rotated.fromStorage(item.key, item.stored).value)
  const mainMs = performance.now() - t0

  const pool = new Piscina({ filename: new URL('./reseal-worker.mjs', import.meta.url).href, minThreads: 2, maxThreads: 2 })
  const keys = [keyB, keyA]
  await pool.run({ keys, items: items.slice(0, 8) }) // warm: load the layer in the workers
  await pool.run({ keys, items: items.slice(0, 8) })
  t0 = performance.now()
  const tasks: Array<Promise<unknown>> = []
  for (let i = 0; i < count; i += batch) tasks.push(pool.run({ keys, items: items.slice(i, i + batch) }))
  await Promise.all(tasks)
  const poolMs = performance.now() - t0
  await pool.destroy()

  const rate = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US')
  const baseMs = storeRuns[0]?.ms ?? NaN
  for (const r of storeRuns) {
    console.log(
      `reencrypt/store/${r.label}/values=${count}: ${r.rewritten} rewritten in ${(r.ms / 1000).toFixed(2)} s = ${rate(r.ms)} values/s (${(baseMs / r.ms).toFixed(2)}x the main thread; durability strict, CAS put per value, aesgcm)`,
    )
  }
  console.log(`reseal/main-thread/values=${count}: ${(mainMs / 1000).toFixed(2)} s = ${rate(mainMs)} values/s`)
  console.log(`reseal/piscina-2-threads/values=${count}/batch=${batch}: ${(poolMs / 1000).toFixed(2)} s = ${rate(poolMs)} values/s (${(mainMs / poolMs).toFixed(2)}x the main thread)`)
} finally {
  dir.remove()
}
