// Physical compaction (etcd C1, C3). compact(R) first makes R durable as the compaction point, so
// reads below R fail at once (nobody can see a half-removed history). Removal then runs in the
// background in steps of at most compactionBatchRowsMax rows, each its own short transaction that
// also records its progress (the cursor), so a crash resumes where it stopped and writers wait
// at most one step. When the rows are gone, free pages go back to the file system in steps
// (incremental vacuum).
import type { Head, Log } from './log.js'
import { type Clock, StorageError, type TimerHandle, defer } from '../util/index.js'

const VACUUM_PAGES_PER_STEP = 128
// A step gives way to queued writes, but only this many times in a row, so compaction still
// progresses under a steady write load.
const YIELDS_IN_A_ROW_MAX = 4

interface Waiter {
  revision: number
  resolve(): void
  reject(err: unknown): void
}

export class Compactor {
  // True while steps are scheduled; one chain of steps at a time.
  private running = false
  // Set when kick() arrives during a run: the run looks at the compaction point once more.
  private again = false
  private stopped = false
  // Callers of compact(..., { physical: true }), waiting for removal up to their revision.
  private waiters: Waiter[] = []

  // Pending retry after a failed step, if any.
  private retry: TimerHandle | undefined
  // Steps skipped in a row because writes were queued.
  private yields = 0

  constructor(
    private readonly log: Log,
    private readonly rowsPerStep: number,
    private readonly onProgress: (head: Head) => void,
    private readonly clock: Clock,
    private readonly retryMs: number,
    /** True while writes are queued: they go first. */
    private readonly writesWaiting: () => boolean,
  ) {}

  /** Runs `work` now, or later if writes are waiting (a bounded number of times in a row). */
  private whenWritesAllow(work: () => void): void {
    if (this.writesWaiting() && this.yields < YIELDS_IN_A_ROW_MAX) {
      this.yields++
      defer(() => this.whenWritesAllow(work))
      return
    }
    this.yields = 0
    work()
  }

  /** Starts removal if compaction is behind the compaction point; harmless if it is not. */
  kick(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    defer(() => this.step())
  }

  whenDone(revision: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ revision, resolve, reject })
      this.kick()
    })
  }

  stop(): void {
    this.stopped = true
    this.retry?.cancel()
    for (const w of this.waiters) w.reject(new StorageError('ServiceUnavailable', 'mvcc: store closed during compaction'))
    this.waiters = []
  }

  private step(): void {
    if (this.stopped) return
    let head: Head
    try {
      head = this.log.write((tx) => {
        const h = this.log.head(tx)
        if (h.compactedRevision >= h.compactRevision) return h
        const s = this.log.compactStep(tx, h.compactRevision, h.compactCursor, this.rowsPerStep)
        this.log.setCompaction(tx, h.compactRevision, s.cursor)
        if (s.done) this.log.setCompacted(tx, h.compactRevision)
        return { ...h, compactCursor: s.cursor, compactedRevision: s.done ? h.compactRevision : h.compactedRevision }
      })
    } catch (err) {
      this.fail(err)
      return
    }
    this.onProgress(head)
    if (head.compactedRevision < head.compactRevision) defer(() => this.whenWritesAllow(() => this.step()))
    else defer(() => this.whenWritesAllow(() => this.vacuum(head.compactedRevision)))
  }

  private vacuum(compacted: number): void {
    if (this.stopped) return
    let free: number
    try {
      free = this.log.vacuumStep(VACUUM_PAGES_PER_STEP)
    } catch (err) {
      this.fail(err)
      return
    }
    if (free > 0) {
      defer(() => this.whenWritesAllow(() => this.vacuum(compacted)))
      return
    }
    const done = this.waiters.filter((w) => w.revision <= compacted)
    this.waiters = this.waiters.filter((w) => w.revision > compacted)
    for (const w of done) w.resolve()
    if (this.again) {
      // A newer compaction point may have been set meanwhile.
      this.again = false
      defer(() => this.step())
      return
    }
    this.running = false
  }

  private fail(err: unknown): void {
    // The log refused a step (locked by another process, disk full). Waiters learn why; the
    // compaction point is durable, so the next kick (or the next open) resumes from the cursor.
    if (!(err instanceof StorageError)) throw err
    this.running = false
    this.again = false
    for (const w of this.waiters) w.reject(err)
    this.waiters = []
    // Try again later even if nobody asks: the removal must finish eventually.
    this.retry?.cancel()
    this.retry = this.clock.setTimer(this.retryMs, () => {
      this.retry = undefined
      this.kick()
    })
  }
}
