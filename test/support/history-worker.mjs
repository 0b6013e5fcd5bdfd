// @ts-check
// piscina worker for test/verify/concurrent.test.ts: client loops on a worker thread, on their
// own connection to the shared database file, sending back every operation they recorded. Plain
// JavaScript: a worker does not inherit the TypeScript loader, so it registers tsx itself first.
import { register } from 'tsx/esm/api'

register()
const { openStore } = await import('../../src/index.ts')
const { HistoryRecorder } = await import('./history-recorder.ts')
const { runWorkload } = await import('./history-workload.ts')

/** @typedef {{ path: string, name: string, seed: number, ops: number, loops: number, keys: string[] }} HistoryWorkerTask */

/**
 * @param {HistoryWorkerTask} task
 * @returns {Promise<import('../../src/verify/index.ts').Operation[]>}
 */
export default async function run(task) {
  const store = await openStore({ path: task.path, durability: 'relaxed' })
  try {
    const recorder = new HistoryRecorder()
    const loops = Array.from({ length: task.loops }, (_, i) =>
      runWorkload(store, recorder, { client: `${task.name}/${i}`, seed: task.seed + i, ops: task.ops, keys: task.keys }),
    )
    await Promise.all(loops)
    return recorder.operations
  } finally {
    await store.close()
  }
}
