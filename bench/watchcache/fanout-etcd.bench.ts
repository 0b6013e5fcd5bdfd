// Watch fan-out on real etcd, the same shape as fanout.bench.ts: N watchers on one prefix while
// W writers put under it, all in this process. Watchers share gRPC Watch streams
// (test/support/etcd-watch.ts), up to `watchersPerStream` each, as clientv3 multiplexes watchers on
// one stream; puts go through the unary client (test/support/etcd-client.ts).
//
// Estimate: etcd sends each event once per watcher as protobuf over HTTP/2, and this process
// decodes every copy (~1-2 us each) on the loop that also drives the writers: at 1,000 watchers and
// ~1-5k puts/s that is 1-5 M events/s to decode, far more than one core, so the client saturates
// first: ~0.3-0.6 M deliveries/s (reference/etcd-baseline.md saw 0.45-0.54 M) with a backlog that
// grows during the phase, i.e. submit->delivered of seconds at p99.
//
// After the writers stop, the sampled watchers are given up to drainMs to receive the last
// revision, so that their latency covers every put and not only the ones that made it in time.
// For the same reason deliveries/s counts every event delivered from the start of the phase to the
// end of the drain, over that whole time: etcd's deliveries lag its puts by up to seconds, so
// counting only within the phase (as fanout.bench.ts does for the store, whose lag is a
// millisecond) would undercount them.
import { EtcdWatchStream, type EtcdWatcher } from '../../test/support/etcd-watch.js'
import type { EtcdClient } from '../support/etcd.js'
import { benchKey, valuePool } from '../support/rng.js'
import { summarize } from '../support/stats.js'
import type { FanoutRow } from './fanout.bench.js'

export interface EtcdFanoutOptions {
  endpoint: string
  client: EtcdClient
  watchers: number
  writers: number
  phaseMs: number
  /** Watchers whose deliveries are timed (all of them count deliveries). */
  sampled: number
  watchersPerStream: number
  drainMs: number
}

export interface EtcdFanoutRow extends FanoutRow {
  streams: number
  /** Time after the writers stopped until the sampled watchers had every event (or drainMs). */
  drainedMs: number
  /** False when drainMs ran out first: the latencies then miss the last puts' deliveries. */
  drained: boolean
  drainLimitMs: number
}

const values = valuePool(256, 128)
const KEYS = 1_000
const PREFIX = '/bench/fanout-etcd/'

/** The watchers of one phase: N watchers spread over streams, counting and timing deliveries. */
class Watchers {
  /** Every event delivered to any watcher so far. */
  deliveries = 0
  /** [revision, time] of each event reaching a sampled watcher. */
  readonly arrivals: Array<[number, number]> = []
  private readonly streams: EtcdWatchStream[]
  // Highest header revision each sampled watcher has seen.
  private readonly seen: number[]
  private loops: Array<Promise<void>> = []
  // The first error a watcher loop hit before close(): close() rethrows it.
  private failure: unknown
  // Set by close(): the stream errors that follow are the expected end.
  private closing = false
  // The revision waitFor() waits for, and its resolver.
  private target = Number.POSITIVE_INFINITY
  private onCaughtUp: (() => void) | undefined

  constructor(
    private readonly o: EtcdFanoutOptions,
  ) {
    this.streams = Array.from({ length: Math.ceil(o.watchers / o.watchersPerStream) }, () => new EtcdWatchStream(o.endpoint))
    this.seen = new Array<number>(o.sampled).fill(0)
  }

  get streamCount(): number {
    return this.streams.length
  }

  async start(): Promise<void> {
    const streamOf = (i: number): EtcdWatchStream => this.streams[i % this.streams.length] as EtcdWatchStream // index < length
    const watchers = await Promise.all(Array.from({ length: this.o.watchers }, (_, i) => streamOf(i).watch({ key: PREFIX, prefix: true })))
    // Caught here, so a failing stream cannot become an unhandled rejection mid-phase.
    this.loops = watchers.map((w, i) =>
      this.consume(w, i < this.o.sampled ? i : undefined).catch((err: unknown) => {
        this.failure ??= err
      }),
    )
  }

  private caughtUp(): boolean {
    return this.seen.every((rev) => rev >= this.target)
  }

  private async consume(w: EtcdWatcher, sample: number | undefined): Promise<void> {
    try {
      for await (const r of w) {
        this.deliveries += r.events.length
        if (sample === undefined || r.events.length === 0) continue
        const now = performance.now()
        for (const e of r.events) this.arrivals.push([e.kv.modRevision, now])
        this.seen[sample] = r.revision
        if (this.caughtUp()) this.onCaughtUp?.()
      }
    } catch (err) {
      // close() fails every watcher of its stream: that is how the phase ends.
      if (!this.closing) throw err
    }
  }

  /** Resolves true once every sampled watcher has seen `revision`, false after limitMs. */
  waitFor(revision: number, limitMs: number): Promise<boolean> {
    this.target = revision
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), limitMs)
      this.onCaughtUp = () => {
        clearTimeout(timer)
        resolve(true)
      }
      if (this.caughtUp()) this.onCaughtUp()
    })
  }

  async close(): Promise<void> {
    this.closing = true
    for (const s of this.streams) s.close()
    await Promise.all(this.loops)
    if (this.failure !== undefined) throw new Error('bench: an etcd watcher failed', { cause: this.failure })
  }
}

export async function runEtcdFanout(o: EtcdFanoutOptions): Promise<EtcdFanoutRow> {
  const watchers = new Watchers(o)
  const submitted = new Map<number, number>()
  const acked = new Map<number, number>()
  try {
    await watchers.start()
    let puts = 0
    let stop = false
    const started = performance.now()
    const writer = async (id: number): Promise<void> => {
      for (let n = id; !stop; n += o.writers) {
        const t0 = performance.now()
        const { revision } = await o.client.put({ key: benchKey('fanout-etcd', n % KEYS), value: values[n % values.length] as Buffer }) // modulo keeps it in range
        acked.set(revision, performance.now())
        submitted.set(revision, t0)
        puts++
      }
    }
    const writing = Array.from({ length: o.writers }, (_, i) => writer(i))
    await new Promise<void>((resolve) => setTimeout(resolve, o.phaseMs))
    stop = true
    await Promise.all(writing)
    const elapsedMs = performance.now() - started
    const stopped = performance.now()
    const drained = await watchers.waitFor(Math.max(0, ...acked.keys()), o.drainMs)
    const drainedMs = performance.now() - stopped
    const delivered = watchers.deliveries
    await watchers.close()
    const ack: number[] = []
    const submit: number[] = []
    for (const [rev, t] of watchers.arrivals) {
      const a = acked.get(rev)
      const s = submitted.get(rev)
      if (a !== undefined) ack.push(t - a)
      if (s !== undefined) submit.push(t - s)
    }
    return {
      watchers: o.watchers,
      puts,
      putsPerSec: (puts * 1000) / elapsedMs,
      deliveries: delivered,
      deliveriesPerSec: (delivered * 1000) / (elapsedMs + drainedMs),
      ackToDelivered: summarize(ack),
      submitToDelivered: summarize(submit),
      streams: watchers.streamCount,
      drainedMs,
      drained,
      drainLimitMs: o.drainMs,
    }
  } finally {
    await watchers.close()
  }
}

const fmt = (x: number): string => x.toFixed(2)

/** A row in the shape of fanoutLines' table, plus how the drain went. */
export function etcdFanoutLines(row: EtcdFanoutRow): string[] {
  return [
    `| watch/fanout/watchers=${row.watchers}/etcd | ${Math.round(row.putsPerSec)} | ${(row.deliveriesPerSec / 1e6).toFixed(2)} M | ${fmt(row.ackToDelivered.p50)} / ${fmt(row.ackToDelivered.p99)} | ${fmt(row.submitToDelivered.p50)} / ${fmt(row.submitToDelivered.p99)} |`,
    `etcd: ${row.watchers} watchers on ${row.streams} gRPC Watch stream(s); the sampled watchers ${row.drained ? 'had every event' : `still lacked events when the ${row.drainLimitMs} ms limit ran out (latencies miss the last puts)`} ${Math.round(row.drainedMs)} ms after the writers stopped; deliveries/s counts from the start of the phase to then`,
  ]
}
