// What every service of the front shares: the store, this member's identity (stable across
// restarts: derived from the name and the database path), the limits, the active alarms.
import { createHash } from 'node:crypto'
import type * as grpc from '@grpc/grpc-js'
import type { FrontStore } from './front-store.js'
import { EtcdGrpcError, etcdMessages, invalid, isNoSpace, toGrpcStatus } from './errors.js'
import { status as Status } from '@grpc/grpc-js'
import { wireSize } from './proto.js'
import type { WireHeader } from './wire.js'

/** etcd's fixed raft term for a single member that never re-elects. */
export const RAFT_TERM = 2

export interface FrontSettings {
  store: FrontStore
  name: string
  maxRequestBytes: number
  maxTxnOps: number
  /** Reported by Status; clients gate features on it (etcd-grpc-surface.md §2.3). */
  version: string
}

export type AlarmType = 1 | 2 // NOSPACE, CORRUPT (DO-NOT-RENUMBER: etcd's AlarmType)

export class FrontContext {
  readonly store: FrontStore
  readonly name: string
  readonly maxRequestBytes: number
  readonly maxTxnOps: number
  readonly version: string
  readonly clusterId: string
  readonly memberId: string
  // Active alarms of this member (etcd keeps them in its backend; here, until disarmed or restart).
  readonly alarms = new Set<AlarmType>()
  // The client URLs actually bound: MemberList answers them.
  clientUrls: string[] = []

  constructor(s: FrontSettings, storePath: string) {
    this.store = s.store
    this.name = s.name
    this.maxRequestBytes = s.maxRequestBytes
    this.maxTxnOps = s.maxTxnOps
    this.version = s.version
    const digest = createHash('sha256').update(`${s.name}\0${storePath}`).digest()
    // uint64 IDs, never 0 (etcd's 0 means "none").
    this.clusterId = (digest.readBigUInt64BE(0) | 1n).toString()
    this.memberId = (digest.readBigUInt64BE(8) | 1n).toString()
  }

  header(revision: number): WireHeader {
    return { cluster_id: this.clusterId, member_id: this.memberId, revision: String(revision), raft_term: String(RAFT_TERM) }
  }

  /** etcd's raft-side size check: writes larger than --max-request-bytes are refused. */
  checkSize(request: object): void {
    if (wireSize(request) > this.maxRequestBytes) throw invalid(etcdMessages.requestTooLarge)
  }

  /** Under NOSPACE, writes are refused as etcd's capped applier refuses them (M5). */
  checkSpace(): void {
    if (this.alarms.has(1)) throw new EtcdGrpcError(Status.RESOURCE_EXHAUSTED, etcdMessages.noSpace)
  }

  /** A write failed: a quota failure raises the NOSPACE alarm, as etcd does. */
  noticeFailure(err: unknown): void {
    if (isNoSpace(err)) this.alarms.add(1)
  }
}

type UnaryHandler<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>

/** A grpc-js unary handler from an async function; errors become etcd's status and message. */
export function unary<Req, Res>(ctx: FrontContext, fn: UnaryHandler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => {
        ctx.noticeFailure(err)
        const s = toGrpcStatus(err)
        callback({ code: s.code, details: s.details })
      },
    )
  }
}
