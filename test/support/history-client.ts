// Child of test/verify/concurrent.test.ts: another process with the same database file open,
// running workload loops and sending back every operation it recorded, and optionally a watcher
// of every key (which sees the other processes' writes by tailing the log) and its record.
//
// Args: path name
import { openStore } from '../../src/index.js'
import type { Operation, WatchRecord } from '../../src/verify/index.js'
import { exitWithParent, leaveParent, reportFailure } from './child-process.js'
import { CachedReadKv } from './history-cached-kv.js'
import { HistoryRecorder, now } from './history-recorder.js'
import { WatchRecording } from './history-watch.js'
import { runWorkload } from './history-workload.js'

export type HistoryClientRequest =
  | { cmd: 'run'; seed: number; ops: number; loops: number; keys: string[]; watch: boolean; cachedReads?: boolean }
  | { cmd: 'stop-watch'; revision: number }
  | { cmd: 'close' }

export type HistoryClientReply = { type: 'ready' } | { type: 'history'; operations: Operation[] } | { type: 'watch'; watches: WatchRecord[] } | { type: 'closed' }

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
  let watcher: WatchRecording | undefined
  process.on('message', (m: HistoryClientRequest) => {
    const handle = async (): Promise<void> => {
      if (m.cmd === 'stop-watch') {
        // The watcher covers every key the workload writes, so it sees the last revision itself.
        const watches = watcher === undefined ? [] : [await watcher.stopAt(m.revision)]
        await reply({ type: 'watch', watches })
        return
      }
      if (m.cmd === 'close') {
        await store.close()
        await reply({ type: 'closed' })
        leaveParent()
        return
      }
      if (m.watch) {
        const request = { key: 'k', prefix: true, prevKv: true }
        watcher = new WatchRecording(`${name}/watch`, request, 1, now(), store.watch({ ...request, startRevision: 1 }))
      }
      const recorder = new HistoryRecorder()
      // Gets as consistent reads from this process's watch cache (test/verify/cached-reads.test.ts).
      const kv = m.cachedReads === true ? new CachedReadKv(store) : store
      const loops = Array.from({ length: m.loops }, (_, i) =>
        runWorkload(kv, recorder, { client: `${name}/${i}`, seed: m.seed + i, ops: m.ops, keys: m.keys }),
      )
      await Promise.all(loops)
      await reply({ type: 'history', operations: recorder.operations })
    }
    handle().catch(reportFailure)
  })
  await reply({ type: 'ready' })
}

main().catch(reportFailure)
