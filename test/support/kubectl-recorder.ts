// A tiny fake Kubernetes API server for driving the real kubectl in tests: it serves /version
// (minor 32, so the dispatcher would pick 1.32), legacy discovery for the kinds the protobuf tests
// create, records every write's raw body and Content-Type, and answers writes with a plausible
// JSON object built by the caller's `reply`. Listens on 127.0.0.1, port 0.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Google's SDK ships one kubectl per minor version; the dispatcher in /usr/bin picks by /version. */
export function kubectlBinary(minor: number): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`
}

export function kubectlAvailable(minor: number): boolean {
  return existsSync(kubectlBinary(minor))
}

export interface RecordedWrite {
  readonly method: string
  readonly url: string
  readonly contentType: string
  readonly accept: string
  readonly body: Buffer
}

/** What the fake answers a write with: an HTTP code, a JSON object, and optionally the same
 *  object as protobuf bytes (sent when the client listed protobuf first). */
export interface Reply {
  readonly code: number
  readonly object: unknown
  readonly protobuf?: Uint8Array | undefined
}

/** [group version, resource, kind, namespaced, subresources...] served by discovery. */
const resources: ReadonlyArray<readonly [string, string, string, boolean]> = [
  ['v1', 'namespaces', 'Namespace', false], ['v1', 'configmaps', 'ConfigMap', true], ['v1', 'secrets', 'Secret', true],
  ['v1', 'serviceaccounts', 'ServiceAccount', true], ['v1', 'serviceaccounts/token', 'TokenRequest', true],
  ['v1', 'services', 'Service', true], ['v1', 'pods', 'Pod', true], ['v1', 'pods/eviction', 'Eviction', true], ['v1', 'resourcequotas', 'ResourceQuota', true],
  ['v1', 'nodes', 'Node', false],
  ['apps/v1', 'deployments', 'Deployment', true], ['batch/v1', 'jobs', 'Job', true], ['batch/v1', 'cronjobs', 'CronJob', true],
  ['rbac.authorization.k8s.io/v1', 'roles', 'Role', true], ['rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false],
  ['rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true],
  ['rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false],
  ['scheduling.k8s.io/v1', 'priorityclasses', 'PriorityClass', false],
  ['policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true], ['networking.k8s.io/v1', 'ingresses', 'Ingress', true],
  ['authorization.k8s.io/v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false],
  ['authorization.k8s.io/v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false],
  ['authentication.k8s.io/v1', 'selfsubjectreviews', 'SelfSubjectReview', false],
]

function discovery(path: string, port: number): unknown {
  if (path === '/version') {
    return { major: '1', minor: '32', gitVersion: 'v1.32.4', gitCommit: 'test', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' }
  }
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] }
  const groups = [...new Set(resources.map((r) => r[0]).filter((gv) => gv.includes('/')))]
  if (path === '/apis') {
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: groups.map((gv) => ({ name: gv.split('/')[0], versions: [{ groupVersion: gv, version: 'v1' }], preferredVersion: { groupVersion: gv, version: 'v1' } })),
    }
  }
  const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice(6) : undefined
  if (gv === undefined || !resources.some((r) => r[0] === gv)) return undefined
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
    resources: resources.filter((r) => r[0] === gv).map(([, name, kind, namespaced]) => ({
      name, singularName: '', namespaced, kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      // kubectl drain looks for the policy/v1 eviction subresource before it evicts.
      ...(name === 'pods/eviction' ? { group: 'policy', version: 'v1' } : {}),
    })),
  }
}

export class KubectlRecorder {
  readonly writes: RecordedWrite[] = []
  /** Answers for GETs beyond discovery, by path (query ignored); anything else is a 404. */
  readonly objects = new Map<string, unknown>()
  /** When set, a GET whose Accept lists protobuf first is answered with these bytes instead. */
  encodeGet: ((object: unknown) => Uint8Array | undefined) | undefined
  readonly reads: Array<{ readonly url: string; readonly accept: string; readonly protobuf: boolean }> = []
  private readonly server: Server
  private readonly home: string
  private port = 0

  constructor(
    private readonly binary: string,
    private readonly reply: (write: RecordedWrite) => Reply,
  ) {
    this.home = mkdtempSync(join(tmpdir(), 'etchlog-kubectl-'))
    this.server = createServer((req, res) => this.handle(req, res))
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    const kubeconfig = [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      'clusters:', '- name: t', '  cluster:', `    server: http://127.0.0.1:${this.port}`,
      'contexts:', '- name: t', '  context:', '    cluster: t', '    user: u', '    namespace: ns1',
      'users:', '- name: u', '  user: {}',
    ].join('\n')
    writeFileSync(join(this.home, 'kubeconfig'), kubeconfig)
  }

  /** Writes a file into the private HOME, which arguments can name as @HOME@/<name>. */
  writeHomeFile(name: string, bytes: Uint8Array): void {
    writeFileSync(join(this.home, name), bytes)
  }

  /** Runs kubectl with a private HOME and kubeconfig; resolves with its output. */
  run(args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin', HOME: this.home, KUBECONFIG: join(this.home, 'kubeconfig') }
    return new Promise((resolve) => {
      execFile(this.binary, args.map((a) => a.replaceAll('@HOME@', this.home)), { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ stdout, stderr, code })
      })
    })
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    rmSync(this.home, { recursive: true, force: true })
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      if (req.method === 'GET') {
        const object = this.objects.get(path)
        const accept = req.headers.accept ?? ''
        const bytes = object !== undefined && accept.startsWith('application/vnd.kubernetes.protobuf') ? this.encodeGet?.(object) : undefined
        if (object !== undefined) this.reads.push({ url: req.url ?? '', accept, protobuf: bytes !== undefined })
        if (bytes !== undefined) {
          res.writeHead(200, { 'Content-Type': 'application/vnd.kubernetes.protobuf' })
          return res.end(bytes)
        }
        const body = object ?? discovery(path, this.port)
        if (body === undefined) return this.send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` })
        return this.send(res, 200, body)
      }
      const write = {
        method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '',
        accept: req.headers.accept ?? '', body: Buffer.concat(chunks),
      }
      this.writes.push(write)
      try {
        const reply = this.reply(write)
        if (reply.protobuf === undefined) return this.send(res, reply.code, reply.object)
        res.writeHead(reply.code, { 'Content-Type': 'application/vnd.kubernetes.protobuf' })
        res.end(reply.protobuf)
      } catch (err) {
        // Reported to kubectl (and so to the test) as a 400, never swallowed.
        this.send(res, 400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: String(err) })
      }
    })
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify(body))
  }
}
