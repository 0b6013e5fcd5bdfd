// The flags of `npm start` and the cluster shape they imply. Intervals are in cluster time
// (Kubernetes' own numbers); the pacing divides them by `speedup` (docs/workload.md).
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '../util/index.js'

export type WorkloadDurability = 'strict' | 'relaxed'

export interface WorkloadOptions {
  /** Kubelets, one Node object each. */
  nodes: number
  /** Controllers, each with its own list+watch; at least one of each of the three kinds. */
  controllers: number
  /** Real seconds the traffic runs (bootstrap and verification come on top). */
  durationSeconds: number
  /** Time compression: every cluster interval is divided by it. */
  speedup: number
  /** Database file; the report is written beside it. */
  dbPath: string
  seed: number
  /** Cluster seconds an event lives (Kubernetes --event-ttl; its default is 3600). */
  eventTtlSeconds: number
  durability: WorkloadDurability
  /** Real seconds between progress lines; undefined = 1 s on a terminal, 5 s otherwise. */
  progressEverySeconds: number | undefined
}

/** Cluster-time cadences, from Kubernetes defaults (kubernetes-storage.md and docs/workload.md). */
export const cadence = Object.freeze({
  /** kubelet --node-status-update-frequency. */
  nodeStatusMs: 10_000,
  /** A kubelet tick patches one of its pods' status with this chance. */
  podPatchChance: 0.5,
  /** Each CI deployer rolls out one Deployment this often. */
  deployMs: 30_000,
  /** The monitor polls status and health (a load balancer's /healthz probe). */
  monitorMs: 5_000,
  /** kube-apiserver --etcd-compaction-interval. */
  compactionMs: 300_000,
  /** kube-controller-manager --node-monitor-period. */
  nodeMonitorMs: 5_000,
  /** --node-monitor-grace-period: a node silent for longer is tainted unreachable. */
  nodeGraceMs: 40_000,
})

/** How big the cluster is for a given --nodes. */
export interface ClusterShape {
  namespaces: number
  deploymentsPerNamespace: number
  deployers: number
}

export function clusterShape(options: WorkloadOptions): ClusterShape {
  return {
    // About ten nodes per namespace, ten Deployments of 2-8 replicas in each: ~5 pods per node.
    namespaces: Math.max(1, Math.ceil(options.nodes / 10)),
    deploymentsPerNamespace: 10,
    // A CI system with one pipeline runner per ~20 controllers' worth of teams.
    deployers: Math.max(1, Math.round(options.controllers / 20)),
  }
}

export const defaultWorkloadOptions: Readonly<WorkloadOptions> = Object.freeze({
  nodes: 100,
  controllers: 60,
  durationSeconds: 60,
  speedup: 30,
  dbPath: './data/etchlog.db',
  seed: 0,
  eventTtlSeconds: 600,
  durability: 'strict' as const,
  progressEverySeconds: undefined,
})

export const usage = `usage: npm start -- [flags]

  --nodes N            kubelets / Node objects (default 100)
  --controllers N      controllers with a list+watch each, at least 3 (default 60)
  --duration S         seconds of traffic (default 60)
  --speedup X          time compression: cluster intervals are divided by X (default 30)
  --db PATH            database file, created on first run, reused after (default ./data/etchlog.db)
  --seed N             random seed (default: a random one, printed)
  --event-ttl S        cluster seconds an event lives (default 600; Kubernetes uses 3600)
  --durability MODE    strict (fsync every commit, default) or relaxed
  --progress-every S   seconds between progress lines (default 1 on a terminal, 5 otherwise)
  --help               this text`

/** Parses argv (without node and script). `randomSeed` supplies the seed when none is given. */
export function parseWorkloadArgs(argv: readonly string[], randomSeed: () => number): WorkloadOptions | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        nodes: { type: 'string' },
        controllers: { type: 'string' },
        duration: { type: 'string' },
        speedup: { type: 'string' },
        db: { type: 'string' },
        seed: { type: 'string' },
        'event-ttl': { type: 'string' },
        durability: { type: 'string' },
        'progress-every': { type: 'string' },
        help: { type: 'boolean' },
      },
    })
  } catch (err) {
    // parseArgs throws a TypeError with a clear message for unknown or malformed flags.
    throw new InvalidArgumentError(`workload: ${err instanceof Error ? err.message : String(err)}`)
  }
  const v = parsed.values
  if (v.help === true) return 'help'
  const d = defaultWorkloadOptions
  const durability = v.durability ?? d.durability
  if (durability !== 'strict' && durability !== 'relaxed') throw new InvalidArgumentError(`workload: --durability must be strict or relaxed, got ${durability}`)
  const options: WorkloadOptions = {
    nodes: integer('--nodes', v.nodes, d.nodes, 1, 100_000),
    controllers: integer('--controllers', v.controllers, d.controllers, 3, 10_000),
    durationSeconds: decimal('--duration', v.duration, d.durationSeconds, 0.1),
    speedup: decimal('--speedup', v.speedup, d.speedup, 0.01),
    dbPath: v.db ?? d.dbPath,
    seed: v.seed === undefined ? randomSeed() : integer('--seed', v.seed, 0, 0, 2 ** 32 - 1),
    eventTtlSeconds: decimal('--event-ttl', v['event-ttl'], d.eventTtlSeconds, 1),
    durability,
    progressEverySeconds: v['progress-every'] === undefined ? undefined : decimal('--progress-every', v['progress-every'], 1, 0.05),
  }
  if (options.dbPath === '' || options.dbPath === ':memory:') throw new InvalidArgumentError('workload: --db must be a file (the report goes beside it)')
  return options
}

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`workload: ${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`)
  }
  return n
}

function decimal(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new InvalidArgumentError(`workload: ${flag} must be a number >= ${min}, got ${JSON.stringify(text)}`)
  }
  return n
}
