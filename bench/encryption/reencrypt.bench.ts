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
//   npx tsx bench/encryption/reencrypt.bench.ts [--quick]     (bench/run.ts runs it too)
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { Piscina } from 'piscina'
import { createResealPool, openStore, type ReencryptOptions } from '../../src/index.js'
import { SecretKey, createTransformer } from '../../src/encryption/index.js'
import { tempDir, type TempDir } from '../support/temp.js'

const valueBytes = 1024
const batch = 512
const threads = 2

type NamedKey = { name: string; bytes: Buffer }
const keyA: NamedKey = { name: 'a', bytes: randomBytes(32) }
const keyB: NamedKey = { name: 'b', bytes: randomBytes(32) }
const configOf = (...ks: NamedKey[]) => ({
  resources: [{ prefixes: [''], providers: [{ aesgcm: { keys: ks.map((k) => ({ name: k.name, secret: SecretKey.fromBytes(k.bytes, k.name) })) } }] }],
})
const ring = (...ks: NamedKey[]) => createTransformer(configOf(...ks))

export interface ReencryptStoreRun {
  task: string
  ms: number
  rewritten: number
  valuesPerSec: number
  /** Main-thread time at the default page / this run's time (>1: faster than the main thread). */
  vsMainThread: number
}

export interface ReencryptResult {
  count: number
  valueBytes: number
  threads: number
  storeRuns: ReencryptStoreRun[]
  /** The crypto alone: decrypt + encrypt of every value. */
  reseal: { mainTask: string; mainMs: number; poolTask: string; poolMs: number }
}

/** Writes `count` values under key A, then times store.reencrypt() each way on copies. */
async function storeRuns(dir: TempDir, count: number, value: Buffer): Promise<ReencryptStoreRun[]> {
  const path = dir.file('reencrypt.db')
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
  const resealPool = createResealPool(configOf(keyB, keyA), { threads })
  const runs: Array<{ label: string; path: string; options: ReencryptOptions }> = [
    { label: 'main-thread', path: copy('main.db'), options: {} },
    { label: `pool-${threads}-threads`, path: copy('pool.db'), options: { resealer: resealPool } },
    { label: 'main-thread/batchKeys=2048', path: copy('main2048.db'), options: { batchKeys: 2048 } },
    { label: `pool-${threads}-threads/batchKeys=2048`, path: copy('pool2048.db'), options: { resealer: resealPool, batchKeys: 2048 } },
  ]
  const done: Array<{ label: string; ms: number; rewritten: number }> = []
  try {
    await resealPool.reseal([]) // start the workers before timing
    for (const run of runs) {
      const store = await openStore({ path: run.path, transformer: ring(keyB, keyA) })
      try {
        const t0 = performance.now()
        const result = await store.reencrypt(run.options)
        done.push({ label: run.label, ms: performance.now() - t0, rewritten: result.rewritten })
      } finally {
        await store.close()
      }
    }
  } finally {
    await resealPool.close()
  }
  const baseMs = done[0]?.ms ?? Number.NaN
  return done.map((r) => ({
    task: `reencrypt/store/${r.label}/values=${count}`,
    ms: r.ms,
    rewritten: r.rewritten,
    valuesPerSec: (count / r.ms) * 1000,
    vsMainThread: baseMs / r.ms,
  }))
}

/** The same re-seal of every value on the main thread, then on a piscina pool. */
async function resealAlone(count: number, value: Buffer): Promise<ReencryptResult['reseal']> {
  const sealA = ring(keyA)
  const items = Array.from({ length: count }, (_, i) => {
    const key = Buffer.from(`/registry/secrets/ns/s${i}`)
    return { key, stored: Buffer.from(sealA.toStorage(key, value)) }
  })
  const rotated = ring(keyB, keyA)
  let t0 = performance.now()
  for (const item of items) rotated.toStorage(item.key, rotated.fromStorage(item.key, item.stored).value)
  const mainMs = performance.now() - t0

  const pool = new Piscina({ filename: new URL('./reseal-worker.mjs', import.meta.url).href, minThreads: threads, maxThreads: threads })
  try {
    const keys = [keyB, keyA]
    await pool.run({ keys, items: items.slice(0, 8) }) // warm: load the layer in the workers
    await pool.run({ keys, items: items.slice(0, 8) })
    t0 = performance.now()
    const tasks: Array<Promise<unknown>> = []
    for (let i = 0; i < count; i += batch) tasks.push(pool.run({ keys, items: items.slice(i, i + batch) }))
    await Promise.all(tasks)
    const poolMs = performance.now() - t0
    return {
      mainTask: `reseal/main-thread/values=${count}`,
      mainMs,
      poolTask: `reseal/piscina-${threads}-threads/values=${count}/batch=${batch}`,
      poolMs,
    }
  } finally {
    await pool.destroy()
  }
}

export async function runReencryptBench(o: { count: number }): Promise<ReencryptResult> {
  const dir = tempDir()
  try {
    const value = randomBytes(valueBytes)
    const runs = await storeRuns(dir, o.count, value)
    const reseal = await resealAlone(o.count, value)
    return { count: o.count, valueBytes, threads, storeRuns: runs, reseal }
  } finally {
    dir.remove()
  }
}

const rate = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en-US')

export function reencryptLines(r: ReencryptResult): string[] {
  const lines = r.storeRuns.map(
    (s) =>
      `${s.task}: ${s.rewritten} rewritten in ${(s.ms / 1000).toFixed(2)} s = ${rate(r.count, s.ms)} values/s (${s.vsMainThread.toFixed(2)}x the main thread; durability strict, CAS put per value, aesgcm)`,
  )
  lines.push(`${r.reseal.mainTask}: ${(r.reseal.mainMs / 1000).toFixed(2)} s = ${rate(r.count, r.reseal.mainMs)} values/s`)
  lines.push(
    `${r.reseal.poolTask}: ${(r.reseal.poolMs / 1000).toFixed(2)} s = ${rate(r.count, r.reseal.poolMs)} values/s (${(r.reseal.mainMs / r.reseal.poolMs).toFixed(2)}x the main thread)`,
  )
  return lines
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runReencryptBench({ count: process.argv.includes('--quick') ? 2_000 : 100_000 })
  console.log(reencryptLines(result).join('\n'))
}
