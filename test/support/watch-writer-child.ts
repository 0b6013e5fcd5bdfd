// Child of watchcache/child-process-watch.test.ts: another process writing the file the parent
// watches. On 'run' it performs a seeded random sequence of puts, deletes and multi-key txns
// (and, if asked, one compaction at a random point in it), one at a time, and reports every
// acknowledged write over IPC with the events it must have produced, in op order.
//
// Args: path name seed
import { openStore, type Store } from '../../src/index.js'
import { exitWithParent, leaveParent, prng, reportFailure } from './child-process.js'

/** An acknowledged write: its revision and its events as 'PUT key=value' / 'DELETE key'. */
export interface WriterAck {
  type: 'ack'
  revision: number
  events: string[]
}

export type WriterRequest =
  | { cmd: 'run'; ops: number; keys: string[]; compactAt?: number; compactAlone?: boolean }
  | { cmd: 'compact'; revision: number }
  | { cmd: 'close' }

export type WriterReply =
  | { type: 'ready'; revision: number }
  | WriterAck
  | { type: 'compact-point'; revision: number }
  | { type: 'compacted'; revision: number }
  | { type: 'ran'; lastRevision: number; writes: number }
  | { type: 'closed' }

function reply(m: WriterReply): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('watch-writer-child runs as a forked child only')
    process.send(m, (err: Error | null) => (err === null ? resolve() : reject(err)))
  })
}

let serial = 0
// The parent's answer to 'compact-point': the revision to compact at. It arrives while 'run' is
// still in progress, so it bypasses the request chain.
let compactTarget: ((revision: number) => void) | undefined

async function run(store: Store, name: string, rnd: () => number, r: Extract<WriterRequest, { cmd: 'run' }>): Promise<WriterReply> {
  const pick = (): string => r.keys[Math.floor(rnd() * r.keys.length)] as string
  let lastRevision = 0
  let writes = 0
  const ack = async (revision: number, events: string[]): Promise<void> => {
    // A delete of nothing (or a txn that changed nothing) makes no revision.
    if (events.length === 0) return
    writes++
    lastRevision = Math.max(lastRevision, revision)
    await reply({ type: 'ack', revision, events })
  }
  for (let i = 0; i < r.ops; i++) {
    if (i === r.compactAt) {
      // The parent picks the revision (behind what its cache has read); compactAlone: this
      // process does, a little behind its own head, whatever the parent has read.
      let target: number
      if (r.compactAlone === true) target = Math.max(3, store.revision - Math.floor(rnd() * 4))
      else {
        const answer = new Promise<number>((resolve) => (compactTarget = resolve))
        await reply({ type: 'compact-point', revision: store.revision })
        target = await answer
        compactTarget = undefined
      }
      const c = await store.compact(target, { physical: true })
      if (c.revision < target) throw new Error(`compact answered ${c.revision} below its target ${target}`)
      await reply({ type: 'compacted', revision: target })
    }
    const dice = rnd()
    if (dice < 0.5) {
      const key = pick()
      const value = `${name}:${serial++}`
      const p = await store.put(key, value)
      await ack(p.revision, [`PUT ${key}=${value}`])
    } else if (dice < 0.7) {
      const key = pick()
      const d = await store.deleteRange({ key })
      await ack(d.revision, d.deleted > 0 ? [`DELETE ${key}`] : [])
    } else {
      const n = 2 + Math.floor(rnd() * 3)
      const keys = [...new Set(Array.from({ length: n }, pick))]
      const plan = keys.map((key) => (rnd() < 0.7 ? { key, value: `${name}:${serial++}` } : { key }))
      const t = await store.txn({ success: plan.map((o) => (o.value === undefined ? { deleteRange: { key: o.key } } : { put: { key: o.key, value: o.value } })) })
      if (!t.succeeded) throw new Error('a txn without compares failed')
      const events: string[] = []
      plan.forEach((o, j) => {
        const res = t.responses[j]
        if (o.value !== undefined) events.push(`PUT ${o.key}=${o.value}`)
        else if (res !== undefined && 'deleteRange' in res && res.deleteRange.deleted > 0) events.push(`DELETE ${o.key}`)
      })
      await ack(t.revision, events)
    }
  }
  return { type: 'ran', lastRevision, writes }
}

async function main(): Promise<void> {
  const [path, name, seed] = process.argv.slice(2)
  if (path === undefined || name === undefined || seed === undefined) throw new Error('usage: watch-writer-child path name seed')
  exitWithParent()
  const rnd = prng(Number(seed))
  const store = await openStore({ path, durability: 'relaxed' })
  let chain = Promise.resolve()
  process.on('message', (m: WriterRequest) => {
    if (m.cmd === 'compact') {
      if (compactTarget === undefined) reportFailure(new Error('compact target sent while not asked for'))
      else compactTarget(m.revision)
      return
    }
    chain = chain
      .then(async () => {
        if (m.cmd === 'run') await reply(await run(store, name, rnd, m))
        else if (m.cmd === 'close') {
          await store.close()
          await reply({ type: 'closed' })
          leaveParent()
        }
      })
      .catch(reportFailure)
  })
  await reply({ type: 'ready', revision: store.revision })
}

main().catch(reportFailure)
