// Worker threads for store reads (issue 12): a piscina pool whose threads each open the database
// file read-only (SQLite WAL: readers never block the writer or each other) and answer range
// requests there, so a large range's SQL and decryption never run on the event loop. Pass
// `pool.range` as ObjectStoreOptions.storeRange: the object layer's store-path lists (the
// fallbacks of docs/read-path.md) then read through it and only decode on the main thread, in
// bounded slices.
//
// Consistency: a worker's read transaction starts after the request was sent, so it sees every
// commit acknowledged before (WAL), and pages pinned to a revision read that exact revision.
// Faults: a StorageError in a worker comes back with its code; a worker that dies (or hits an
// error that is not a StorageError, e.g. a corrupt page reported by the driver) fails only that
// read with ReadWorkerError, and piscina starts a new thread in its place.
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import type { EncryptionConfig } from './encryption/index.js'
import type { RangeRequest, RangeResponse } from './mvcc/index.js'
import { sendEncryptionConfig } from './reseal-pool.js'
import { CompactedError, FutureRevisionError, InvalidArgumentError, StorageError, type StatusReason } from './util/index.js'

export interface ReadPoolOptions {
  /** The database file (the store's path). */
  path: string
  /** The store's encryption configuration, if values are encrypted (kms providers cannot be sent). */
  encryption?: EncryptionConfig
  /** Worker threads (default 1). */
  threads?: number
}

export interface ReadPool {
  readonly threads: number
  /** A KvStore.range, on a worker thread. */
  range(request: RangeRequest): Promise<RangeResponse>
  /** Stops the workers; reads fail afterwards. */
  close(): Promise<void>
  /** Fault tests: the worker that takes this task exits mid-task; resolves to the error that read got. */
  exitOneWorker(): Promise<unknown>
}

/** A read worker died or failed outside the store's own errors: this read only; the pool goes on. */
export class ReadWorkerError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InternalError', `read pool: ${message}`, options)
  }
}

interface WorkerFailure {
  code: StatusReason
  message: string
  compacted?: [number, number]
  future?: [number, number]
}
type WorkerAnswer = { ok: RangeResponse } | { error: WorkerFailure }

/** The store's error as the worker saw it, rebuilt with its class where callers test for one. */
function rebuildError(e: WorkerFailure): StorageError {
  if (e.compacted !== undefined) return new CompactedError(e.compacted[0], e.compacted[1])
  if (e.future !== undefined) return new FutureRevisionError(e.future[0], e.future[1])
  return new StorageError(e.code, e.message)
}

export function createReadPool(options: ReadPoolOptions): ReadPool {
  const threads = options.threads ?? 1
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > Math.max(64, availableParallelism())) {
    throw new InvalidArgumentError(`read pool: threads must be in [1, ${Math.max(64, availableParallelism())}], got ${String(threads)}`)
  }
  const pool = new Piscina({
    filename: new URL('./read-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: { path: options.path, ...(options.encryption === undefined ? {} : { config: sendEncryptionConfig(options.encryption) }) },
  })
  let closed = false
  const run = async (task: unknown): Promise<WorkerAnswer> => {
    if (closed) throw new InvalidArgumentError('read pool: closed')
    try {
      return (await pool.run(task)) as WorkerAnswer
    } catch (err) {
      throw new ReadWorkerError(err instanceof Error ? err.message : String(err), { cause: err })
    }
  }
  return {
    threads,
    async range(request: RangeRequest): Promise<RangeResponse> {
      const answer = await run({ op: 'range', request })
      if ('error' in answer) throw rebuildError(answer.error)
      return answer.ok
    },
    async exitOneWorker(): Promise<unknown> {
      return run({ op: 'exit' }).then(
        () => undefined,
        (err: unknown) => err,
      )
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      await pool.destroy()
    },
  }
}
