// Child of test/verify/concurrent.test.ts: another process with the same database file open,
// running workload loops and sending back every operation it recorded.
//
// Args: path name
import { openStore } from '../../src/index.js'
import type { Operation } from '../../src/verify/index.js'
import { exitWithParent, leaveParent, reportFailure } from './child-process.js'
import { HistoryRecorder } from './history-recorder.js'
import { runWorkload } from './history-workload.js'

export type HistoryClientRequest = { cmd: 'run'; seed: number; ops: number; loops: number; keys: string[] } | { cmd: 'close' }

export type HistoryClientReply = { type: 'ready' } | { type: 'history'; operations: Operation[] } | { type: 'closed' }

function reply(m: HistoryClientReply): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('history-client runs as a forked child only')
    process.send(m, (err: Error | null) => (err === null ? resolve() : reject(err)))
  })
}

async function main(): Promise<void> {
  const [path, name] = process.argv.slice(2)
  if (path === undefined || name === undefined) throw new Error('usage: history-client path name')
  exitWithParent()
  const store = await openStore({ path, durability: 'relaxed' })
  process.on('message', (m: HistoryClientRequest) => {
    const handle = async (): Promise<void> => {
      if (m.cmd === 'close') {
        await store.close()
        await reply({ type: 'closed' })
        leaveParent()
        return
      }
      const recorder = new HistoryRecorder()
      const loops = Array.from({ length: m.loops }, (_, i) =>
        runWorkload(store, recorder, { client: `${name}/${i}`, seed: m.seed + i, ops: m.ops, keys: m.keys }),
      )
      await Promise.all(loops)
      await reply({ type: 'history', operations: recorder.operations })
    }
    handle().catch(reportFailure)
  })
  await reply({ type: 'ready' })
}

main().catch(reportFailure)
