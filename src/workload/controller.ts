// The shape every controller here shares, as in kube-controller-manager: an informer feeds a
// work queue of item names (deduplicated: an item changed ten times is reconciled once, against
// the latest cache), and a worker reconciles one item at a time. Controllers of one kind split
// the items between them by hash, so each owns a shard but all of them list and watch the whole
// resource, as every replica of a real controller's informer does.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import { Informer, type InformerMode } from './informer.js'
import { hash32 } from './rng.js'

export interface Shard {
  index: number
  count: number
}

export abstract class Controller {
  readonly informer: Informer
  // Items waiting for the worker; insertion order is the order they are reconciled in.
  private readonly queue = new Set<string>()
  // Wakes the idle worker (an enqueue, or the run ending).
  private wake: (() => void) | undefined
  private worker: Promise<void> | undefined

  constructor(
    protected readonly ctx: ActorContext,
    commitTimes: CommitTimes,
    readonly name: string,
    prefix: string,
    private readonly shard: Shard,
    mode: InformerMode = 'list-watch',
  ) {
    this.informer = new Informer(ctx, commitTimes, prefix, (key, object) => this.observe(key, object), mode)
    ctx.signal.addEventListener('abort', () => this.wake?.(), { once: true })
  }

  /** Lists, starts watching, and starts the worker. */
  async start(): Promise<void> {
    await this.informer.start()
    this.worker = this.work()
  }

  /** Resolves when the worker has finished its current item (call after the run's signal aborts). */
  async drained(): Promise<void> {
    await this.worker
  }

  /** The work item a changed key maps to, or undefined when it concerns another controller. */
  protected abstract itemFor(key: string, object: KubeObject | undefined): string | undefined
  protected abstract reconcile(item: string): Promise<void>

  protected owns(item: string): boolean {
    return hash32(item) % this.shard.count === this.shard.index
  }

  protected enqueue(item: string): void {
    this.queue.add(item)
    this.wake?.()
  }

  private observe(key: string, object: KubeObject | undefined): void {
    const item = this.itemFor(key, object)
    if (item !== undefined && this.owns(item)) this.enqueue(item)
  }

  private async work(): Promise<void> {
    while (!this.ctx.stopping) {
      const item = this.queue.values().next()
      if (item.done === true) {
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = undefined
        continue
      }
      this.queue.delete(item.value)
      await this.reconcile(item.value)
    }
  }
}
