// `etchlog load` / `npm run load`: a cluster's worth of Kubernetes API traffic (docs/workload.md).
// Three targets for the same actors:
// - default: an etchlog server started in this process on a free port with a temporary data dir,
//   driven over HTTPS/HTTP2 with the admin's client certificate (the kubeconfig it writes);
// - --embedded: the object API directly, on ./data/etchlog.db (no server);
// - --server KUBECONFIG: a running server, over HTTPS only (RemoteKv stands in for the store).
// The server runs in-process so one process's CPU time covers client and server alike, to compare
// with the embedded run's (the report's numbers and `time` give the same totals either way).
// This file only wires: flags, the store or server, real timers, Ctrl-C, progress and output.
import { randomInt } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startServing, type Serving } from './serve.js'
import { openStore } from './open-store.js'
import { StorageError } from './util/index.js'
import {
  buildReport,
  formatSummary,
  HttpObjectClient,
  HttpTransport,
  parseWorkloadArgs,
  prepareAtRest,
  Progress,
  readKubeconfig,
  RemoteKv,
  usage,
  Workload,
  writeReport,
  type EncryptionSummary,
  type KvApi,
  type ObjectApi,
  type Scheduler,
  type WorkloadOptions,
} from './workload/index.js'

export interface LoadIo {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Aborted on the first Ctrl-C (etchlog's launcher): stops the traffic as SIGINT does. */
  signal?: AbortSignal
}

export const loadUsage = `${usage.replace('usage: npm start -- [flags]', 'usage: etchlog load [flags]   (npm run load -- [flags])')}
  --embedded           drive the object API in-process on --db (no server); default: start an
                       etchlog server on a free port with a temporary data dir, drive it over HTTPS
  --server KUBECONFIG  drive a running server (the kubeconfig's current context) over HTTPS`

// Real time enters the workload here and nowhere else. These timers are not unref'd: while the
// workload waits for its next tick they are what keeps the process alive.
const realScheduler: Scheduler = {
  now: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs)
    return { cancel: () => clearTimeout(t) }
  },
}

// Kubernetes runs etcd with progress notifications every 5 s; informers see them as bookmarks.
const progressNotifyMs = 5000

interface Target {
  store: KvApi
  client: ObjectApi | undefined
  encryption: EncryptionSummary | undefined
  describe: string
  close(): Promise<void>
}

async function embedded(options: WorkloadOptions): Promise<Target> {
  const atRest = prepareAtRest(options.dbPath)
  const store = await openStore({ path: options.dbPath, durability: options.durability, transformer: atRest.transformer, watchProgressNotifyIntervalMs: progressNotifyMs })
  return { store, client: undefined, encryption: atRest.summary, describe: `embedded store ${options.dbPath}`, close: () => store.close() }
}

async function inProcessServer(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'etchlog-load-'))
  let serving: Serving
  try {
    // The workload brings its own kubelets and controllers: the server's control loops would fight
    // them. Its actors also rewrite pod specs from their own model, which would drop what the
    // ServiceAccount and SCC plugins inject at create (and then break Kubernetes' pod-update rule):
    // admission stays out of this server until the workload patches only the fields it owns.
    serving = await startServing({ dataDir, bindAddress: '127.0.0.1', securePort: 0, nodes: 0, controllers: false, without: { admission: true }, listenClientUrls: [], etcdTls: { clientCertAuth: false } }, () => undefined)
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
  const transport = new HttpTransport(readKubeconfig(serving.kubeconfigPath))
  const store = serving.store
  const client = new HttpObjectClient(transport, () => store.requestProgress())
  // The server made its key and config on start: this reads them back for the report.
  const encryption = prepareAtRest(join(dataDir, 'etchlog.db')).summary
  return {
    store,
    client,
    encryption,
    describe: `etchlog server ${serving.url} (in-process, data dir ${dataDir})`,
    async close() {
      transport.close()
      await serving.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function remoteServer(kubeconfigPath: string): Promise<Target> {
  const creds = readKubeconfig(kubeconfigPath)
  const transport = new HttpTransport(creds)
  const kv = new RemoteKv(transport, creds.server)
  const client = new HttpObjectClient(transport, () => undefined, (revision, write) => kv.observe(revision, write))
  try {
    await kv.flush()
  } catch (err) {
    transport.close()
    throw err
  }
  return {
    store: kv,
    client,
    encryption: undefined,
    describe: `etchlog server ${creds.server} (${kubeconfigPath}; no store check, no compaction from here)`,
    close: () => Promise.resolve(transport.close()),
  }
}

/** --embedded and --server KUBECONFIG (or --server=KUBECONFIG), taken out of the workload's flags. */
function targetFlags(args: readonly string[]): { embedded: boolean; server: string | undefined; rest: string[] } {
  const rest: string[] = []
  let embedded = false
  let server: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? ''
    if (a === '--embedded') embedded = true
    else if (a === '--server') server = args[++i] ?? ''
    else if (a.startsWith('--server=')) server = a.slice('--server='.length)
    else rest.push(a)
  }
  return { embedded, server, rest }
}

async function run(target: Target, options: WorkloadOptions, io: LoadIo, startedAt: string): Promise<number> {
  const workload = new Workload(target.store, realScheduler, options, target.encryption, target.client)
  let interruptedAtMs = Number.NEGATIVE_INFINITY
  const onSigint = (): void => {
    // One Ctrl-C can arrive twice (the terminal signals the process group and npm forwards it
    // too): a repeat within a second is the same one. A later second one quits at once with 130.
    const now = realScheduler.monotonicMs()
    if (now - interruptedAtMs < 1000) return
    if (workload.phase !== 'bootstrap' && workload.phase !== 'running') process.exit(130)
    interruptedAtMs = now
    workload.stop()
    io.stdout.write('\nstopping: no new operations, letting in-flight ones finish (Ctrl-C again to quit now)\n')
  }
  process.on('SIGINT', onSigint)
  io.signal?.addEventListener('abort', () => workload.stop(), { once: true })
  const out = io.stdout as NodeJS.WriteStream
  const tty = out.isTTY === true
  const progress = new Progress(workload)
  const timer = setInterval(
    () => {
      if (tty) out.write(`\r${progress.line(Math.max(20, (out.columns || 80) - 1))}\x1b[K`)
      else io.stdout.write(`${progress.line()}\n`)
    },
    (options.progressEverySeconds ?? (tty ? 1 : 5)) * 1000,
  )
  let result
  try {
    result = await workload.run()
  } finally {
    clearInterval(timer)
    process.off('SIGINT', onSigint)
    if (tty) out.write('\n')
  }
  const check = await target.store.check()
  await target.close()
  mkdirSync(dirname(options.dbPath), { recursive: true })
  const report = buildReport(result, check, startedAt, options.dbPath)
  const path = writeReport(report)
  io.stdout.write(`\n${formatSummary(report)}\nreport: ${path}\n`)
  return report.verification.ok && check.ok ? 0 : 1
}

/** Runs `etchlog load` with its arguments; resolves to the exit code. */
export async function runLoad(args: readonly string[], io: LoadIo): Promise<number> {
  const flags = targetFlags(args)
  let options
  try {
    if (flags.server === '') throw new StorageError('Invalid', 'workload: --server needs a kubeconfig file')
    if (flags.server !== undefined && flags.embedded) throw new StorageError('Invalid', 'workload: --server and --embedded exclude each other')
    options = parseWorkloadArgs(flags.rest, () => randomInt(2 ** 32 - 1))
  } catch (err) {
    if (!(err instanceof StorageError)) throw err
    io.stderr.write(`${err.message}\n\n${loadUsage}\n`)
    return 2
  }
  if (options === 'help') {
    io.stdout.write(`${loadUsage}\n`)
    return 0
  }
  const startedAt = new Date(realScheduler.now()).toISOString()
  let target: Target
  try {
    target = flags.embedded ? await embedded(options) : flags.server !== undefined ? await remoteServer(flags.server) : await inProcessServer()
  } catch (err) {
    // A bad or missing key file or config, an unreadable kubeconfig, an unreachable server: say which
    // (the message never holds key material).
    const code = err instanceof Error && 'code' in err ? err.code : undefined
    if (!(err instanceof StorageError) && code !== 'ENOENT' && code !== 'EACCES') throw err
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
  io.stdout.write(
    `etchlog workload on ${target.describe} (revision ${target.store.revision}): ` +
      `${options.nodes} nodes, ${options.controllers} controllers, ${options.durationSeconds} s at x${options.speedup}, seed ${options.seed}\n`,
  )
  const e = target.encryption
  io.stdout.write(`encryption at rest: ${e === undefined ? "the server's own (not visible over HTTP)" : `${e.configFile}${e.created ? ' (new key and config)' : ''}`}\n`)
  try {
    return await run(target, options, io, startedAt)
  } finally {
    // Normally already closed by run(); after a crash this still commits what was queued.
    await target.close()
  }
}
