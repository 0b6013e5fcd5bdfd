// Compaction the way kube-apiserver does it (pkg/storage/etcd3/compact.go): every interval,
// compact to the revision it saw one interval earlier, so 5-10 minutes of history stay readable
// for watchers and continue tokens.
import type { ActorContext } from './context.js'
import { cadence } from './options.js'
import { every } from './scheduler.js'

export class Compaction {
  // The revision seen at the previous tick: the next compaction's target.
  private previous: number | undefined
  compactedTo = 0

  constructor(private readonly ctx: ActorContext) {}

  run(): Promise<void> {
    // A remote server compacts its own store (as kube-apiserver does etcd's).
    if (this.ctx.kv.remote === true) return Promise.resolve()
    const period = this.ctx.real(cadence.compactionMs)
    return every(this.ctx.scheduler, period, period, this.ctx.signal, () => this.tick())
  }

  private async tick(): Promise<void> {
    const target = this.previous
    this.previous = this.ctx.kv.revision
    if (target === undefined) return
    const r = await this.ctx.timed('compact', () => this.ctx.kv.compact(target))
    if (r !== undefined) this.compactedTo = target
  }
}
