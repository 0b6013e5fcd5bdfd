// One client process of the front-vs-etcd bench: `inFlight` closed-loop clients on one gRPC
// channel doing put, get or CAS txn for `durationMs`, then one JSON line on stdout with its count,
// latency quantiles and its own CPU. Run by front.bench.ts, several at once, so the client is not
// the bottleneck: a Node gRPC client spends ~200 us of CPU per call (docs/etcdserver.md).
//   tsx bench/etcdserver/load-worker.ts <endpoint> <put|get|cas> <inFlight> <durationMs> <worker id>
import * as grpc from '@grpc/grpc-js'
import { etcdProto } from '../../src/etcdserver/proto.js'
import { summarize } from '../support/stats.js'

const [endpoint, op, inFlightArg, durationArg, idArg] = process.argv.slice(2)
if (endpoint === undefined || op === undefined || inFlightArg === undefined || durationArg === undefined || idArg === undefined) {
  throw new Error('usage: load-worker.ts <endpoint> <put|get|cas> <inFlight> <durationMs> <worker id>')
}
const inFlight = Number(inFlightArg)
const durationMs = Number(durationArg)
const pkg = grpc.loadPackageDefinition(etcdProto().definition).etcdserverpb as grpc.GrpcObject
const kv = new (pkg.KV as grpc.ServiceClientConstructor)(endpoint, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (req: object, cb: (err: grpc.ServiceError | null, res?: { header: { revision: string } }) => void) => void>
const value = Buffer.alloc(256, 7)
const keysPerWorker = 1000

function call(method: string, req: object): Promise<{ header: { revision: string } }> {
  return new Promise((resolve, reject) => kv[method]?.call(kv, req, (err, res) => (err !== null || res === undefined ? reject(err ?? new Error('no response')) : resolve(res))))
}

const key = (slot: number, i: number): Buffer => Buffer.from(`bench/${idArg}/${slot}/${i % keysPerWorker}`)

async function client(slot: number, until: number, latencies: number[]): Promise<number> {
  let n = 0
  let mod = '0'
  const casKey = Buffer.from(`bench/cas/${idArg}/${slot}`)
  if (op === 'cas') {
    const r = await call('Range', { key: casKey })
    mod = (r as unknown as { kvs: Array<{ mod_revision: string }> }).kvs[0]?.mod_revision ?? '0'
  }
  while (performance.now() < until) {
    const t0 = performance.now()
    if (op === 'put') await call('Put', { key: key(slot, n), value })
    else if (op === 'get') await call('Range', { key: key(slot, n) })
    else {
      const r = (await call('Txn', {
        compare: [{ key: casKey, target: 2, result: 0, mod_revision: mod }],
        success: [{ request_put: { key: casKey, value } }],
        failure: [{ request_range: { key: casKey } }],
      })) as unknown as { succeeded: boolean; header: { revision: string } }
      if (!r.succeeded) throw new Error('bench: CAS lost on a key only this client writes')
      mod = r.header.revision
    }
    latencies.push(performance.now() - t0)
    n++
  }
  return n
}

const cpu0 = process.cpuUsage()
const latencies: number[] = []
const started = performance.now()
const until = started + durationMs
const counts = await Promise.all(Array.from({ length: inFlight }, (_, slot) => client(slot, until, latencies)))
const elapsedMs = performance.now() - started
const cpu = process.cpuUsage(cpu0)
const ops = counts.reduce((a, b) => a + b, 0)
process.stdout.write(`${JSON.stringify({ ops, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, latency: summarize(latencies) })}\n`)
kv.close()
