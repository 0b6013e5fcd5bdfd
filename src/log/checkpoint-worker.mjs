// @ts-check
// Runs SQLite WAL checkpoints on a thread of its own, so no write on the main thread pays for
// copying the WAL into the database file (a checkpoint can take tens of milliseconds).
// Woken through shared memory by the main thread every few commits; see checkpointer.ts.
// Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader.
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'

/** @type {{ path: string, signal: SharedArrayBuffer, busyTimeoutMs: number }} */
const { path, signal, busyTimeoutMs } = workerData
// [0]: wake-ups sent by the main thread; [1]: 1 once the worker must stop.
const shared = new Int32Array(signal)
const db = new Database(path, { timeout: busyTimeoutMs })
let seen = 0
for (;;) {
  Atomics.wait(shared, 0, seen)
  seen = Atomics.load(shared, 0)
  if (Atomics.load(shared, 1) === 1) break
  try {
    const rows = /** @type {Array<{ busy: number, log: number, checkpointed: number }>} */ (
      db.pragma('wal_checkpoint(PASSIVE)')
    )
    parentPort?.postMessage({ walFrames: rows[0]?.log ?? 0, checkpointedFrames: rows[0]?.checkpointed ?? 0 })
  } catch (err) {
    // A failed passive checkpoint loses nothing: the frames stay in the WAL for the next one,
    // and the main connection's backstop auto-checkpoint still bounds the WAL.
    parentPort?.postMessage({ checkpointError: err instanceof Error ? err.message : String(err) })
  }
}
db.close()
