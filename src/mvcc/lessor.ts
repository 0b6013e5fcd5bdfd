// Leases (etcd L1-L5). A lease row holds its granted TTL and its deadline on the store's clock;
// keys point at their lease from the live index, so revoking reads the attached keys from there.
// Expiry: a timer, set for the earliest deadline (and at least every pollMs, to notice leases
// granted by other processes), queues a revoke of every expired lease through the writer.
import { randomBytes } from 'node:crypto'
import { type Clock, InvalidArgumentError, LeaseExistsError, LeaseNotFoundError, type Limits, StorageError, type TimerHandle, assert, describeValue } from '../util/index.js'
import { deleteKeys, WriteScope, type BatchState } from './apply.js'
import type { Log } from './log.js'
import type { ValueReader } from './values.js'
import type { Writer } from './writer.js'

const LEASE_ID_MAX = Number.MAX_SAFE_INTEGER

function randomLeaseId(): number {
  // 53 random bits, never 0.
  const b = randomBytes(8)
  const id = (b.readUInt32BE(0) & 0x1fffff) * 2 ** 32 + b.readUInt32BE(4)
  return id === 0 ? 1 : id
}

export function checkLeaseId(id: number, allowZero: boolean): number {
  if (!Number.isSafeInteger(id) || id < 0 || (id === 0 && !allowZero) || id > LEASE_ID_MAX) {
    throw new InvalidArgumentError(`etcdserver: lease ID must be an integer in [1, ${LEASE_ID_MAX}], got ${describeValue(id)}`)
  }
  return id
}

export class Lessor {
  // The pending expiry timer, if any; at most one.
  private timer: TimerHandle | undefined
  private stopped = false

  private readonly log: Log

  constructor(
    private readonly values: ValueReader,
    private readonly writer: Writer,
    private readonly clock: Clock,
    private readonly limits: Readonly<Limits>,
    private readonly pollMs: number,
  ) {
    this.log = values.log
  }

  /** L1: TTL below the minimum is raised to it; an existing ID is refused; ID 0 picks one. */
  grant(b: BatchState, ttlSeconds: number, requestedId: number): { id: number; ttl: number } {
    if (!Number.isSafeInteger(ttlSeconds)) throw new InvalidArgumentError(`etcdserver: lease TTL must be an integer`)
    if (ttlSeconds > this.limits.leaseTtlMaxSeconds) throw new InvalidArgumentError('etcdserver: too large lease TTL')
    const ttl = Math.max(ttlSeconds, this.limits.leaseTtlMinSeconds)
    let id = requestedId
    if (id === 0) {
      do id = randomLeaseId()
      while (this.log.lease(b.tx, id) !== undefined)
    } else if (this.log.lease(b.tx, id) !== undefined) {
      throw new LeaseExistsError(id)
    }
    this.log.putLease(b.tx, { id, ttl, deadlineMs: b.nowMs + ttl * 1000 })
    return { id, ttl }
  }

  /** L2: all attached keys are deleted in one revision, in key order. */
  revoke(b: BatchState, id: number): number {
    if (this.log.lease(b.tx, id) === undefined) throw new LeaseNotFoundError(id)
    const s = new WriteScope(this.values, b)
    deleteKeys(s, this.log.leaseKeys(b.tx, id))
    this.log.deleteLease(b.tx, id)
    return s.finish()
  }

  /** L3: resets the deadline to a full TTL; a missing or expired lease answers TTL 0. */
  keepAlive(b: BatchState, id: number): number {
    const lease = this.log.lease(b.tx, id)
    if (lease === undefined || lease.deadlineMs <= b.nowMs) return 0
    this.log.putLease(b.tx, { ...lease, deadlineMs: b.nowMs + lease.ttl * 1000 })
    return lease.ttl
  }

  /** Revokes up to leaseRevokesPerPassMax expired leases, each in its own revision (L5). */
  expire(b: BatchState): number {
    const ids = this.log.leasesExpired(b.tx, b.nowMs, this.limits.leaseRevokesPerPassMax)
    for (const id of ids) this.revoke(b, id)
    return ids.length
  }

  /** (Re)arms the expiry timer for the earliest deadline, or pollMs from now, whichever is first. */
  schedule(): void {
    if (this.stopped) return
    this.timer?.cancel()
    const now = this.clock.now()
    const deadline = this.log.leaseDeadlineMin(this.log.autocommit)
    const due = deadline === undefined ? now + this.pollMs : Math.min(deadline, now + this.pollMs)
    this.timer = this.clock.setTimer(Math.max(0, due - now), () => this.fire())
  }

  private fire(): void {
    this.timer = undefined
    if (this.stopped) return
    this.writer.submit((b) => this.expire(b)).then(
      (expired) => {
        // A full pass may have left more expired leases: go again at once.
        if (expired >= this.limits.leaseRevokesPerPassMax) this.fire()
        else this.schedule()
      },
      (err: unknown) => {
        // The log refused the pass (locked, disk full): try again on the next poll, unless closed.
        assert(err instanceof StorageError, 'mvcc: lease expiry fails only with storage errors')
        this.schedule()
      },
    )
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.timer = undefined
  }
}
