// Events, as kube-apiserver stores them: each create carries a TTL (ttlSeconds), so the store
// attaches a lease and the event disappears after --event-ttl. The object layer shares leases
// between events of one TTL, as kube-apiserver's lease manager does (src/objects/lease-manager.ts).
import type { ActorContext } from './context.js'
import { eventObject, prefixes, type EventSubject } from './objects.js'

export class EventRecorder {
  // Makes event names unique within the run (Kubernetes appends a hex timestamp).
  private seq = 0

  constructor(private readonly ctx: ActorContext) {}

  /** Lease TTLs run on the store's clock (real seconds): cluster seconds divided by speedup, at least the store's 2 s minimum. */
  get ttlSeconds(): number {
    return Math.max(2, Math.ceil(this.ctx.options.eventTtlSeconds / this.ctx.options.speedup))
  }

  /** Creates one event about `subject`; errors are counted by ctx.timed. */
  async record(subject: EventSubject, reason: string, message: string, component: string): Promise<void> {
    if (this.ctx.stopping) return
    const name = `${subject.name}.${Math.floor(this.ctx.clusterNowMs()).toString(16)}${(this.seq++).toString(16).padStart(6, '0')}`
    const event = eventObject(name, subject, reason, message, component, this.ctx.clusterNow())
    await this.ctx.timed('event', () => this.ctx.client.create(`${prefixes.events}${subject.namespace}/${name}`, event, this.ttlSeconds))
  }
}
