// KV: Range, Put, DeleteRange, Txn, Compact, over the store's public API (etcd-semantics.md §2-5).
import type * as grpc from '@grpc/grpc-js'
import { type FrontContext, unary } from './front-context.js'
import {
  checkTxnOps,
  deleteFromWire,
  kvToWire,
  int64,
  putFromWire,
  rangeFromWire,
  txnFromWire,
  txnToWire,
  txnWrites,
  type WireDeleteRequest,
  type WirePutRequest,
  type WireRangeRequest,
  type WireTxnRequest,
} from './wire.js'

// Inner responses of a txn carry a header with the revision only, as etcd's applier fills them.
const innerHeader = (revision: number): { revision: string } => ({ revision: String(revision) })

export function kvHandlers(ctx: FrontContext): grpc.UntypedServiceImplementation {
  const store = ctx.store
  return {
    Range: unary(ctx, async (r: WireRangeRequest) => {
      const res = await store.range(rangeFromWire(r))
      return { header: ctx.header(res.revision), kvs: res.kvs.map(kvToWire), more: res.more, count: String(res.count) }
    }),
    Put: unary(ctx, async (r: WirePutRequest) => {
      const put = putFromWire(r)
      ctx.checkSize(r)
      ctx.checkSpace()
      const res = await store.put(put.key, put.value, put)
      return { header: ctx.header(res.revision), prev_kv: res.prevKv === undefined ? null : kvToWire(res.prevKv) }
    }),
    DeleteRange: unary(ctx, async (r: WireDeleteRequest) => {
      const d = deleteFromWire(r)
      ctx.checkSize(r)
      const res = await store.deleteRange(d)
      return { header: ctx.header(res.revision), deleted: String(res.deleted), prev_kvs: (res.prevKvs ?? []).map(kvToWire) }
    }),
    Txn: unary(ctx, async (r: WireTxnRequest) => {
      checkTxnOps(r, ctx.maxTxnOps)
      const t = txnFromWire(r)
      const writes = txnWrites(r)
      if (writes) {
        ctx.checkSize(r)
        ctx.checkSpace()
      }
      const res = await store.txn(t)
      const wire = txnToWire(res, innerHeader)
      wire.header = ctx.header(res.revision)
      return wire
    }),
    Compact: unary(ctx, async (r: { revision: string; physical: boolean }) => {
      const res = await store.compact(int64(r.revision), { physical: r.physical === true })
      return { header: ctx.header(res.revision) }
    }),
  }
}
