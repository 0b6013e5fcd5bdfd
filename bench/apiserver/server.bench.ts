// The API server section: the same Pod load through etchlog's HTTPS API (HTTP/2, one session,
// requests multiplexed as client-go does), through the embedded object API, and through a bare
// node:http2 server answering every GET with the same JSON bytes from memory (the limit any
// Node HTTP server sets), in paired rounds; plus watch fan-out to many HTTP/2 watch streams.
// Client and server share this process and its 2 cores, so ops/s include the client's TLS and
// HTTP/2 work on both HTTP contenders; CPU per operation is the whole process's.
//
// Estimate: a bare HTTP/2 GET costs ~40-80 us of CPU on each side of the socket here (framing,
// TLS records, header compression), so the bare server tops out near 6-12k GETs/s with its
// client in-process. etchlog adds routing, authentication (a verified client certificate, read
// once per session), RBAC (< 1 us), a consistent read from the watch cache (~2-5 us) and
// JSON.stringify of a ~1 KiB Pod (~10 us): GETs should land at 0.6-0.8x bare. Creates add the
// codec, AES-GCM, validation (~90 us for a Pod), managedFields tracking and a group-committed
// fsync: a few thousand per second at 64 in flight. Fan-out: one event JSON-encoded once and
// written to N streams, each write an HTTP/2 DATA frame (~5-10 us): ~100-200k deliveries/s.
//
// Run alone: npx tsx --expose-gc bench/apiserver/server.bench.ts [--quick]
import { connect, constants, createSecureServer, type ClientHttp2Session } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServing, type Serving } from '../../src/serve.js'
import { ObjectStore, codec, systemClock } from '../../src/index.js'
import { pairedRatio, runRounds, type Contender, type ContenderResult, type PhaseResult } from '../support/closed-loop.js'
import { median, quantile } from '../support/stats.js'
import { tempDir } from '../support/temp.js'
import { benchPod } from '../objects/pod-fixture.js'

export interface ServerBenchOptions {
  inFlight: readonly number[]
  readKeys: number
  rounds: number
  warmupMs: number
  phaseMs: number
  watchers: number
  watchWrites: number
}

export interface ServerBenchRow {
  operation: string
  inFlight: number
  results: ContenderResult[]
  /** Median over rounds of etchlog HTTP ops/s divided by each other contender's. */
  ratios: Record<string, number>
}

export interface ServerBenchResults {
  rows: ServerBenchRow[]
  fanout: { watchers: number; deliveriesPerSec: number; p50Ms: number; p99Ms: number }
}

interface Session {
  session: ClientHttp2Session
  request(method: string, path: string, body?: string): Promise<{ status: number; body: string }>
}

function session(url: string, tls: { ca: string; cert?: string; key?: string }): Session {
  const s = connect(url, { ca: tls.ca, ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }) })
  s.on('error', () => undefined)
  return {
    session: s,
    request(method, path, body) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { [constants.HTTP2_HEADER_METHOD]: method, [constants.HTTP2_HEADER_PATH]: path, accept: 'application/json' }
        if (body !== undefined) headers['content-type'] = 'application/json'
        const req = s.request(headers)
        let status = 0
        const chunks: Buffer[] = []
        req.on('response', (h) => (status = Number(h[constants.HTTP2_HEADER_STATUS])))
        req.on('data', (d: Buffer) => chunks.push(d))
        req.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }))
        req.on('error', reject)
        req.end(body)
      })
    },
  }
}

/** `inFlight` loops, each awaiting its own operation, until the phase ends. */
function loops(name: string, inFlight: number, op: (loop: number, i: number) => Promise<void>): Contender {
  let counter = 0
  return {
    name,
    async phase(durationMs) {
      const latenciesMs: number[] = []
      const start = performance.now()
      const end = start + durationMs
      let ops = 0
      await Promise.all(
        Array.from({ length: inFlight }, async (_, loop) => {
          while (performance.now() < end) {
            const t = performance.now()
            await op(loop, counter++)
            latenciesMs.push(performance.now() - t)
            ops++
          }
        }),
      )
      return { ops, elapsedMs: performance.now() - start, latenciesMs, commits: ops } satisfies PhaseResult
    },
  }
}

const podPath = (name: string): string => `/api/v1/namespaces/default/pods/${name}`

export async function runServerBench(o: ServerBenchOptions, log: (line: string) => void): Promise<ServerBenchResults> {
  const dir = tempDir('etchlog-bench-server-')
  let serving: Serving | undefined
  const closers: (() => void | Promise<void>)[] = []
  try {
    serving = await startServing({ dataDir: join(dir.path, 'api'), bindAddress: '127.0.0.1', securePort: 0, nodes: 0, controllers: false, listenClientUrls: [], etcdTls: { clientCertAuth: false } }, () => undefined)
    // The same server with pipeline stages left out, to show what they cost (issue 13): none at all, and all but admission.
    const bareSpec = { bindAddress: '127.0.0.1', securePort: 0, nodes: 0, controllers: false, listenClientUrls: [], etcdTls: { clientCertAuth: false } }
    const noStages = await startServing({ ...bareSpec, dataDir: join(dir.path, 'none'), without: { admission: true, validation: true, authorization: true } }, () => undefined)
    closers.push(() => noStages.close())
    const noAdmission = await startServing({ ...bareSpec, dataDir: join(dir.path, 'noadm'), without: { admission: true } }, () => undefined)
    closers.push(() => noAdmission.close())
    const pki = join(dir.path, 'api', 'pki')
    const tls = { ca: readFileSync(join(pki, 'ca.crt'), 'utf8'), cert: readFileSync(join(pki, 'admin.crt'), 'utf8'), key: readFileSync(join(pki, 'admin.key'), 'utf8') }
    const api = session(serving.url, tls)
    closers.push(() => api.session.close())
    const tlsOf = (d: string): { ca: string; cert: string; key: string } => ({ ca: readFileSync(join(dir.path, d, 'pki', 'ca.crt'), 'utf8'), cert: readFileSync(join(dir.path, d, 'pki', 'admin.crt'), 'utf8'), key: readFileSync(join(dir.path, d, 'pki', 'admin.key'), 'utf8') })
    const apiNone = session(noStages.url, tlsOf('none'))
    const apiNoAdmission = session(noAdmission.url, tlsOf('noadm'))
    closers.push(() => apiNone.session.close(), () => apiNoAdmission.session.close())
    // The embedded contender: an object store of its own, configured as the server's (protobuf + AES-GCM on pods).
    const embeddedStore = serving.store
    const objects = new ObjectStore({ kv: embeddedStore, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: systemClock })
    // Seed the keys GETs read, through the API (so they are validated and stored as the server stores them).
    const pods = Array.from({ length: o.readKeys }, (_, i) => benchPod(i))
    for (const p of pods) {
      const r = await api.request('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ ...p, metadata: { name: p.metadata.name, namespace: 'default', labels: p.metadata.labels, annotations: p.metadata.annotations } }))
      if (r.status !== 201) throw new Error(`bench: seeding ${p.metadata.name}: ${r.status} ${r.body.slice(0, 200)}`)
    }
    const sample = (await api.request('GET', podPath(pods[0]?.metadata.name ?? ''))).body
    // The bare server: the same bytes from memory, over the same TLS and HTTP/2.
    const bare = createSecureServer({ cert: readFileSync(join(pki, 'apiserver.crt'), 'utf8'), key: readFileSync(join(pki, 'apiserver.key'), 'utf8'), allowHTTP1: true })
    bare.on('request', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(sample) })
      res.end(sample)
    })
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise<void>((resolve) => bare.close(() => resolve())))
    const bareSession = session(`https://127.0.0.1:${(bare.address() as AddressInfo).port}`, { ca: tls.ca })
    closers.push(() => bareSession.session.close())
    const rows: ServerBenchRow[] = []
    const name = (i: number): string => pods[i % pods.length]?.metadata.name ?? ''
    let created = 0
    for (const n of o.inFlight) {
      log(`  server: GET of one Pod, ${n} in flight`)
      const gets = await runRounds(
        [
          loops('etchlog HTTP', n, async (_l, i) => void (await api.request('GET', podPath(name(i))))),
          loops('embedded objects', n, async (_l, i) => void (await objects.get(`/registry/pods/default/${name(i)}`))),
          loops('bare node http2', n, async (_l, i) => void (await bareSession.request('GET', podPath(name(i))))),
        ],
        o,
      )
      rows.push(row('get', n, gets))
      log(`  server: create of one Pod, ${n} in flight`)
      const creates = await runRounds(
        [
          loops('etchlog HTTP', n, async () => {
            const p = benchPod(1_000_000 + created++)
            const r = await api.request('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ ...p, metadata: { name: p.metadata.name, namespace: 'default', labels: p.metadata.labels } }))
            if (r.status !== 201) throw new Error(`bench: create: ${r.status} ${r.body.slice(0, 200)}`)
          }),
          loops('HTTP, no admission', n, async () => {
            const p = benchPod(1_000_000 + created++)
            const r = await apiNoAdmission.request('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ ...p, metadata: { name: p.metadata.name, namespace: 'default', labels: p.metadata.labels } }))
            if (r.status !== 201) throw new Error(`bench: create: ${r.status} ${r.body.slice(0, 200)}`)
          }),
          loops('HTTP, no admission/validation/RBAC', n, async () => {
            const p = benchPod(1_000_000 + created++)
            const r = await apiNone.request('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ ...p, metadata: { name: p.metadata.name, namespace: 'default', labels: p.metadata.labels } }))
            if (r.status !== 201) throw new Error(`bench: create: ${r.status} ${r.body.slice(0, 200)}`)
          }),
          loops('embedded objects', n, async () => {
            const p = benchPod(1_000_000 + created++)
            await objects.create(`/registry/pods/default/${p.metadata.name}`, { ...p, metadata: { name: p.metadata.name, namespace: 'default', labels: p.metadata.labels } })
          }),
        ],
        o,
      )
      rows.push(row('create', n, creates))
    }
    // Watches on a session of their own: the server allows 1,000 concurrent streams per session, and the writes need one more.
    const watchSession = session(serving.url, tls)
    closers.push(() => watchSession.session.close())
    const fanout = await watchFanout(api, watchSession, o, log)
    return { rows, fanout }
  } finally {
    for (const c of closers.reverse()) await c()
    await serving?.close()
    dir.remove()
  }
}

function row(operation: string, inFlight: number, results: ContenderResult[]): ServerBenchRow {
  const http = results[0] as ContenderResult
  const ratios: Record<string, number> = {}
  for (const r of results.slice(1)) ratios[r.name] = pairedRatio(http, r)
  return { operation, inFlight, results, ratios }
}

/** N watch streams on one HTTP/2 session; one writer creates ConfigMaps; deliveries/s and write-sent to delivered latency. */
async function watchFanout(api: Session, watches: Session, o: ServerBenchOptions, log: (line: string) => void): Promise<ServerBenchResults['fanout']> {
  log(`  server: watch fan-out to ${o.watchers} HTTP/2 streams, ${o.watchWrites} writes`)
  const acked = new Map<string, number>()
  const latencies: number[] = []
  let delivered = 0
  const expected = o.watchers * o.watchWrites
  let resolveAll: () => void = () => undefined
  const all = new Promise<void>((r) => (resolveAll = r))
  const rv = JSON.parse((await api.request('GET', '/api/v1/namespaces/default/configmaps?limit=1')).body) as { metadata: { resourceVersion: string } }
  const streams = Array.from({ length: o.watchers }, () => {
    const req = watches.session.request({ [constants.HTTP2_HEADER_METHOD]: 'GET', [constants.HTTP2_HEADER_PATH]: `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv.metadata.resourceVersion}` })
    let buffer = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => {
      buffer += d
      let i
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        const name = /"name":"(fan-\d+)"/.exec(line)?.[1]
        const t = name === undefined ? undefined : acked.get(name)
        if (t !== undefined) latencies.push(performance.now() - t)
        if (++delivered === expected) resolveAll()
      }
    })
    req.on('error', () => undefined)
    return req
  })
  const start = performance.now()
  for (let i = 0; i < o.watchWrites; i++) {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fan-${i}` }, data: { i: String(i) } })
    // Timed from the write's start: an event may reach a stream before the create's own answer does.
    acked.set(`fan-${i}`, performance.now())
    const r = await api.request('POST', '/api/v1/namespaces/default/configmaps', body)
    if (r.status !== 201) throw new Error(`bench: fan-out create: ${r.status}`)
  }
  await all
  const elapsed = performance.now() - start
  for (const s of streams) s.close()
  return { watchers: o.watchers, deliveriesPerSec: (delivered / elapsed) * 1000, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) }
}

export function formatServerBench(r: ServerBenchResults): string {
  const lines = ['| operation | in flight | etchlog HTTP ops/s | other | other ops/s | HTTP / other | CPU us/op HTTP | CPU us/op other |', '|---|---|---|---|---|---|---|---|']
  for (const row of r.rows) {
    const http = row.results[0] as ContenderResult
    for (const other of row.results.slice(1)) {
      lines.push(`| ${row.operation} | ${row.inFlight} | ${median(http.opsPerSec).toFixed(0)} | ${other.name} | ${median(other.opsPerSec).toFixed(0)} | ${(row.ratios[other.name] ?? Number.NaN).toFixed(2)}x | ${((http.cpuMs * 1000) / http.ops).toFixed(0)} | ${((other.cpuMs * 1000) / other.ops).toFixed(0)} |`)
    }
  }
  lines.push('', `watch fan-out: ${r.fanout.watchers} HTTP/2 streams, ${r.fanout.deliveriesPerSec.toFixed(0)} deliveries/s, write-sent to delivered p50 ${r.fanout.p50Ms.toFixed(1)} ms, p99 ${r.fanout.p99Ms.toFixed(1)} ms`)
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick')
  const options: ServerBenchOptions = quick
    ? { inFlight: [1, 8], readKeys: 50, rounds: 1, warmupMs: 50, phaseMs: 200, watchers: 50, watchWrites: 20 }
    : { inFlight: [1, 64], readKeys: 1000, rounds: 5, warmupMs: 300, phaseMs: 1500, watchers: 1000, watchWrites: 200 }
  const started = Date.now()
  const results = await runServerBench(options, (l) => console.log(l))
  console.log(formatServerBench(results))
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`)
}
