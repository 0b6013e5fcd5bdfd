// HashKV (M4) over the store's public API: a digest of the MVCC state in (compactRevision,
// revision]: the live keys as of the compaction point, then every event after it up to revision.
// Deterministic (equal histories give equal hashes, across restarts and processes); not
// comparable with etcd's CRC32-C over bbolt rows.
import { createHash, type Hash } from 'node:crypto'
import type { KeyValue } from '../mvcc/index.js'
import { CompactedError, FutureRevisionError } from '../util/index.js'
import type { FrontStore } from './front-store.js'

const pageEvents = 1000

function addKv(h: Hash, tag: string, kv: KeyValue): void {
  h.update(`${tag}${kv.key.length}:`)
  h.update(kv.key)
  h.update(`:${kv.createRevision}:${kv.modRevision}:${kv.version}:${kv.lease}:${kv.value.length}:`)
  h.update(kv.value)
}

export interface HashKvResult { hash: number; compactRevision: number; revision: number }

export async function hashKv(store: FrontStore, requested: number): Promise<HashKvResult> {
  const current = store.revision
  const compactRevision = store.compactRevision
  const revision = requested <= 0 ? current : requested
  if (revision > current) throw new FutureRevisionError(revision, current)
  if (revision < compactRevision) throw new CompactedError(revision, compactRevision)
  const h = createHash('sha256')
  h.update(`compact:${compactRevision}\n`)
  if (compactRevision > 0) {
    const base = await store.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]), revision: compactRevision })
    for (const kv of base.kvs) addKv(h, 'L', kv)
  }
  let position = store.eventPositionBefore(compactRevision + 1)
  for (;;) {
    const batch = store.readEvents(position, pageEvents)
    for (const e of batch.events) {
      if (e.kv.modRevision > revision) return { hash: h.digest().readUInt32BE(0), compactRevision, revision }
      addKv(h, e.type === 'PUT' ? 'P' : 'D', e.kv)
    }
    if (batch.events.length === 0) break
    position = batch.position
  }
  return { hash: h.digest().readUInt32BE(0), compactRevision, revision }
}
