// The object path against the KV path, side by side (issue 3): create and get of a ~1 KiB Pod
// through ObjectStore (protobuf codec + AES-256-GCM + store) vs put and get of the same stored
// bytes through the KV API with identity encryption. Durable writes (durability 'strict').
// A third contender in the same rounds puts and gets those bytes through the KV API of a store
// with the same AES-256-GCM configuration: what encryption alone costs, codec aside, i.e. the
// floor under any encrypted object path. The bare node:crypto steps show how much of that is
// etchlog's transformer and how much Node's cipher calls.
//
// Estimate (2 shared cores, fsync 0.2-0.45 ms): per object the codec costs ~12-15 us to encode
// and ~10-12 us to decode (tens of strings and small objects to build), AES-GCM ~5-8 us each way
// (Node's cipher set-up dominates a 1 KiB body), and create copies what it wrote to return it
// (~5 us). So create adds ~30-35 us and get ~20 us of CPU, encryption alone ~8 us of each.
// - 1 writer: a put waits for its own fsync (~300-450 us), so create costs ~1.1x a put.
// - 64 writers: group commit makes a put ~20-30 us of CPU, and the object work is on top of
//   it on the same thread: ~2-2.5x. Gets never touch the disk: ~12-17 us for the KV path,
//   so an object get is ~2-3x, and encryption alone ~1.5x: the 1.5x target holds only where
//   the disk sets the pace.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { openStore, ObjectStore, codec, encryption, systemClock, type Store } from '../../src/index.js'
import { pairedRatio, runRounds, type Contender, type ContenderResult, type PhaseResult } from '../support/closed-loop.js'
import { median } from '../support/stats.js'
import { tempDir } from '../support/temp.js'
import { benchPod } from './pod-fixture.js'

export interface ObjectPathOptions {
  writers: readonly number[]
  /** Keys read by the get phases (created beforehand on both paths). */
  readKeys: number
  readers: number
  rounds: number
  warmupMs: number
  phaseMs: number
  /** Iterations per round of the codec/crypto micro-timings. */
  microIterations: number
}

export interface ObjectPathRow {
  operation: string
  kv: ContenderResult
  /** The same bytes through the KV API of a store with the object path's AES-256-GCM configuration. */
  encrypted: ContenderResult
  objects: ContenderResult
  /** Median over rounds of kv ops/s / object ops/s: what the object path costs per operation, in KV operations. */
  costRatio: number
  /** Median over rounds of kv ops/s / encrypted ops/s: what encryption alone costs, in KV operations. */
  encryptionRatio: number
}

export interface ObjectPathResults {
  storedBytes: number
  rows: ObjectPathRow[]
  /** Median microseconds of CPU per call, per step of the object path. */
  steps: { step: string; us: number }[]
}

const podKey = (prefix: string, i: number): string => `/registry/pods/${prefix}/${benchPod(i).metadata.name}`

class LoopContender implements Contender {
  private next = 0

  constructor(
    readonly name: string,
    private readonly loops: number,
    private readonly op: (i: number) => Promise<unknown>,
  ) {}

  async phase(durationMs: number): Promise<PhaseResult> {
    const latenciesMs: number[] = []
    const start = performance.now()
    const end = start + durationMs
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const i = this.next++
        const t0 = performance.now()
        await this.op(i)
        latenciesMs.push(performance.now() - t0)
      }
    }
    await Promise.all(Array.from({ length: this.loops }, loop))
    return { ops: latenciesMs.length, elapsedMs: performance.now() - start, latenciesMs, commits: latenciesMs.length }
  }
}

export async function runObjectPathBench(o: ObjectPathOptions): Promise<ObjectPathResults> {
  const dir = tempDir()
  const stores: Store[] = []
  try {
    const transformer = encryption.createTransformer({
      resources: [{ prefixes: ['/registry/'], providers: [{ aesgcm: { keys: [{ name: 'bench', secret: encryption.SecretKey.generate() }] } }] }],
    })
    const podCodec = new codec.ObjectCodec(codec.defaultRegistry())
    const open = async (name: string, withTransformer: boolean): Promise<Store> => {
      const s = await openStore({ path: dir.file(name), durability: 'strict', ...(withTransformer ? { transformer } : {}) })
      stores.push(s)
      return s
    }
    const kvStore = await open('kv.db', false)
    const aesStore = await open('kv-aes.db', true)
    const objectStore = await open('objects.db', true)
    const objects = new ObjectStore({ kv: objectStore, codec: podCodec, clock: systemClock })
    // The KV path writes the very bytes the object path stores (uid, timestamps and all).
    const pool = await Promise.all(Array.from({ length: 256 }, (_, i) => objects.create(podKey('pool', i), benchPod(i))))
    const poolBytes = pool.map((p) => podCodec.encode(p))
    const bytesAt = (i: number): Uint8Array => poolBytes[i % poolBytes.length] as Uint8Array // modulo keeps it in range
    const rows: ObjectPathRow[] = []
    for (const writers of o.writers) {
      const kv = new LoopContender(`objects/create/writers=${writers}/kv`, writers, (i) => kvStore.put(podKey(`kv-w${writers}`, i), bytesAt(i)))
      const aes = new LoopContender(`objects/create/writers=${writers}/kv+aes-gcm`, writers, (i) => aesStore.put(podKey(`aes-w${writers}`, i), bytesAt(i)))
      const obj = new LoopContender(`objects/create/writers=${writers}/objects`, writers, (i) => objects.create(podKey(`obj-w${writers}`, i), benchPod(i)))
      const [a, e, b] = await runRounds([kv, aes, obj], o)
      if (a === undefined || e === undefined || b === undefined) throw new Error('bench: runRounds answers one result per contender')
      rows.push(row(`create, ${writers} writer${writers === 1 ? '' : 's'} (strict)`, a, e, b))
    }
    await Promise.all(Array.from({ length: o.readKeys }, (_, i) => kvStore.put(podKey('read', i), bytesAt(i))))
    await Promise.all(Array.from({ length: o.readKeys }, (_, i) => aesStore.put(podKey('read', i), bytesAt(i))))
    await Promise.all(Array.from({ length: o.readKeys }, (_, i) => objects.create(podKey('read', i), benchPod(i))))
    const kvGet = new LoopContender(`objects/get/readers=${o.readers}/kv`, o.readers, (i) => kvStore.get(podKey('read', i % o.readKeys)))
    const aesGet = new LoopContender(`objects/get/readers=${o.readers}/kv+aes-gcm`, o.readers, (i) => aesStore.get(podKey('read', i % o.readKeys)))
    const objGet = new LoopContender(`objects/get/readers=${o.readers}/objects`, o.readers, (i) => objects.get(podKey('read', i % o.readKeys)))
    const [ga, ge, gb] = await runRounds([kvGet, aesGet, objGet], o)
    if (ga === undefined || ge === undefined || gb === undefined) throw new Error('bench: runRounds answers one result per contender')
    rows.push(row(`get, ${o.readers} reader${o.readers === 1 ? '' : 's'}`, ga, ge, gb))
    const first = pool[0] as codec.KubeObject // 256 pods were created
    const stored = podCodec.encode(first)
    return { storedBytes: stored.length, rows, steps: microSteps(podCodec, transformer, first, o.microIterations) }
  } finally {
    for (const s of stores) await s.close()
    dir.remove()
  }
}

function row(operation: string, kv: ContenderResult, encrypted: ContenderResult, objects: ContenderResult): ObjectPathRow {
  return { operation, kv, encrypted, objects, costRatio: pairedRatio(kv, objects), encryptionRatio: pairedRatio(kv, encrypted) }
}

/** CPU per call of each step (process.cpuUsage, less disturbed by neighbours than wall time). */
function microSteps(c: codec.ObjectCodec, t: encryption.EncryptionTransformer, pod: codec.KubeObject, iterations: number): { step: string; us: number }[] {
  const key = Buffer.from('/registry/pods/default/web')
  const bytes = c.encode(pod)
  const sealed = t.toStorage(key, bytes)
  const bare = bareGcm(bytes, key)
  const steps: [string, () => unknown][] = [
    ['codec encode', () => c.encode(pod)],
    ['codec decode', () => c.decode(bytes, { key, resourceVersion: 5 })],
    ['aes-gcm seal (transformer)', () => t.toStorage(key, bytes)],
    ['aes-gcm open (transformer)', () => t.fromStorage(key, sealed)],
    ['aes-gcm seal (bare node:crypto)', bare.seal],
    ['aes-gcm open (bare node:crypto)', bare.open],
  ]
  const samples = steps.map((): number[] => [])
  for (let round = 0; round < 5; round++) {
    steps.forEach(([, fn], s) => {
      for (let i = 0; i < iterations / 5; i++) fn()
      const t0 = process.cpuUsage()
      for (let i = 0; i < iterations; i++) fn()
      const d = process.cpuUsage(t0)
      ;(samples[s] as number[]).push((d.user + d.system) / iterations)
    })
  }
  return steps.map(([step], s) => ({ step, us: median(samples[s] as number[]) }))
}

/**
 * The fewest node:crypto calls an AES-256-GCM seal or open of `plaintext` can make (cipher, one
 * AAD, update, final, tag), with nothing of etchlog around them: the reference the transformer's
 * steps are read against.
 */
function bareGcm(plaintext: Uint8Array, aad: Uint8Array): { seal: () => Buffer; open: () => Buffer } {
  const key = randomBytes(32)
  const nonce = randomBytes(12)
  const seal = (): Buffer => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
    cipher.setAAD(aad)
    const body = cipher.update(plaintext)
    cipher.final()
    return Buffer.concat([body, cipher.getAuthTag()])
  }
  const sealed = seal()
  const open = (): Buffer => {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
    decipher.setAAD(aad)
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    const body = decipher.update(sealed.subarray(0, sealed.length - 16))
    decipher.final()
    return body
  }
  return { seal, open }
}
