// Group commit. Writes submitted while the event loop is busy are queued and applied together in
// one SQLite transaction: one fsync for the whole group, each caller answered with its own
// result and revision, in submission order. One writer decides every revision.
//
// Example: three puts arrive in one tick. flush() opens BEGIN IMMEDIATE, reads the head
// (revision 7, perhaps written by another process), applies put#1 at 8, put#2 fails its check
// (lease not found: rejected, nothing written), put#3 at 9, stores revision 9, commits, and only
// then resolves #1 and #3. A job that fails after writing part of itself (disk full on a large
// value) makes the whole group roll back and run again without it: it fails only its own caller,
// and the common path pays for no savepoints.
import { type Clock, type StorageError, TooManyRequestsError, assert, defer, verify } from '../util/index.js'
import type { BatchState } from './apply.js'
import type { Head, Log } from './log.js'

interface Job {
  run(batch: BatchState): unknown
  resolve(value: unknown): void
  reject(err: unknown): void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

export class Writer {
  // Jobs waiting for the next flush, in submission order.
  private queue: Job[] = []
  // True while a flush is scheduled and has not run yet.
  private scheduled = false
  // Resolvers of callers waiting for the queue to drain (close()).
  private drainWaiters: Array<() => void> = []

  constructor(
    private readonly log: Log,
    private readonly clock: Clock,
    private readonly pendingMax: number,
    private readonly onCommit: (head: Head) => void,
    /** When set, every write is refused with it (a read-only store). */
    private readonly refusal?: () => StorageError,
  ) {}

  get pending(): number {
    return this.queue.length
  }

  submit<T>(run: (batch: BatchState) => T): Promise<T> {
    if (this.refusal !== undefined) return Promise.reject(this.refusal())
    if (this.queue.length >= this.pendingMax) return Promise.reject(new TooManyRequestsError(this.queue.length))
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject })
      if (!this.scheduled) {
        this.scheduled = true
        defer(() => this.flush())
      }
    })
  }

  /** Resolves once every job submitted so far has been committed or rejected. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.scheduled) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  private flush(): void {
    this.scheduled = false
    const jobs = this.queue
    this.queue = []
    if (jobs.length > 0) this.commit(jobs)
    if (this.queue.length === 0) {
      const waiters = this.drainWaiters
      this.drainWaiters = []
      for (const w of waiters) w()
    }
  }

  private commit(jobs: Job[]): void {
    let pending = jobs
    // Each pass either commits or drops one job that failed after writing part of itself (disk
    // full can do that): that job alone is refused and the others are tried again without it.
    while (pending.length > 0) {
      const pass = this.tryCommit(pending)
      if (pass.kind === 'committed') {
        this.onCommit(pass.head)
        pending.forEach((job, i) => {
          const o = pass.outcomes[i]
          assert(o !== undefined, 'mvcc: every job of a committed batch has an outcome')
          if (o.ok) job.resolve(o.value)
          else job.reject(o.error)
        })
        return
      }
      if (pass.kind === 'failed') {
        // Nothing was committed and no single job is to blame (e.g. the lock was not granted).
        for (const job of pending) job.reject(pass.error)
        return
      }
      pending[pass.index]?.reject(pass.error)
      pending = pending.filter((_, i) => i !== pass.index)
    }
  }

  private tryCommit(
    jobs: Job[],
  ):
    | { kind: 'committed'; head: Head; outcomes: Outcome[] }
    | { kind: 'lost'; index: number; error: unknown }
    | { kind: 'failed'; error: unknown } {
    const outcomes: Outcome[] = []
    let lost: { index: number; error: unknown } | undefined
    try {
      const head = this.log.write((tx) => {
        const start = this.log.head(tx)
        const batch: BatchState = {
          tx,
          revision: start.revision,
          compactRevision: start.compactRevision,
          nowMs: this.clock.now(),
        }
        for (const [index, job] of jobs.entries()) {
          const writesBefore = this.log.writesInTransaction(tx)
          try {
            outcomes.push({ ok: true, value: job.run(batch) })
          } catch (err) {
            // An error before the job wrote anything (a failed check: requests check first, as
            // etcd does) refuses this job alone. One after it wrote (disk full mid-way, or SQLite
            // abandoned the transaction) would leave half a request: the batch is rolled back and
            // tried again without this job. An untyped error (a bug, or a callback's) is treated
            // the same way, so it fails its own caller only and every promise settles.
            if (this.log.writesInTransaction(tx) !== writesBefore) {
              lost = { index, error: err }
              throw err
            }
            outcomes.push({ ok: false, error: err })
          }
        }
        assert(batch.revision >= start.revision, 'mvcc: revision must not go backwards')
        if (batch.revision !== start.revision) this.log.setRevision(tx, batch.revision)
        // Every new revision wrote rows, so the newest row carries the store revision.
        verify(
          () => batch.revision === start.revision || this.log.lastRowRevision(tx) === batch.revision,
          'mvcc: the newest log row is at the store revision',
        )
        return { ...start, revision: batch.revision, compactRevision: batch.compactRevision }
      })
      return { kind: 'committed', head, outcomes }
    } catch (err) {
      if (lost !== undefined) return { kind: 'lost', ...lost }
      // Not a job's fault (lock not granted, disk full at commit, or a bug in the batch's own
      // bookkeeping): every caller of the batch is answered with it rather than left pending.
      return { kind: 'failed', error: err }
    }
  }
}
