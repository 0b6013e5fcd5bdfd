// Lease: Grant, Revoke, the KeepAlive stream, TimeToLive (with keys), Leases (etcd-semantics.md §7).
// IDs are int64 on the wire (decimal strings here); this store's IDs are below 2^53, so an ID
// beyond that cannot exist and is answered as a missing lease.
import type * as grpc from '@grpc/grpc-js'
import { LeaseNotFoundError } from '../util/index.js'
import { type FrontContext, unary } from './front-context.js'
import { invalid, toGrpcStatus } from './errors.js'
import { int64, leaseIdOf, type Int64 } from './wire.js'

interface WireKeepAlive { ID: Int64 }

export class KeepAliveStream {
  private chain: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    private readonly ctx: FrontContext,
    private readonly call: grpc.ServerDuplexStream<WireKeepAlive, object>,
    private readonly onClosed: (s: KeepAliveStream) => void,
  ) {
    call.on('data', (req: WireKeepAlive) => {
      this.chain = this.chain.then(() => this.renew(req)).catch((err: unknown) => {
        const s = toGrpcStatus(err)
        this.close(false)
        this.call.emit('error', { code: s.code, details: s.details })
      })
    })
    call.on('end', () => this.close(true))
    for (const ev of ['cancelled', 'error', 'close']) call.on(ev, () => this.close(false))
  }

  close(endCall: boolean): void {
    if (this.closed) return
    this.closed = true
    if (endCall) this.call.end()
    this.onClosed(this)
  }

  private async renew(req: WireKeepAlive): Promise<void> {
    if (this.closed) return
    const id = leaseIdOf(req.ID)
    let ttl = 0
    try {
      // L3: an unknown or expired lease answers TTL 0, not an error.
      if (id !== undefined && id !== 0) ttl = (await this.ctx.store.leaseKeepAlive(id)).ttl
    } catch (err) {
      const s = toGrpcStatus(err)
      this.call.emit('error', { code: s.code, details: s.details })
      this.close(false)
      return
    }
    if (!this.closed) this.call.write({ header: this.ctx.header(this.ctx.store.revision), ID: String(req.ID ?? '0'), TTL: String(ttl) })
  }
}

export function leaseHandlers(ctx: FrontContext, streams: Set<{ close(endCall: boolean): void }>): grpc.UntypedServiceImplementation {
  const store = ctx.store
  const missing = (v: Int64): LeaseNotFoundError => new LeaseNotFoundError(Number(v))
  const LeaseKeepAlive: grpc.handleBidiStreamingCall<WireKeepAlive, object> = (call) => {
    streams.add(new KeepAliveStream(ctx, call, (s) => streams.delete(s)))
  }
  return {
    LeaseGrant: unary(ctx, async (r: { TTL: Int64; ID: Int64 }) => {
      ctx.checkSize(r)
      ctx.checkSpace()
      const id = leaseIdOf(r.ID)
      if (id === undefined) throw invalid('etchlog: lease IDs must be in [0, 2^53): this store cannot keep larger ones')
      const res = await store.leaseGrant(int64(r.TTL), id)
      return { header: ctx.header(store.revision), ID: String(res.id), TTL: String(res.ttl), error: '' }
    }),
    LeaseRevoke: unary(ctx, async (r: { ID: Int64 }) => {
      const id = leaseIdOf(r.ID)
      if (id === undefined || id === 0) throw missing(r.ID)
      const res = await store.leaseRevoke(id)
      return { header: ctx.header(res.revision) }
    }),
    LeaseKeepAlive,
    LeaseTimeToLive: unary(ctx, async (r: { ID: Int64; keys: boolean }) => {
      const id = leaseIdOf(r.ID)
      if (id === undefined || id === 0) return { header: ctx.header(store.revision), ID: String(r.ID), TTL: '-1', grantedTTL: '0', keys: [] }
      const res = await store.leaseTimeToLive(id, { keys: r.keys === true })
      return { header: ctx.header(store.revision), ID: String(res.id), TTL: String(res.ttl), grantedTTL: String(res.grantedTtl), keys: res.keys ?? [] }
    }),
    LeaseLeases: unary(ctx, async () => {
      const leases = await store.leases()
      return { header: ctx.header(store.revision), leases: leases.map((l) => ({ ID: String(l.id) })) }
    }),
  }
}
