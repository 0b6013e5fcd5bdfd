// Watch side of the fan-out phase of front.bench.ts, in its own process: `streams` Watch streams
// with `perStream` watchers each on the prefix "fan/". Prints "ready" once every watcher is
// created, then, once `expected` events arrived (or `timeoutMs` passed), one JSON line: events,
// absolute times of the first and last delivery, and put->delivery latency of each stream's first
// watcher (the put's send time travels in the value's first 8 bytes, as epoch ms).
//   tsx bench/etcdserver/watch-worker.ts <endpoint> <streams> <perStream> <expected events> <timeoutMs>
import * as grpc from '@grpc/grpc-js'
import { etcdProto } from '../../src/etcdserver/proto.js'
import { summarize } from '../support/stats.js'

const [endpoint, streamsArg, perStreamArg, expectedArg, timeoutArg] = process.argv.slice(2)
if (endpoint === undefined || streamsArg === undefined || perStreamArg === undefined || expectedArg === undefined || timeoutArg === undefined) {
  throw new Error('usage: watch-worker.ts <endpoint> <streams> <perStream> <expected> <timeoutMs>')
}
const streams = Number(streamsArg)
const perStream = Number(perStreamArg)
const expected = Number(expectedArg)
const pkg = grpc.loadPackageDefinition(etcdProto().definition).etcdserverpb as grpc.GrpcObject
const Watch = pkg.Watch as grpc.ServiceClientConstructor
interface Msg { watch_id: string; created: boolean; events: Array<{ kv: { value: Buffer } }> }
const now = (): number => performance.timeOrigin + performance.now()

let created = 0
let events = 0
let first = 0
let last = 0
const latencies: number[] = []
const clients: grpc.Client[] = []
const calls: Array<grpc.ClientDuplexStream<object, Msg>> = []
const done = new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, Number(timeoutArg))
  for (let s = 0; s < streams; s++) {
    // One channel per stream, as separate clientv3 clients would have.
    const client = new Watch(endpoint, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 })
    clients.push(client)
    const call = (client as unknown as { Watch: () => grpc.ClientDuplexStream<object, Msg> }).Watch()
    calls.push(call)
    call.on('error', () => {}) // cancelled at the end on purpose
    call.on('data', (m: Msg) => {
      if (m.created) {
        if (++created === streams * perStream) process.stdout.write('ready\n')
        return
      }
      if (m.events.length === 0) return
      const t = now()
      if (first === 0) first = t
      last = t
      events += m.events.length
      if (m.watch_id === '0') for (const e of m.events) latencies.push(t - e.kv.value.readDoubleBE(0))
      if (events >= expected) {
        clearTimeout(timer)
        resolve()
      }
    })
    for (let w = 0; w < perStream; w++) call.write({ create_request: { key: Buffer.from('fan/'), range_end: Buffer.from('fan0') } })
  }
})
await done
process.stdout.write(`${JSON.stringify({ events, first, last, latency: summarize(latencies) })}\n`)
for (const c of calls) c.cancel()
for (const c of clients) c.close()
