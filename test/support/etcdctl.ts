// Runs etcdctl 3.4 (Debian's etcd-client, unpacked by .ci/run into ETCDCTL_UNPACK_DIR) against
// an endpoint, asynchronously (the front under test may live in this very process).
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** Where .ci/run unpacks etcd-client's .deb; keep in step with .ci/run. */
export const ETCDCTL_UNPACK_DIR = join(tmpdir(), 'etchlog-etcd-client')

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false // not there or not executable: try the next candidate
  }
}

/** ETCHLOG_ETCDCTL_BIN, then PATH, then /usr/bin/etcdctl, then the unpacked package. */
export function findEtcdctl(): string | undefined {
  const fromEnv = process.env.ETCHLOG_ETCDCTL_BIN
  if (fromEnv !== undefined && fromEnv !== '') return executable(fromEnv) ? fromEnv : undefined
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'etcdctl'))
  return [...onPath, '/usr/bin/etcdctl', join(ETCDCTL_UNPACK_DIR, 'usr/bin/etcdctl')].find(executable)
}

export interface CtlResult { code: number | null; stdout: string; stderr: string }

/** Runs `etcdctl --endpoints=<endpoint> ...args`, feeding `input` on stdin; never throws on exit codes. */
export function etcdctl(bin: string, endpoint: string, args: string[], options: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [`--endpoints=${endpoint}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ETCDCTL_API: '3' }, cwd: options.cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}
