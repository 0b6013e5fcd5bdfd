// Moves WAL checkpoints off the main thread. The main connection keeps only a high backstop
// auto-checkpoint; a worker thread with its own connection runs PASSIVE checkpoints (which never
// block writers) each time the WAL has grown by about `walBytesPerCheckpoint` since the last one:
// SQLite's own cadence (1000 pages), without a write on the main thread paying for it. The
// thread starts with the first wake-up, so short-lived stores never pay for it.
import { Worker } from 'node:worker_threads'

/**
 * How the log estimates WAL growth and keeps the WAL in check (the numbers the Checkpointer is
 * driven by). With the checkpoint thread, the main connection checkpoints only if the WAL passes
 * `autocheckpointBackstopPages` (a backstop, e.g. if the thread falls behind); the thread is woken
 * when the WAL has grown by about SQLite's default auto-checkpoint size (1000 pages of 4 KiB).
 */
export const walBudget = Object.freeze({
  autocheckpointBackstopPages: 16_384,
  bytesPerCheckpoint: 4 * 1024 * 1024,
  // Per commit: a few pages always change (meta, index interior pages), and each appended row
  // lands in the table and in two indexes.
  bytesPerCommit: 3 * 4096,
  bytesPerRowOverhead: 96,
  // A delete dirties a table page and an index page wherever the row sits: count a good part of a
  // page per removed row (measured: compaction grew the WAL about 4x faster than key + 96 bytes).
  bytesPerRemovedRow: 1024,
  // After a checkpoint lets SQLite restart the WAL, the file is cut back to this size, so a burst
  // (a large compaction) does not leave a WAL of its high-water mark on disk.
  fileKeepBytes: 16 * 1024 * 1024,
})

export class Checkpointer {
  // The worker thread, once started; its exit promise resolves when it has closed its connection.
  private worker: { thread: Worker; exited: Promise<void> } | undefined
  // [0]: wake-ups; [1]: stop flag. Shared with the worker.
  private readonly shared = new Int32Array(new SharedArrayBuffer(8))
  // Estimated bytes appended to the WAL since the last wake-up.
  private walBytes = 0
  /** Checkpoints asked of the worker so far. */
  wakeups = 0
  private stopped = false
  // Last error the worker reported, if any (for diagnostics; never thrown).
  lastError: string | undefined
  // Checkpoints the worker has finished, and what the last one found.
  done = 0
  last: { walFrames: number; checkpointedFrames: number } | undefined
  private waiters: Array<{ count: number; resolve(): void }> = []

  constructor(
    private readonly path: string,
    private readonly busyTimeoutMs: number,
    private readonly walBytesPerCheckpoint: number,
  ) {}

  /** Called after each commit with an estimate of the bytes it added to the WAL. */
  committed(walBytes: number): void {
    this.walBytes += walBytes
    if (this.walBytes < this.walBytesPerCheckpoint || this.stopped) return
    this.walBytes = 0
    this.wakeups++
    this.worker ??= this.start()
    Atomics.add(this.shared, 0, 1)
    Atomics.notify(this.shared, 0)
  }

  private start(): { thread: Worker; exited: Promise<void> } {
    const thread = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      workerData: { path: this.path, signal: this.shared.buffer, busyTimeoutMs: this.busyTimeoutMs },
    })
    thread.on('message', (m: { checkpointError?: string; walFrames?: number; checkpointedFrames?: number }) => {
      if (m.checkpointError !== undefined) {
        this.lastError = m.checkpointError
        return
      }
      this.done++
      this.last = { walFrames: m.walFrames ?? 0, checkpointedFrames: m.checkpointedFrames ?? 0 }
      const ready = this.waiters.filter((w) => w.count <= this.done)
      this.waiters = this.waiters.filter((w) => w.count > this.done)
      for (const w of ready) w.resolve()
      if (this.waiters.length === 0 && !this.stopped) thread.unref()
    })
    thread.on('error', (err: Error) => {
      this.lastError = err.message
    })
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()))
    thread.unref()
    return { thread, exited }
  }

  /** Resolves once the worker has finished `count` checkpoints in all. */
  whenDone(count: number): Promise<void> {
    if (this.done >= count) return Promise.resolve()
    // Someone waits for the worker: it must keep the process alive meanwhile.
    this.worker?.thread.ref()
    return new Promise((resolve) => this.waiters.push({ count, resolve }))
  }

  /** Asks the worker to finish its checkpoint, close its connection and exit; resolves when it has. */
  stop(): Promise<void> {
    this.stopped = true
    if (this.worker === undefined) return Promise.resolve()
    // Keep the process alive until the worker has closed its connection.
    this.worker.thread.ref()
    Atomics.store(this.shared, 1, 1)
    Atomics.add(this.shared, 0, 1)
    Atomics.notify(this.shared, 0)
    return this.worker.exited
  }
}
