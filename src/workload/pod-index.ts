// Which pods run on which node, for the kubelets. A real kubelet watches its own pods through the
// API server (a field selector on spec.nodeName, filtered in the server's watch cache); here one
// watch on /registry/pods/ feeds all the kubelets of the process, with the filtering done here.
// It syncs with a watch-list (sendInitialEvents), the controllers with list + watch: both paths run.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import { Informer } from './informer.js'
import { field, prefixes } from './objects.js'

export class PodIndex {
  readonly informer: Informer
  // node -> keys of the pods bound to it.
  private readonly byNode = new Map<string, string[]>()
  // pod key -> its node, to move or drop it from byNode.
  private readonly nodeOf = new Map<string, string>()

  constructor(
    ctx: ActorContext,
    commitTimes: CommitTimes,
  ) {
    this.informer = new Informer(ctx, commitTimes, prefixes.pods, (key, object) => this.observe(key, object), 'watch-list')
  }

  on(node: string): readonly string[] {
    return this.byNode.get(node) ?? []
  }

  private observe(key: string, object: KubeObject | undefined): void {
    const before = this.nodeOf.get(key)
    // A pod's node is fixed at creation (and a re-created pod lands on the same one): only new
    // keys need looking at.
    if (object !== undefined && before !== undefined) return
    const after = object === undefined ? undefined : String(field(object, 'spec', 'nodeName'))
    if (before === after) return
    if (before !== undefined) {
      const list = this.byNode.get(before) ?? []
      this.byNode.set(
        before,
        list.filter((k) => k !== key),
      )
      this.nodeOf.delete(key)
    }
    if (after !== undefined) {
      this.nodeOf.set(key, after)
      this.byNode.set(after, [...(this.byNode.get(after) ?? []), key])
    }
  }
}
