// One shared informer per resource, so every loop that watches pods reads one cache and one stream.
import type { Clock } from '../util/index.js'
import type { ApiClient } from './api-client.js'
import { Informer } from './informer.js'
import type { ResourceRef } from './resource-ref.js'
import type { KubeObject } from './types.js'

export class InformerFactory {
  private readonly informers = new Map<string, Informer>()

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void }) {}

  for<T extends KubeObject = KubeObject>(r: ResourceRef): Informer<T> {
    const key = `${r.group}/${r.resource}`
    let inf = this.informers.get(key)
    if (inf === undefined) {
      inf = new Informer(this.d.client, r, { clock: this.d.clock, log: this.d.log })
      this.informers.set(key, inf)
    }
    return inf as unknown as Informer<T>
  }

  /** Starts every informer made so far and waits for their first lists. */
  async start(): Promise<void> {
    for (const inf of this.informers.values()) inf.start()
    await Promise.all([...this.informers.values()].map((inf) => inf.hasSynced()))
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((inf) => inf.stop()))
  }
}
