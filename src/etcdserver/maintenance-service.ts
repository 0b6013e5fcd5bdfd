// Maintenance (M1-M5): Status, Alarm, Defragment, Hash, HashKV, Snapshot; MoveLeader and
// Downgrade are refused as a single member has nobody to hand over to.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as grpc from '@grpc/grpc-js'
import { type AlarmType, type FrontContext, RAFT_TERM, unary } from './front-context.js'
import { toGrpcStatus, unimplemented } from './errors.js'
import { hashKv } from './hash-kv.js'
import { int64, type Int64 } from './wire.js'

/** etcd sends snapshots in 32 KiB pieces. */
const snapshotChunkBytes = 32 * 1024
const alarmNames: Record<AlarmType, string> = { 1: 'NOSPACE', 2: 'CORRUPT' }

async function status(ctx: FrontContext): Promise<object> {
  const s = await ctx.store.status()
  return {
    header: ctx.header(s.revision),
    version: ctx.version,
    dbSize: String(s.dbSize),
    leader: ctx.memberId,
    // A commit counter that only grows: the revision is one.
    raftIndex: String(s.revision),
    raftTerm: String(RAFT_TERM),
    raftAppliedIndex: String(s.revision),
    errors: [...ctx.alarms].map((a) => `memberID:${ctx.memberId} alarm:${alarmNames[a]} `),
    dbSizeInUse: String(s.dbSizeInUse),
    isLearner: false,
  }
}

function alarm(ctx: FrontContext, r: { action: number; memberID: Int64; alarm: number }): object {
  const type = r.alarm === 1 || r.alarm === 2 ? (r.alarm as AlarmType) : undefined
  const list = (types: Iterable<AlarmType>): object[] => [...types].map((a) => ({ memberID: ctx.memberId, alarm: a }))
  const header = ctx.header(ctx.store.revision)
  if (r.action === 1 && type !== undefined) {
    ctx.alarms.add(type)
    return { header, alarms: list([type]) }
  }
  if (r.action === 2 && type !== undefined) {
    const was = ctx.alarms.delete(type)
    return { header, alarms: was ? list([type]) : [] }
  }
  return { header, alarms: list(ctx.alarms) }
}

/** M3: a consistent copy, streamed in pieces, then a last piece holding the SHA-256 of the data. */
async function snapshot(ctx: FrontContext, call: grpc.ServerWritableStream<object, object>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'etchlog-front-snapshot-'))
  try {
    const file = join(dir, 'snapshot.db')
    await ctx.store.backup(file)
    const fh = await open(file, 'r')
    try {
      const size = (await fh.stat()).size
      const sum = createHash('sha256')
      let sent = 0
      while (sent < size && !call.cancelled) {
        const chunk = Buffer.alloc(Math.min(snapshotChunkBytes, size - sent))
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, sent)
        const blob = chunk.subarray(0, bytesRead)
        sum.update(blob)
        sent += bytesRead
        const header = ctx.header(ctx.store.revision)
        if (!call.write({ header, remaining_bytes: String(size - sent + 32), blob })) {
          await new Promise<void>((resolve) => {
            call.once('drain', resolve)
            call.once('close', resolve)
          })
        }
      }
      call.write({ header: ctx.header(ctx.store.revision), remaining_bytes: '0', blob: sum.digest() })
      call.end()
    } finally {
      await fh.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function maintenanceHandlers(ctx: FrontContext): grpc.UntypedServiceImplementation {
  const store = ctx.store
  const Snapshot: grpc.handleServerStreamingCall<object, object> = (call) => {
    snapshot(ctx, call).catch((err: unknown) => {
      const s = toGrpcStatus(err)
      call.emit('error', { code: s.code, details: s.details })
    })
  }
  return {
    Status: unary(ctx, async () => status(ctx)),
    Alarm: unary(ctx, async (r: { action: number; memberID: Int64; alarm: number }) => alarm(ctx, r)),
    Defragment: unary(ctx, async () => {
      const s = await store.defragment()
      return { header: ctx.header(s.revision) }
    }),
    Hash: unary(ctx, async () => {
      const h = await hashKv(store, 0)
      return { header: ctx.header(store.revision), hash: h.hash }
    }),
    HashKV: unary(ctx, async (r: { revision: Int64 }) => {
      const h = await hashKv(store, int64(r.revision))
      return { header: ctx.header(store.revision), hash: h.hash, compact_revision: String(h.compactRevision) }
    }),
    Snapshot,
    MoveLeader: unary(ctx, async () => {
      throw unimplemented('etchlog: single-node store, there is no other member to lead')
    }),
    Downgrade: unary(ctx, async () => {
      throw unimplemented('etchlog: downgrade is not supported')
    }),
  }
}

export function clusterHandlers(ctx: FrontContext): grpc.UntypedServiceImplementation {
  const refuse = unary(ctx, async () => {
    throw unimplemented('etchlog: single-node store, membership changes are not supported')
  })
  return {
    MemberList: unary(ctx, async () => ({
      header: ctx.header(ctx.store.revision),
      members: [{ ID: ctx.memberId, name: ctx.name, peerURLs: [], clientURLs: ctx.clientUrls, isLearner: false }],
    })),
    MemberAdd: refuse,
    MemberRemove: refuse,
    MemberUpdate: refuse,
    MemberPromote: refuse,
  }
}
