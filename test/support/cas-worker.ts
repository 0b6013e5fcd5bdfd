// Child of multi-process.test.ts: one of several processes with the same database file open.
// It answers the parent's requests over IPC; 'run' does the contended work: compare-and-swap
// increments of a shared counter (several loops at once, so CAS also races within a batch)
// and puts of the process's own keys. Every ack is recorded after its promise resolved.
//
// Args: path name
import { openStore, StorageError, type KeyValue, type Store } from '../../src/index.js'
import { exitWithParent, leaveParent, reportFailure } from './child-process.js'

export interface WorkerAck {
  kind: 'cas' | 'put'
  key: string
  value: string
  revision: number
}

export interface WorkerKv {
  value: string
  modRevision: number
  createRevision: number
  version: number
}

export interface WorkerError {
  name: string
  code: string
  message: string
}

export type WorkerRequest =
  | { cmd: 'run'; counterKey: string; increments: number; puts: number; loops: number }
  | { cmd: 'get'; key: string; revision?: number }
  | { cmd: 'revision' }
  | { cmd: 'put'; key: string; value: string }
  | { cmd: 'compact'; revision: number; physical: boolean }
  | { cmd: 'check' }
  | { cmd: 'close' }

export type WorkerReply =
  | { type: 'ready'; revision: number }
  | { type: 'ran'; acks: WorkerAck[]; conflicts: number }
  | { type: 'got'; kv?: WorkerKv; error?: WorkerError }
  | { type: 'revision'; revision: number; compactRevision: number }
  | { type: 'put'; revision: number }
  | { type: 'compacted'; revision?: number; error?: WorkerError }
  | { type: 'checked'; problems: string[] }
  | { type: 'closed' }

/** Resolves once the message is handed to the channel, so a disconnect after it loses nothing. */
function reply(m: WorkerReply): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('cas-worker runs as a forked child only')
    process.send(m, (err: Error | null) => (err === null ? resolve() : reject(err)))
  })
}

/** An expected operating error goes back to the parent as data; anything else is a failure. */
function asWorkerError(err: unknown): WorkerError {
  if (!(err instanceof StorageError)) throw err
  return { name: err.name, code: err.code, message: err.message }
}

function toWorkerKv(kv: KeyValue | undefined): WorkerKv | undefined {
  if (kv === undefined) return undefined
  return {
    value: Buffer.from(kv.value).toString(),
    modRevision: kv.modRevision,
    createRevision: kv.createRevision,
    version: kv.version,
  }
}

// Own puts made so far, across 'run' requests: numbers the next own key.
let putsDone = 0

async function run(store: Store, name: string, r: Extract<WorkerRequest, { cmd: 'run' }>): Promise<WorkerReply> {
  const acks: WorkerAck[] = []
  let conflicts = 0
  // Work items shared by the loops: `increments` CAS increments and `puts` own puts, interleaved.
  const work: Array<'cas' | 'put'> = []
  for (let i = 0; i < Math.max(r.increments, r.puts); i++) {
    if (i < r.increments) work.push('cas')
    if (i < r.puts) work.push('put')
  }
  const increment = async (): Promise<void> => {
    for (;;) {
      const seen = await store.get(r.counterKey)
      const next = String((seen === undefined ? 0 : Number(Buffer.from(seen.value).toString())) + 1)
      const t = await store.txn({
        compare: [{ key: r.counterKey, target: 'MOD', result: 'EQUAL', value: seen?.modRevision ?? 0 }],
        success: [{ put: { key: r.counterKey, value: next } }],
      })
      if (t.succeeded) {
        acks.push({ kind: 'cas', key: r.counterKey, value: next, revision: t.revision })
        return
      }
      conflicts++
    }
  }
  const put = async (): Promise<void> => {
    const n = putsDone++
    const key = `own/${name}/${String(n).padStart(6, '0')}`
    const value = `${name}:${n}`
    const p = await store.put(key, value)
    acks.push({ kind: 'put', key, value, revision: p.revision })
  }
  const loop = async (): Promise<void> => {
    for (let item = work.shift(); item !== undefined; item = work.shift()) {
      if (item === 'cas') await increment()
      else await put()
    }
  }
  await Promise.all(Array.from({ length: r.loops }, () => loop()))
  return { type: 'ran', acks, conflicts }
}

async function handle(store: Store, name: string, m: WorkerRequest): Promise<WorkerReply> {
  switch (m.cmd) {
    case 'run':
      return run(store, name, m)
    case 'get':
      try {
        const kv = await store.get(m.key, m.revision === undefined ? {} : { revision: m.revision })
        const got: WorkerReply = { type: 'got' }
        const wkv = toWorkerKv(kv)
        if (wkv !== undefined) got.kv = wkv
        return got
      } catch (err) {
        return { type: 'got', error: asWorkerError(err) }
      }
    case 'revision':
      return { type: 'revision', revision: store.revision, compactRevision: store.compactRevision }
    case 'put':
      return { type: 'put', revision: (await store.put(m.key, m.value)).revision }
    case 'compact':
      try {
        return { type: 'compacted', revision: (await store.compact(m.revision, { physical: m.physical })).revision }
      } catch (err) {
        return { type: 'compacted', error: asWorkerError(err) }
      }
    case 'check':
      return { type: 'checked', problems: (await store.check()).problems }
    case 'close':
      await store.close()
      return { type: 'closed' }
  }
}

async function main(): Promise<void> {
  const [path, name] = process.argv.slice(2)
  if (path === undefined || name === undefined) throw new Error('usage: cas-worker path name')
  exitWithParent()
  const store = await openStore({ path, durability: 'strict' })
  // Requests are handled one at a time, in order; the parent awaits each reply.
  let chain = Promise.resolve()
  process.on('message', (m: WorkerRequest) => {
    chain = chain
      .then(async () => {
        const r = await handle(store, name, m)
        await reply(r)
        if (r.type === 'closed') leaveParent()
      })
      .catch(reportFailure)
  })
  await reply({ type: 'ready', revision: store.revision })
}

main().catch(reportFailure)
