// A CI pipeline: every so often it ships a new version of one Deployment: the app's ConfigMap
// gets the new release, then the Deployment a new image tag (following its generation) and
// sometimes a new replica count, each a PATCH (the store's CAS loop), as `kubectl apply` of
// changed manifests does. Now and then it rotates the app's Secret. The store bumps the
// Deployment's metadata.generation because its spec changed. Conflicts come from the deployment
// controller's status writes to the same object.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import { configMapKey, configMapObject, container, field, record, secretKey, secretObject, splitKey, prefixes } from './objects.js'
import { cadence } from './options.js'
import type { Rng } from './rng.js'
import { every } from './scheduler.js'

/** One release in this many also rotates the app's credentials. */
const secretRotationEvery = 5

export class Deployer {
  constructor(
    private readonly ctx: ActorContext,
    /** Keys of every Deployment of the cluster. */
    private readonly deployments: readonly string[],
    /** key -> generation bumps written by every deployer: the stored generation must match. */
    private readonly written: Map<string, number>,
    private readonly rng: Rng,
  ) {}

  run(): Promise<void> {
    const period = this.ctx.real(cadence.deployMs)
    return every(this.ctx.scheduler, period, this.rng.next() * period, this.ctx.signal, () => this.deploy())
  }

  private async deploy(): Promise<void> {
    const key = this.rng.pick(this.deployments)
    const at = key === undefined ? undefined : splitKey(prefixes.deployments, key)
    if (key === undefined || at === undefined) return
    const scale = this.rng.chance(0.25) ? (this.rng.chance(0.5) ? 1 : -1) : 0
    const rotate = this.rng.chance(1 / secretRotationEvery)
    const secret = secretObject(at.namespace, at.name, this.rng)
    const out = await this.ctx.timed(
      'deploy',
      async () => {
        const current = await this.ctx.client.get(key)
        const version = (current?.metadata.generation ?? 0) + 1
        const config = configMapObject(at.namespace, at.name, version)
        await this.ctx.client.upsert(configMapKey(at.namespace, at.name), () => config, (c) => ({ ...c, data: config['data'] }))
        if (rotate) await this.ctx.client.upsert(secretKey(at.namespace, at.name), () => secret, (s) => ({ ...s, data: secret['data'] }))
        return this.ctx.client.update(key, (d) => ship(d, scale))
      },
      (o) => o.attempts,
    )
    if (out?.written === true) this.written.set(key, (this.written.get(key) ?? 0) + 1)
  }
}

function ship(d: KubeObject, scale: number): KubeObject {
  const spec = record(d, 'spec')
  const replicas = Number(spec['replicas'] ?? 1)
  spec['replicas'] = Math.min(8, Math.max(2, replicas + scale))
  const podSpec = record(record(spec, 'template'), 'spec')
  // A new image tag every time, so the spec always changes and the store bumps generation by one.
  podSpec['containers'] = [container(d.metadata.name, d.metadata.generation + 1)]
  // Keep what the controller reads in step: the template's labels never change.
  if (field(spec, 'selector') === undefined) spec['selector'] = { matchLabels: { app: d.metadata.name } }
  return d
}
