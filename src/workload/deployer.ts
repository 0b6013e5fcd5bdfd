// A CI pipeline: every so often it ships a new version of one Deployment (the image tag follows
// the generation) and sometimes scales it, with a CAS update that bumps metadata.generation, as
// `kubectl apply` of a changed manifest does. Conflicts come from the deployment controller's
// status writes to the same object.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import { container, field, record } from './objects.js'
import { cadence } from './options.js'
import type { Rng } from './rng.js'
import { every } from './scheduler.js'

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
    if (key === undefined) return
    const scale = this.rng.chance(0.25) ? (this.rng.chance(0.5) ? 1 : -1) : 0
    const out = await this.ctx.timed(
      'deploy',
      () => this.ctx.client.guaranteedUpdate(key, (d) => ship(d, scale)),
      (o) => o.attempts,
    )
    if (out?.written === true) this.written.set(key, (this.written.get(key) ?? 0) + 1)
  }
}

function ship(d: KubeObject, scale: number): KubeObject {
  const generation = d.metadata.generation + 1
  d.metadata.generation = generation
  const spec = record(d, 'spec')
  const replicas = Number(spec['replicas'] ?? 1)
  spec['replicas'] = Math.min(8, Math.max(2, replicas + scale))
  const podSpec = record(record(spec, 'template'), 'spec')
  podSpec['containers'] = [container(d.metadata.name, generation)]
  // Keep what the controller reads in step: the template's labels never change.
  if (field(spec, 'selector') === undefined) spec['selector'] = { matchLabels: { app: d.metadata.name } }
  return d
}
