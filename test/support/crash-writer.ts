// Child of crash.test.ts: opens the store and writes until the parent SIGKILLs it. Several writer
// loops run at once, so group commit puts several writes in each commit. A write is reported
// (acked) to the parent only after its promise resolved, i.e. after it was committed.
//
// Args: path durability seed cycle writers
// Keys (unique per cycle, writer and op number n, so only the counter is ever overwritten):
//   put/<cycle>/<w>/<n>           plain put
//   pair/<cycle>/<w>/<n>/{a,b}    one txn puts both, same value
//   cas/<cycle>/<w>/<n>/{a,b}     one txn: if counter's MOD is the one last seen, put a, b and
//                                 counter, all with the counter's new value
import { openStore, type KeyValue, type Store } from '../../src/index.js'
import { exitWithParent, prng, reportFailure } from './child-process.js'

const COUNTER_KEY = 'counter'

export type CrashMessage =
  | { type: 'opening' }
  | { type: 'ready'; revision: number }
  | { type: 'ack'; kind: 'put' | 'pair' | 'cas'; keys: string[]; value: string; revision: number }

function send(m: CrashMessage): void {
  // Ignoring a failed send is right: the parent kills us at will, and then nobody listens.
  process.send?.(m, (err: Error | null) => void err)
}

const VALUE_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'

function writeLoops(store: Store, cycle: number, writers: number, random: () => number): Array<Promise<void>> {
  const value = (): string => {
    // Mostly small values; now and then one spanning several pages.
    const length = random() < 1 / 16 ? 4096 + Math.floor(random() * 12288) : Math.floor(random() * 64)
    let s = ''
    for (let i = 0; i < length; i++) s += VALUE_CHARS[Math.floor(random() * VALUE_CHARS.length)]
    return s
  }

  async function put(stem: string): Promise<void> {
    const key = `put/${stem}`
    const v = value()
    const r = await store.put(key, v)
    send({ type: 'ack', kind: 'put', keys: [key], value: v, revision: r.revision })
  }

  async function pair(stem: string): Promise<void> {
    const keys = [`pair/${stem}/a`, `pair/${stem}/b`]
    const v = value()
    const r = await store.txn({ success: keys.map((key) => ({ put: { key, value: v } })) })
    if (!r.succeeded) throw new Error(`a txn without compares failed: ${JSON.stringify(r)}`)
    send({ type: 'ack', kind: 'pair', keys, value: v, revision: r.revision })
  }

  async function cas(stem: string): Promise<void> {
    const keys = [`cas/${stem}/a`, `cas/${stem}/b`, COUNTER_KEY]
    let seen: KeyValue | undefined = await store.get(COUNTER_KEY)
    for (;;) {
      const next = String((seen === undefined ? 0 : Number(Buffer.from(seen.value).toString())) + 1)
      const r = await store.txn({
        compare: [{ key: COUNTER_KEY, target: 'MOD', result: 'EQUAL', value: seen?.modRevision ?? 0 }],
        success: keys.map((key) => ({ put: { key, value: next } })),
        failure: [{ range: { key: COUNTER_KEY } }],
      })
      if (r.succeeded) {
        send({ type: 'ack', kind: 'cas', keys, value: next, revision: r.revision })
        return
      }
      // Lost the race (another loop's CAS in the same or an earlier batch): retry on what it read.
      const read = r.responses[0]
      if (read === undefined || !('range' in read)) throw new Error(`failure branch returned ${JSON.stringify(r.responses)}`)
      seen = read.range.kvs[0]
    }
  }

  const loop = async (w: number): Promise<void> => {
    for (let n = 0; ; n++) {
      const stem = `${cycle}/${w}/${n}`
      const dice = random()
      if (dice < 0.4) await put(stem)
      else if (dice < 0.7) await pair(stem)
      else await cas(stem)
    }
  }
  return Array.from({ length: writers }, (_, w) => loop(w))
}

async function main(): Promise<void> {
  const [path, durability, seedText, cycleText, writersText] = process.argv.slice(2)
  if (path === undefined || (durability !== 'strict' && durability !== 'relaxed')) {
    throw new Error(`usage: crash-writer path strict|relaxed seed cycle writers, got ${process.argv.slice(2).join(' ')}`)
  }
  exitWithParent()
  send({ type: 'opening' })
  const store = await openStore({ path, durability })
  send({ type: 'ready', revision: store.revision })
  // Runs until killed: the loops never end on their own.
  await Promise.all(writeLoops(store, Number(cycleText), Number(writersText), prng(Number(seedText))))
}

main().catch(reportFailure)
