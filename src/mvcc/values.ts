// Values at rest pass through a ValueTransformer (encryption, in src/encryption): mvcc owns the
// interface, the wiring supplies the implementation. Writes store toStorage(key, plaintext); every
// read that returns, compares or sorts values sees fromStorage(key, stored). The storage key is the
// transformer's additional authenticated data, so a value copied under another key fails to read.
import { StorageError, TransformerError, describeKey } from '../util/index.js'
import type { Interval, Log, LogId, LogRow, RangeRow, ReadTxn } from './log.js'

export interface ValueTransformer {
  toStorage(key: Uint8Array, plaintext: Uint8Array): Uint8Array
  /** stale: the value was written under a key or provider that is no longer the first. */
  fromStorage(key: Uint8Array, stored: Uint8Array): { value: Uint8Array; stale: boolean }
}

export const identityTransformer: ValueTransformer = Object.freeze({
  toStorage: (_key: Uint8Array, plaintext: Uint8Array) => plaintext,
  fromStorage: (_key: Uint8Array, stored: Uint8Array) => ({ value: stored, stale: false }),
})

/** A row whose value (if read) is plaintext; stale as reported by the transformer. */
export type PlainRow = RangeRow & { stale: boolean }

const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

// A transformer's own typed errors (DecryptError, EncryptError) pass as they are; anything else it
// throws (a plain Error from a key service that is down) fails only this value's call, typed.
function typed(err: unknown, key: Buffer, direction: 'toStorage' | 'fromStorage'): StorageError {
  if (err instanceof StorageError) return err
  return new TransformerError(describeKey(key), direction, { cause: err })
}

/** Reads from the log with values turned back into plaintext. */
export class ValueReader {
  constructor(
    readonly log: Log,
    readonly transformer: ValueTransformer,
  ) {}

  /** The bytes to store for a plaintext value of key. */
  seal(key: Buffer, plaintext: Buffer): Buffer {
    let stored: unknown
    try {
      stored = this.transformer.toStorage(key, plaintext)
    } catch (err) {
      throw typed(err, key, 'toStorage')
    }
    if (!(stored instanceof Uint8Array)) throw typed(new TypeError('did not return bytes'), key, 'toStorage')
    return toBuffer(stored)
  }

  open(key: Buffer, stored: Buffer | null): { value: Buffer | null; stale: boolean } {
    if (stored === null) return { value: null, stale: false }
    let out: unknown
    try {
      out = this.transformer.fromStorage(key, stored)
    } catch (err) {
      throw typed(err, key, 'fromStorage')
    }
    const value = typeof out === 'object' && out !== null ? (out as { value?: unknown }).value : undefined
    if (!(value instanceof Uint8Array)) throw typed(new TypeError('did not return { value: bytes }'), key, 'fromStorage')
    return { value: toBuffer(value), stale: (out as { stale?: unknown }).stale === true }
  }

  range(tx: ReadTxn, q: { interval: Interval; revision: number | undefined; limit: number; withValues: boolean }): PlainRow[] {
    return this.log.range(tx, q).map((r) => ({ ...r, ...this.open(r.key, r.value) }))
  }

  count(tx: ReadTxn, interval: Interval, revision: number | undefined): number {
    return this.log.count(tx, interval, revision)
  }

  /** A log row as stored (for copying its value unchanged) and as plaintext. */
  row(tx: ReadTxn, id: LogId): { stored: LogRow; plain: PlainRow } | undefined {
    const stored = this.log.row(tx, id)
    if (stored === undefined) return undefined
    const plain: PlainRow = { ...stored, modRev: stored.rev, ...this.open(stored.key, stored.value) }
    return { stored, plain }
  }
}
