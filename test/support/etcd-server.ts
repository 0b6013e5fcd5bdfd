// Starts a real etcd (Debian's etcd-server 3.4.23) for the differential tests: one member on
// 127.0.0.1, free client and peer ports, a fresh data dir in a temp folder; stop() ends it
// (SIGTERM, then SIGKILL) and removes the folder. .ci/run unpacks the Debian package into
// ETCD_UNPACK_DIR so that no system service is started.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { tempDir } from './temp-store.js'

/** Where .ci/run unpacks the .deb (`dpkg-deb -x`); keep in step with .ci/run. */
export const ETCD_UNPACK_DIR = join(tmpdir(), 'etchlog-etcd-server')

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false // not there or not executable: try the next candidate
  }
}

/** ETCHLOG_ETCD_BIN, then PATH, then /usr/bin/etcd, then the unpacked package. */
export function findEtcd(): string | undefined {
  const fromEnv = process.env.ETCHLOG_ETCD_BIN
  if (fromEnv !== undefined && fromEnv !== '') return executable(fromEnv) ? fromEnv : undefined
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'etcd'))
  return [...onPath, '/usr/bin/etcd', join(ETCD_UNPACK_DIR, 'usr/bin/etcd')].find(executable)
}

export function etcdVersion(bin: string): string {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return /etcd Version: (\S+)/.exec(out.stdout)?.[1] ?? 'unknown'
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface EtcdServer {
  /** host:port of the client URL, for a gRPC channel. */
  endpoint: string
  version: string
  /** False once the process has exited (a crash shows in logTail()). */
  running(): boolean
  /** The last few KiB etcd wrote to stderr. */
  logTail(): string
  stop(): Promise<void>
}

const startTimeoutMs = 30_000
const stopTimeoutMs = 5_000

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${endpoint}/health`, { signal: AbortSignal.timeout(1000) })
    const body = (await res.json()) as { health?: string }
    return body.health === 'true'
  } catch {
    return false // not listening, or no leader: the caller reports it
  }
}

/** Starts etcd and resolves once it reports serving clients and /health answers true. */
export async function startEtcd(bin: string): Promise<EtcdServer> {
  const dir = tempDir('etchlog-etcd-')
  const clientPort = await freePort()
  let peerPort = await freePort()
  while (peerPort === clientPort) peerPort = await freePort()
  const client = `http://127.0.0.1:${clientPort}`
  const peer = `http://127.0.0.1:${peerPort}`
  const child = spawn(
    bin,
    [
      '--name=diff',
      `--data-dir=${join(dir.path, 'data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=diff=${peer}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      // info, to see the line etcd logs once it is ready (see below); kept in a bounded tail.
      '--log-level=info',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  // etcd logs "serving client traffic ..." after its ReadyNotify (a leader elected, the member
  // published): the event to wait for, instead of polling /health on a timer.
  const ready = new Promise<'ready' | 'exited' | 'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), startTimeoutMs)
    const done = (how: 'ready' | 'exited'): void => {
      clearTimeout(timer)
      resolve(how)
    }
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000)
      if (/"msg":"serving client traffic/.test(s)) done('ready')
    })
    child.once('exit', () => done('exited'))
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
      await exited(child)
      clearTimeout(timer)
    }
    dir.remove()
  }
  const endpoint = `127.0.0.1:${clientPort}`
  const how = await ready
  if (how === 'exited') {
    dir.remove()
    throw new Error(`etcd exited during start-up (${child.exitCode ?? child.signalCode}):\n${stderr}`)
  }
  if (how === 'timeout' || !(await healthy(endpoint))) {
    await stop()
    throw new Error(`etcd was not ready to serve within ${startTimeoutMs} ms:\n${stderr}`)
  }
  return {
    endpoint,
    version: etcdVersion(bin),
    running: () => child.exitCode === null && child.signalCode === null,
    logTail: () => stderr,
    stop,
  }
}
