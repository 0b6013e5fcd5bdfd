// Leases for objects created with a TTL, shared as the apiserver's etcd3 leaseManager shares
// them: granting one lease per Event would double the writes of every event and fill the lease
// table. A lease granted for TTL t lives a little longer, t + r where r = min(5 % of t, 60 s), and
// later creates reuse it while it still outlives their own TTL by less than r:
//
//   now + ttl < expiry  (valid: the object lives at least its TTL)
//   expiry <= now + ttl + r  (sufficient: and at most r longer)
//
// and while fewer than objectsPerLeaseMax objects were attached (revoking a lease deletes its keys
// in one txn; that txn must stay within the store's limits). Worked example, TTL 3600 s: the
// first create grants a 3780 s lease (r = 180 s); creates in the next 180 s reuse it, their
// objects living 3600-3780 s; the first create after that grants a new one.
import type { Clock } from '../util/index.js'
import type { ObjectKv } from './types.js'

/** Kubernetes' defaults (apiserver storage.LeaseManagerConfig). */
export const leaseReuseSecondsMax = 60
export const leaseReuseFraction = 0.05
export const objectsPerLeaseMax = 1000

interface SharedLease {
  id: number
  /** Clock milliseconds at which the lease expires (as granted; keep-alives are not used). */
  expiresMs: number
  attached: number
}

export class LeaseManager {
  // The last lease granted per requested TTL: Events of one TTL share one lease at a time.
  private readonly leases = new Map<number, SharedLease>()
  // Grants in flight per TTL, so concurrent creates wait for one grant rather than each granting.
  private readonly pending = new Map<number, Promise<SharedLease>>()

  /** TTLs with a lease on hand (for tests: expired ones are dropped at the next grant). */
  get ttlsHeld(): number {
    return this.leases.size
  }

  constructor(
    private readonly kv: Pick<ObjectKv, 'leaseGrant'>,
    private readonly clock: Clock,
  ) {}

  /** A lease ID for an object that must live at least `ttlSeconds` (and at most a little longer). */
  async leaseFor(ttlSeconds: number): Promise<number> {
    for (;;) {
      const nowMs = this.clock.now()
      const reuseMs = reuseSeconds(ttlSeconds) * 1000
      const lease = this.leases.get(ttlSeconds)
      if (lease !== undefined) {
        const valid = nowMs + ttlSeconds * 1000 < lease.expiresMs
        const sufficient = lease.expiresMs <= nowMs + ttlSeconds * 1000 + reuseMs
        if (valid && sufficient && lease.attached < objectsPerLeaseMax) {
          lease.attached++
          return lease.id
        }
      }
      const inFlight = this.pending.get(ttlSeconds)
      if (inFlight !== undefined) {
        await inFlight // then check again: it may be used up already
        continue
      }
      const granting = this.grant(ttlSeconds, reuseMs)
      this.pending.set(ttlSeconds, granting)
      try {
        const granted = await granting
        granted.attached++
        return granted.id
      } finally {
        this.pending.delete(ttlSeconds)
      }
    }
  }

  /** Stops handing out lease `id` (it was revoked): the next create grants a new one. */
  forget(id: number): void {
    for (const [ttl, lease] of this.leases) if (lease.id === id) this.leases.delete(ttl)
  }

  private async grant(ttlSeconds: number, reuseMs: number): Promise<SharedLease> {
    const startMs = this.clock.now()
    const r = await this.kv.leaseGrant(ttlSeconds + reuseMs / 1000)
    // Measured from before the grant: the lease's real expiry is no earlier than this.
    const lease = { id: r.id, expiresMs: startMs + r.ttl * 1000, attached: 0 }
    // One entry per TTL in use: drop the expired ones, so callers with many TTLs do not pile them up.
    for (const [ttl, old] of this.leases) if (old.expiresMs <= startMs) this.leases.delete(ttl)
    this.leases.set(ttlSeconds, lease)
    return lease
  }
}

/** Extra life of a shared lease: 5 % of the TTL, at most 60 s, whole seconds (lease TTLs are seconds). */
export function reuseSeconds(ttlSeconds: number): number {
  return Math.min(leaseReuseSecondsMax, Math.floor(ttlSeconds * leaseReuseFraction))
}
