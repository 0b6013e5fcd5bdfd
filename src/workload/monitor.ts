// The monitor: what a load balancer's health probe and a metrics scraper ask of the store every
// few seconds: status (revision, db size) and a health read (etcd's health check reads a key).
import type { StatusResponse } from '../mvcc/index.js'
import type { ActorContext } from './context.js'
import { cadence } from './options.js'
import { every } from './scheduler.js'

export class Monitor {
  // The latest status, for the progress line; undefined until the first poll.
  last: StatusResponse | undefined

  constructor(private readonly ctx: ActorContext) {}

  run(): Promise<void> {
    return every(this.ctx.scheduler, this.ctx.real(cadence.monitorMs), 0, this.ctx.signal, () => this.poll())
  }

  async poll(): Promise<void> {
    const status = await this.ctx.timed('monitor', async () => {
      const s = await this.ctx.kv.status()
      await this.ctx.kv.get('health')
      return s
    })
    if (status !== undefined) this.last = status
  }
}
