// `etchlog serve`'s flags: the options type, the usage text, and the parser (kube-apiserver's and
// etcd's flag names where they exist).
import { parseDuration, type OverloadFlags, overloadFlagsDefault } from './apiserver/index.js'
import { InvalidArgumentError } from './util/index.js'

export interface ServeOptions {
  dataDir: string
  bindAddress: string
  securePort: number
  nodes: number
  /** The control loops (namespace, GC, deployments, scheduler, kubelets); on unless false. */
  controllers?: boolean
  /** kube-apiserver's --token-auth-file: CSV of token,user,uid,"group1,group2". */
  tokenAuthFile?: string
  /** etcd's --listen-client-urls: also serve etcd's v3 API from the same store. */
  listenClientUrls: string[]
  etcdTls: { certFile?: string; keyFile?: string; trustedCaFile?: string; clientCertAuth: boolean }
  maxRequestBytes?: number
  maxTxnOps?: number
  /** In-flight limits, request timeout, audit (docs/apiserver-operations.md). */
  overload?: OverloadFlags
  /**
   * Pipeline stages to leave out, for measuring what each costs (the server bench): no admission,
   * no schema validation, or authorization that allows every authenticated user. All on by default;
   * not a flag of `etchlog serve` (a server without them is not one to expose).
   */
  without?: { admission?: boolean; validation?: boolean; authorization?: boolean }
  /** kube-apiserver's --oidc-* flags; OIDC is on when issuerUrl and clientId are both given. */
  oidc?: OidcFlags
}

export interface OidcFlags {
  issuerUrl?: string
  clientId?: string
  usernameClaim?: string
  usernamePrefix?: string
  groupsClaim?: string
  groupsPrefix?: string
  caFile?: string
}

const oidcFlags: Readonly<Record<string, keyof OidcFlags>> = {
  '--oidc-issuer-url': 'issuerUrl',
  '--oidc-client-id': 'clientId',
  '--oidc-username-claim': 'usernameClaim',
  '--oidc-username-prefix': 'usernamePrefix',
  '--oidc-groups-claim': 'groupsClaim',
  '--oidc-groups-prefix': 'groupsPrefix',
  '--oidc-ca-file': 'caFile',
}

export const serveUsage = `usage: etchlog serve [flags]

  --data-dir DIR         where the database, PKI and kubeconfig live (default ./data)
  --bind-address ADDR    address to listen on (default 127.0.0.1)
  --secure-port PORT     HTTPS port; 0 picks a free one (default 6443)
  --nodes N              simulated nodes with kubelets (default 0)
  --token-auth-file F    static bearer tokens, kube-apiserver's CSV format
  --oidc-issuer-url URL, --oidc-client-id ID, --oidc-username-claim C, --oidc-username-prefix P,
  --oidc-groups-claim C, --oidc-groups-prefix P, --oidc-ca-file F   OIDC ID tokens, as kube-apiserver
  --max-requests-inflight N           read-only requests at once (default 400; 0: no limit)
  --max-mutating-requests-inflight N  mutating requests at once (default 200; 0: no limit)
  --max-watch-streams-per-user N      open watches per user (default 100; 0: no limit)
  --request-timeout D    timeout of non-long-running requests (default 60s)
  --audit-log-path F, --audit-policy-file F   audit.k8s.io/v1 Event lines, by a Policy file

  etcd v3 API from the same store (off unless --listen-client-urls is given):
  --listen-client-urls URLS   e.g. http://127.0.0.1:2379 (comma-separated; port 0 picks one;
                              bound addresses go to <data-dir>/etcd-endpoints)
  --cert-file F, --key-file F, --trusted-ca-file F, --client-cert-auth   TLS as etcd's flags
  --max-request-bytes N, --max-txn-ops N                                  limits as etcd's
  -h, --help             this text`

export function parseServeArgs(argv: readonly string[]): ServeOptions | 'help' {
  const o: ServeOptions = { dataDir: './data', bindAddress: '127.0.0.1', securePort: 6443, nodes: 0, listenClientUrls: [], etcdTls: { clientCertAuth: false } }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-h' || arg === '--help') return 'help'
    if (arg === '--client-cert-auth') {
      o.etcdTls.clientCertAuth = true
      continue
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new InvalidArgumentError(`etchlog serve: ${flag} needs a value`)
      return v
    }
    const int = (name: string, v: string, max: number): number => {
      const n = Number(v)
      if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`etchlog serve: ${name} must be an integer from 0 to ${max}, got ${JSON.stringify(v)}`)
      return n
    }
    switch (flag) {
      case '--data-dir':
        o.dataDir = value()
        break
      case '--bind-address':
        o.bindAddress = value()
        break
      case '--secure-port':
        o.securePort = int('--secure-port', value(), 65535)
        break
      case '--oidc-issuer-url':
      case '--oidc-client-id':
      case '--oidc-username-claim':
      case '--oidc-username-prefix':
      case '--oidc-groups-claim':
      case '--oidc-groups-prefix':
      case '--oidc-ca-file': {
        const field = oidcFlags[flag] as keyof OidcFlags // the case labels are exactly oidcFlags' keys
        o.oidc = { ...o.oidc, [field]: value() }
        break
      }
      case '--token-auth-file':
        o.tokenAuthFile = value()
        break
      case '--listen-client-urls':
        o.listenClientUrls.push(...value().split(',').filter((u) => u !== ''))
        break
      case '--cert-file':
        o.etcdTls.certFile = value()
        break
      case '--key-file':
        o.etcdTls.keyFile = value()
        break
      case '--trusted-ca-file':
        o.etcdTls.trustedCaFile = value()
        break
      case '--max-request-bytes':
        o.maxRequestBytes = int('--max-request-bytes', value(), 2 ** 31)
        break
      case '--max-txn-ops':
        o.maxTxnOps = int('--max-txn-ops', value(), 1_000_000)
        break
      case '--max-requests-inflight':
        o.overload = { ...(o.overload ?? overloadFlagsDefault), maxRequestsInflight: int(flag, value(), 1_000_000) }
        break
      case '--max-mutating-requests-inflight':
        o.overload = { ...(o.overload ?? overloadFlagsDefault), maxMutatingRequestsInflight: int(flag, value(), 1_000_000) }
        break
      case '--max-watch-streams-per-user':
        o.overload = { ...(o.overload ?? overloadFlagsDefault), maxWatchStreamsPerUser: int(flag, value(), 1_000_000) }
        break
      case '--request-timeout':
        o.overload = { ...(o.overload ?? overloadFlagsDefault), requestTimeoutMs: parseDuration(value()) }
        break
      case '--audit-log-path':
        o.overload = { ...(o.overload ?? overloadFlagsDefault), auditLogPath: value() }
        break
      case '--audit-policy-file':
        o.overload = { ...(o.overload ?? overloadFlagsDefault), auditPolicyFile: value() }
        break
      case '--nodes':
        o.nodes = int('--nodes', value(), 1000)
        break
      default:
        throw new InvalidArgumentError(`etchlog serve: unknown flag ${JSON.stringify(arg)}`)
    }
  }
  if (o.oidc !== undefined && (o.oidc.issuerUrl === undefined || o.oidc.clientId === undefined)) {
    throw new InvalidArgumentError('etchlog serve: OIDC needs both --oidc-issuer-url and --oidc-client-id')
  }
  return o
}

