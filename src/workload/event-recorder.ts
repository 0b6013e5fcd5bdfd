// Events, as kube-apiserver stores them: each create attaches a lease so the event disappears
// after --event-ttl, and leases are shared (reused for 60 s or 1,000 objects, lease_manager.go),
// so a busy cluster holds a handful of leases rather than one per event.
import { cadence } from './options.js'
import type { ActorContext } from './context.js'
import { eventObject, prefixes, type EventSubject } from './objects.js'

interface SharedLease {
  id: number
  grantedAtMs: number
  objects: number
}

export class EventRecorder {
  // The lease new events attach to; replaced when too old or too full.
  private current: SharedLease | undefined
  // A grant in flight, shared by callers that arrive meanwhile (one grant, not one per caller).
  private granting: Promise<SharedLease | undefined> | undefined
  // Every lease this run granted, to count at the end how many expired.
  readonly granted = new Set<number>()
  // Makes event names unique within the run (Kubernetes appends a hex timestamp).
  private seq = 0

  constructor(private readonly ctx: ActorContext) {}

  /** Creates one event about `subject`; errors are counted by ctx.timed. */
  async record(subject: EventSubject, reason: string, message: string, component: string): Promise<void> {
    if (this.ctx.stopping) return
    const lease = await this.lease()
    if (lease === undefined) return
    lease.objects++
    const name = `${subject.name}.${Math.floor(this.ctx.clusterNowMs()).toString(16)}${(this.seq++).toString(16).padStart(6, '0')}`
    const event = eventObject(name, subject, reason, message, component, this.ctx.clusterNow())
    await this.ctx.timed('event', () => this.ctx.client.create(`${prefixes.events}${subject.namespace}/${name}`, event, { lease: lease.id }))
  }

  private lease(): Promise<SharedLease | undefined> {
    const c = this.current
    const now = this.ctx.scheduler.monotonicMs()
    if (c !== undefined && now - c.grantedAtMs < this.ctx.real(cadence.leaseReuseMs) && c.objects < cadence.leaseReuseObjectsMax) {
      return Promise.resolve(c)
    }
    this.granting ??= this.grant().finally(() => {
      this.granting = undefined
    })
    return this.granting
  }

  private async grant(): Promise<SharedLease | undefined> {
    // The TTL covers the reuse window too, so the last event on a lease still lives a full TTL.
    // Leases run on the store's clock (real seconds): cluster seconds are divided by speedup.
    const ttlSeconds = Math.max(2, Math.ceil((this.ctx.options.eventTtlSeconds + cadence.leaseReuseMs / 1000) / this.ctx.options.speedup))
    const r = await this.ctx.timed('lease', () => this.ctx.kv.leaseGrant(ttlSeconds))
    if (r === undefined) return undefined
    this.ctx.stats.leasesGranted++
    this.granted.add(r.id)
    this.current = { id: r.id, grantedAtMs: this.ctx.scheduler.monotonicMs(), objects: 0 }
    return this.current
  }
}
