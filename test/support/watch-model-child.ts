// Child of watchcache/model-cross-process.test.ts: the writer of the watch model, in another
// process. It opens each run's database file on its own FakeClock (so 'tick' commands expire its
// leases), performs the write commands the parent sends, one at a time, and answers each once it
// is committed. One child serves every run, so a run costs no process start.
//
// Requests: open (path) -> opened; write (command) -> wrote; flush -> flushed; close -> closed.
import { FakeClock, openStore, type Store } from '../../src/index.js'
import { exitWithParent, reportFailure } from './child-process.js'
import { localWriter, type ModelWriter, type WriteCommand } from './watch-model.js'

export type ModelRequest =
  | { cmd: 'open'; path: string }
  | { cmd: 'write'; command: WriteCommand }
  | { cmd: 'flush' }
  | { cmd: 'close' }

/** Buffers arrive over IPC as JSON ({ type: 'Buffer', data }): turn them back into Buffers. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (typeof value !== 'object' || value === null) return value
  const o = value as Record<string, unknown>
  if (o['type'] === 'Buffer' && Array.isArray(o['data'])) return Buffer.from(o['data'] as number[])
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]))
}

function reply(m: { type: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('watch-model-child runs as a forked child only')
    process.send(m, (err: Error | null) => (err === null ? resolve() : reject(err)))
  })
}

let current: { store: Store; writer: ModelWriter } | undefined

async function handle(m: ModelRequest): Promise<void> {
  if (m.cmd === 'open') {
    // A run that failed half-way left its store open: close it, so shrinking can go on.
    await current?.store.close()
    const clock = new FakeClock()
    const store = await openStore({ path: m.path, clock, durability: 'relaxed' })
    // Physical compactions: the rows are gone before the parent notices, as when it lags for real.
    current = { store, writer: localWriter(store, clock, true) }
    await reply({ type: 'opened' })
    return
  }
  if (current === undefined) throw new Error(`${m.cmd} without an open store`)
  if (m.cmd === 'write') {
    await current.writer.write(revive(m.command) as WriteCommand)
    await reply({ type: 'wrote' })
  } else if (m.cmd === 'flush') {
    await current.writer.flush()
    await reply({ type: 'flushed' })
  } else {
    await current.store.close()
    current = undefined
    await reply({ type: 'closed' })
  }
}

exitWithParent()
let chain = Promise.resolve()
process.on('message', (m: ModelRequest) => {
  chain = chain.then(() => handle(m)).catch(reportFailure)
})
reply({ type: 'ready' }).catch(reportFailure)
