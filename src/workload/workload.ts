// One run of cluster traffic: bootstrap the cluster, start controllers (list+watch), kubelets,
// deployers, the monitor and compaction, let them run for the duration (or until stop()), then
// drain (no new operations; in-flight ones finish), verify, and hand back what happened.
import { setMaxListeners } from 'node:events'
import { defaultRegistry, ObjectCodec } from '../codec/index.js'
import type { StatusResponse } from '../mvcc/index.js'
import { ObjectStore } from '../objects/index.js'
import type { EncryptionSummary } from './at-rest.js'
import { bootstrap, deploymentKeys, type Baseline } from './bootstrap.js'
import { CommitTimes } from './commit-times.js'
import { Compaction } from './compaction.js'
import { ActorContext } from './context.js'
import type { Controller } from './controller.js'
import { Deployer } from './deployer.js'
import { DeploymentController } from './deployment-controller.js'
import { EndpointsController } from './endpoints-controller.js'
import { EventRecorder } from './event-recorder.js'
import { Kubelet } from './kubelet.js'
import type { KvApi } from './kv-api.js'
import { Monitor } from './monitor.js'
import { NodeLifecycleController } from './node-lifecycle-controller.js'
import { LeaseCountingKv } from './lease-kv.js'
import type { ObjectApi } from './object-api.js'
import { ObjectClient } from './object-client.js'
import { nodeName, storedKinds } from './objects.js'
import { clusterShape, type ClusterShape, type WorkloadOptions } from './options.js'
import { PodIndex } from './pod-index.js'
import { Rng } from './rng.js'
import { sleep, type Scheduler } from './scheduler.js'
import { Stats } from './stats.js'
import { verifyRun, type Verification } from './verify.js'

export type Phase = 'bootstrap' | 'running' | 'draining' | 'verifying' | 'done'

/** How objects reach the database: through ObjectStore, the codec's kinds, encryption at rest. */
export interface StoragePath {
  /** objects: the object API in this process; https: the Kubernetes REST API of a server. */
  api: 'objects' | 'https'
  codec: { protobuf: string[]; msgpack: string[] }
  /** undefined: values are stored as the codec wrote them (no transformer was configured). */
  encryption: EncryptionSummary | undefined
}

export interface WorkloadResult {
  options: WorkloadOptions
  shape: ClusterShape
  stats: Stats
  verification: Verification
  baseline: Baseline
  /** Stopped by stop() before the duration was up. */
  interrupted: boolean
  /** Real milliseconds of traffic (from the actors' start to the end of draining). */
  trafficMs: number
  revisionStart: number
  revisionEnd: number
  compactedTo: number
  controllers: number
  status: StatusResponse
  recentErrors: readonly string[]
  storage: StoragePath
}

export class Workload {
  readonly stats = new Stats()
  readonly ctx: ActorContext
  readonly monitor: Monitor
  readonly storage: StoragePath
  phase: Phase = 'bootstrap'
  private readonly leaseKv: LeaseCountingKv
  private readonly abort = new AbortController()
  private trafficStartMs: number | undefined

  constructor(
    private readonly kv: KvApi,
    private readonly scheduler: Scheduler,
    private readonly options: WorkloadOptions,
    /** What encrypts values at rest in `kv`, for the report (main.ts sets it up: at-rest.ts). */
    encryption?: EncryptionSummary,
    /** The object API the actors use; default: an ObjectClient on an ObjectStore over `kv` (embedded). */
    client?: ObjectApi,
  ) {
    // Every actor and controller listens for the end of the run on this one signal.
    setMaxListeners(0, this.abort.signal)
    const codec = new ObjectCodec(defaultRegistry())
    this.leaseKv = new LeaseCountingKv(kv, scheduler, this.stats)
    // The scheduler is the store's Clock here: creationTimestamps follow the run's time source.
    const objects = new ObjectStore({ kv: this.leaseKv, codec, clock: scheduler })
    this.ctx = new ActorContext(kv, client ?? new ObjectClient(objects), scheduler, this.stats, options, clusterShape(options), this.abort.signal)
    const protobuf = storedKinds.filter((k) => codec.registry.lookup(k.apiVersion, k.kind) !== undefined)
    const msgpack = storedKinds.filter((k) => !protobuf.includes(k))
    const name = (k: { apiVersion: string; kind: string }): string => `${k.apiVersion}/${k.kind}`
    this.storage = { api: client === undefined ? 'objects' : 'https', codec: { protobuf: protobuf.map(name), msgpack: msgpack.map(name) }, encryption }
    this.monitor = new Monitor(this.ctx)
  }

  /** Ends the traffic early (Ctrl-C): no new operations start; run() drains and verifies. */
  stop(): void {
    this.abort.abort()
  }

  /** Real milliseconds since the traffic started (0 during bootstrap). */
  elapsedMs(): number {
    return this.trafficStartMs === undefined ? 0 : this.scheduler.monotonicMs() - this.trafficStartMs
  }

  async run(): Promise<WorkloadResult> {
    try {
      return await this.phases()
    } catch (err) {
      // A bug in an actor: stop the others too, so the process can end with the error.
      this.abort.abort()
      throw err
    }
  }

  private async phases(): Promise<WorkloadResult> {
    const ctx = this.ctx
    const rng = new Rng(this.options.seed)
    const revisionStart = this.kv.revision
    const commitTimes = new CommitTimes(this.kv, this.scheduler)
    const baseline = await bootstrap(ctx, rng.fork())
    const events = new EventRecorder(ctx)
    const podIndex = new PodIndex(ctx, commitTimes)
    const controllers = this.controllers(commitTimes, events, rng)
    await podIndex.informer.start()
    await Promise.all(controllers.map((c) => c.start()))
    const kubelets = Array.from({ length: this.options.nodes }, (_, i) => new Kubelet(ctx, nodeName(i), i, podIndex, events, rng.fork()))
    const keys = deploymentKeys(ctx)
    const deployWrites = new Map<string, number>()
    const deployers = Array.from({ length: ctx.shape.deployers }, () => new Deployer(ctx, keys, deployWrites, rng.fork()))
    const compaction = new Compaction(ctx)

    let interrupted = this.abort.signal.aborted
    this.phase = 'running'
    this.trafficStartMs = this.scheduler.monotonicMs()
    const loops = [...kubelets.map((k) => k.run()), ...deployers.map((d) => d.run()), this.monitor.run(), compaction.run()]
    await sleep(this.scheduler, this.options.durationSeconds * 1000, this.abort.signal)
    interrupted ||= this.abort.signal.aborted
    this.abort.abort()
    this.phase = 'draining'
    await Promise.all(loops)
    await Promise.all(controllers.map((c) => c.drained()))
    const trafficMs = this.elapsedMs()
    // Everything acknowledged is committed; what follows reads a still store (but for lease expiry).
    await this.kv.flush()

    this.phase = 'verifying'
    const informers = [{ name: 'kubelets/pods', informer: podIndex.informer }, ...controllers.map((c) => ({ name: c.name, informer: c.informer }))]
    const verification = await verifyRun(ctx, { baseline, kubelets, deployWrites, deploymentKeys: keys, informers, leasesGranted: this.leaseKv.granted })
    await Promise.all(informers.map((i) => i.informer.stop()))
    commitTimes.close()
    const status = await this.kv.status()
    this.phase = 'done'
    return {
      options: this.options,
      shape: ctx.shape,
      stats: this.stats,
      verification,
      baseline,
      interrupted,
      trafficMs,
      revisionStart,
      revisionEnd: status.revision,
      compactedTo: compaction.compactedTo,
      controllers: controllers.length,
      status,
      recentErrors: ctx.recentErrors,
      storage: this.storage,
    }
  }

  /** The three kinds in turn, so each gets a third of --controllers and splits its items by hash. */
  private controllers(commitTimes: CommitTimes, events: EventRecorder, rng: Rng): Controller[] {
    const n = this.options.controllers
    const countOf = (kind: number): number => Math.ceil((n - kind) / 3)
    return Array.from({ length: n }, (_, i) => {
      const kind = i % 3
      const shard = { index: Math.floor(i / 3), count: countOf(kind) }
      if (kind === 0) return new DeploymentController(this.ctx, commitTimes, shard, events, rng.fork())
      if (kind === 1) return new EndpointsController(this.ctx, commitTimes, shard, rng.fork())
      return new NodeLifecycleController(this.ctx, commitTimes, shard, events)
    })
  }
}
