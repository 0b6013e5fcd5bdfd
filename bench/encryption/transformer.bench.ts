// Encrypt + decrypt of one 1 KiB value through the encryption layer's transformer, per provider.
// Standalone: `npx tsx bench/encryption/transformer.bench.ts [--quick]` (not yet wired into
// bench/run.ts, which belongs to the bench owner; runEncryptionBench is ready for it).
//
// Estimate: AES-256-GCM with AES-NI runs at ~2-4 GB/s, so 1 KiB of cipher work is < 1 us; the
// cost is Node's per-call overhead: createCipheriv + setAAD + update + final + getAuthTag is
// ~5-10 native calls (~1-2 us each way) plus a randomFillSync for the nonce. The HKDF variant adds
// one hkdfSync (HMAC-SHA256 extract + expand, ~2-4 us) per seal and per open, so expect it around
// 1.5-2x the static-key cost per round trip, and both far below a strict-durability put (~ms).
import { Bench } from 'tinybench'
import { createTransformer, LocalKeyEncryptionService, SecretKey, type ProviderConfig } from '../../src/encryption/index.js'

export interface EncryptionBenchRow {
  task: string
  opsPerSecond: number
  meanUs: number
  mibPerSecond: number
}

export async function runEncryptionBench(options: { timeMs: number; valueBytes: number }): Promise<EncryptionBenchRow[]> {
  const key = Buffer.from('/registry/secrets/default/db-password')
  const value = Buffer.alloc(options.valueBytes, 0x61)
  const named = (name: string) => ({ name, secret: SecretKey.generate() })
  const providers: Array<[string, ProviderConfig]> = [
    ['identity', { identity: {} }],
    ['aesgcm', { aesgcm: { keys: [named('k1')] } }],
    ['aesgcm-hkdf', { aesgcmHkdf: { keys: [named('k1')] } }],
    ['kms-local', { kms: { name: 'local', service: new LocalKeyEncryptionService([named('kek1')]) } }],
  ]
  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs) })
  for (const [name, provider] of providers) {
    const t = createTransformer({ resources: [{ prefixes: [''], providers: [provider] }] })
    const stored = t.toStorage(key, value)
    bench.add(`encryption/${name}/value=${options.valueBytes}/seal`, () => {
      t.toStorage(key, value)
    })
    bench.add(`encryption/${name}/value=${options.valueBytes}/open`, () => {
      t.fromStorage(key, stored)
    })
    bench.add(`encryption/${name}/value=${options.valueBytes}/seal+open`, () => {
      t.fromStorage(key, t.toStorage(key, value))
    })
  }
  await bench.run()
  return bench.tasks.map((task) => {
    const result = task.result
    const mean = result !== undefined && 'latency' in result ? result.latency.mean : Number.NaN
    const ops = 1000 / mean
    return { task: task.name, opsPerSecond: ops, meanUs: mean * 1000, mibPerSecond: (ops * options.valueBytes) / 2 ** 20 }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick')
  const rows = await runEncryptionBench({ timeMs: quick ? 50 : 2000, valueBytes: 1024 })
  for (const row of rows) {
    console.log(`${row.task.padEnd(44)} ${Math.round(row.opsPerSecond).toString().padStart(9)} ops/s ${row.meanUs.toFixed(2).padStart(8)} us ${row.mibPerSecond.toFixed(0).padStart(6)} MiB/s`)
  }
}
