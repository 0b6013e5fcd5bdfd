// The etcd front against etcd 3.4, side by side in one run, on the same machine:
//   npx tsx bench/etcdserver/front.bench.ts [--quick] [--phase-ms=4000] [--ops=put,get,cas] [--check-perf=s,m]
// Puts, gets and CAS txns at 1, 64 and 256 clients, driven from several client processes
// (load-worker.ts) so that the Node gRPC client (~200 us of CPU per call) is not what is
// measured; each side's CPU per request is read from /proc. Then watch fan-out to 1,000 watchers
// (watch-worker.ts, two processes x 5 streams x 100 watchers) while 2,000 puts go in, 64 in
// flight. With --check-perf, etcdctl's own load check runs against both.
//
// Estimate: both servers are bound by their CPU on a 2-core box shared with the clients. etcd
// spends ~100-150 us of CPU per put (WAL + raft + bbolt + gRPC-go); the front ~80-120 us (grpc-js
// decode/encode ~40 us, SQLite commit amortised by group commit). So puts and gets at 64 clients
// should be within 1-2x of etcd, not far above: the gRPC layer dominates, not the store.
// Fan-out: the front encodes an event once per watcher response (shared wire object); etcd
// likewise; deliveries/s are bounded by the watch processes' decoding on the shared cores.
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import * as grpc from '@grpc/grpc-js'
import { etcdProto } from '../../src/etcdserver/proto.js'
import { findEtcd, startEtcd } from '../../test/support/etcd-server.js'
import { etcdctl, findEtcdctl } from '../../test/support/etcdctl.js'
import { removeTempDirs, tempDir } from '../support/temp.js'

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'phase-ms': { type: 'string' }, 'check-perf': { type: 'string' }, ops: { type: 'string' } } })
const quick = flags.quick === true
const phaseMs = Number(flags['phase-ms'] ?? (quick ? 400 : 4000))
const clientCounts = quick ? [1, 8] : [1, 64, 256]
const workerProcesses = quick ? 2 : 4
const fanWatchers = quick ? 20 : 1000
const fanPuts = quick ? 50 : 2000
const tsx = ['--import', 'tsx']
const here = import.meta.dirname

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime + stime, in clock ticks of 10 ms
}

function pidListening(endpoint: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`--listen-client-urls=http://${endpoint}`)) return Number(d)
    } catch {
      continue // the process went away while we looked
    }
  }
  throw new Error(`bench: no process listens on ${endpoint}`)
}

function lines(child: ChildProcess): AsyncGenerator<string> {
  const out = child.stdout
  if (out === null) throw new Error('bench: child without stdout')
  return (async function* () {
    let buf = ''
    for await (const chunk of out as AsyncIterable<Buffer>) {
      buf += chunk.toString('utf8')
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        yield buf.slice(0, i)
        buf = buf.slice(i + 1)
      }
    }
  })()
}

async function startFront(dir: string): Promise<{ endpoint: string; pid: number; stop(): Promise<void> }> {
  // ETCHLOG_FRONT_NODE_ARGS: extra node flags for the front process (e.g. --cpu-prof).
  const extra = (process.env.ETCHLOG_FRONT_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
  const child = spawn(process.execPath, [...extra, ...tsx, join(here, '../../test/support/etcd-front-main.ts'), join(dir, 'front.db')], { stdio: ['ignore', 'pipe', 'inherit'] })
  const first = await lines(child).next()
  const m = /^listening http:\/\/(\S+)$/.exec(first.value ?? '')
  if (m === null) throw new Error(`bench: the front did not start: ${String(first.value)}`)
  return {
    endpoint: m[1] as string,
    pid: child.pid as number,
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM') }),
  }
}

interface WorkerResult { ops: number; elapsedMs: number; cpuMs: number; latency: { p50: number; p99: number } }

async function runLoad(endpoint: string, serverPid: number, op: string, clients: number): Promise<{ opsPerS: number; p50: number; p99: number; serverUsPerOp: number; clientUsPerOp: number }> {
  const procs = Math.min(workerProcesses, clients)
  const serverCpu0 = cpuMsOf(serverPid)
  const children = Array.from({ length: procs }, (_, i) =>
    spawn(process.execPath, [...tsx, join(here, 'load-worker.ts'), endpoint, op, String(Math.ceil(clients / procs)), String(phaseMs), `${op}${clients}-${i}`], { stdio: ['ignore', 'pipe', 'inherit'] }),
  )
  const results = await Promise.all(children.map(async (c) => JSON.parse((await lines(c).next()).value ?? '{}') as WorkerResult))
  const serverCpu = cpuMsOf(serverPid) - serverCpu0
  const ops = results.reduce((n, r) => n + r.ops, 0)
  const elapsed = Math.max(...results.map((r) => r.elapsedMs))
  return {
    opsPerS: (ops * 1000) / elapsed,
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    serverUsPerOp: (serverCpu * 1000) / ops,
    clientUsPerOp: (results.reduce((n, r) => n + r.cpuMs, 0) * 1000) / ops,
  }
}

async function runFanout(endpoint: string): Promise<{ deliveriesPerS: number; p50: number; p99: number; delivered: number }> {
  const procs = 2
  const streamsPer = Math.max(1, Math.round(fanWatchers / procs / 100))
  const perStream = Math.round(fanWatchers / procs / streamsPer)
  const expected = streamsPer * perStream * fanPuts
  const children = Array.from({ length: procs }, () =>
    spawn(process.execPath, [...tsx, join(here, 'watch-worker.ts'), endpoint, String(streamsPer), String(perStream), String(expected), String(quick ? 10_000 : 60_000)], { stdio: ['ignore', 'pipe', 'inherit'] }),
  )
  const outs = children.map((c) => lines(c))
  for (const o of outs) if ((await o.next()).value !== 'ready') throw new Error('bench: a watch worker did not get ready')
  const pkg = grpc.loadPackageDefinition(etcdProto().definition).etcdserverpb as grpc.GrpcObject
  const kv = new (pkg.KV as grpc.ServiceClientConstructor)(endpoint, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Put: (r: object, cb: (e: unknown) => void) => void }
  const started = performance.timeOrigin + performance.now()
  let next = 0
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < fanPuts) {
      const i = next++
      const value = Buffer.alloc(256)
      value.writeDoubleBE(performance.timeOrigin + performance.now(), 0)
      await new Promise<void>((resolve, reject) => kv.Put({ key: Buffer.from(`fan/${i}`), value }, (e) => (e === null ? resolve() : reject(e))))
    }
  }))
  kv.close()
  const results = await Promise.all(outs.map(async (o) => JSON.parse((await o.next()).value ?? '{}') as { events: number; last: number; latency: { p50: number; p99: number } }))
  const delivered = results.reduce((n, r) => n + r.events, 0)
  return {
    deliveriesPerS: (delivered * 1000) / (Math.max(...results.map((r) => r.last)) - started),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    delivered,
  }
}

async function checkPerf(endpoint: string, load: string): Promise<string> {
  const bin = findEtcdctl()
  if (bin === undefined) return 'etcdctl not found'
  const r = await etcdctl(bin, endpoint, ['check', 'perf', `--load=${load}`], { timeoutMs: 180_000 })
  const verdicts = [...r.stdout.matchAll(/(PASS|FAIL): ([^\r\n]*)/g)].map((m) => `${m[1]} ${m[2]}`)
  return `${r.code === 0 ? 'PASS' : 'FAIL'} (${verdicts.join('; ')})`
}

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2))

async function main(): Promise<void> {
  const bin = findEtcd()
  const dir = tempDir('etchlog-front-bench-')
  const front = await startFront(dir.path)
  const etcd = bin === undefined ? undefined : await startEtcd(bin)
  try {
    const sides: Array<[string, string, number]> = [['front', front.endpoint, front.pid]]
    if (etcd !== undefined) sides.push([`etcd ${etcd.version}`, etcd.endpoint, pidListening(etcd.endpoint)])
    else console.log('etcd not found: front only')
    console.log(`| op | clients | side | ops/s | p50 ms | p99 ms | server CPU us/op | client CPU us/op |\n|---|---|---|---|---|---|---|---|`)
    for (const op of (flags.ops ?? 'put,get,cas').split(',').filter((o) => o !== '')) {
      for (const clients of clientCounts) {
        for (const [name, endpoint, pid] of sides) {
          const r = await runLoad(endpoint, pid, op, clients)
          console.log(`| ${op} | ${clients} | ${name} | ${fmt(r.opsPerS)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.serverUsPerOp)} | ${fmt(r.clientUsPerOp)} |`)
        }
      }
    }
    console.log(`\n| fan-out (${fanWatchers} watchers, ${fanPuts} puts) | deliveries/s | delivered | put->delivery p50 ms | p99 ms |\n|---|---|---|---|---|`)
    for (const [name, endpoint] of sides) {
      const r = await runFanout(endpoint)
      console.log(`| ${name} | ${fmt(r.deliveriesPerS)} | ${r.delivered.toLocaleString('en-US')} | ${fmt(r.p50)} | ${fmt(r.p99)} |`)
    }
    for (const load of (flags['check-perf'] ?? '').split(',').filter((l) => l !== '')) {
      for (const [name, endpoint] of sides) console.log(`check perf --load=${load} on ${name}: ${await checkPerf(endpoint, load)}`)
    }
  } finally {
    await etcd?.stop()
    await front.stop()
    dir.remove()
    removeTempDirs()
  }
}

await main()
