// `etchlog serve`: one process serving the Kubernetes API (HTTPS, HTTP/2 and HTTP/1.1) from an
// embedded store, with its PKI and admin kubeconfig under the data dir. This file only wires:
// flags, the store, the server, the simulated cluster, signals.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  admissionHooks,
  ensureBuiltinSccs,
  ensureDefaultAccount,
  ApiServer,
  Catalog,
  GenericStore,
  kubeconfig,
  loadKubernetesSchemas,
  loadOrCreatePki,
  OpenApiBuilder,
  patchEngine,
  openApiRoutes,
  SchemaValidator,
  validationHook,
  writeAtomic,
  certificateAuthenticator,
  CrdController,
  escalationHook,
  feedRbac,
  impersonation,
  RbacAuthorizer,
  rbacAuthorizer,
  reviewHandlers,
  ServiceAccountTokens,
  TokenFile,
  tokenAuthenticator,
  tokenRequestHandler,
  buildObservability,
  overloadFlagsDefault,
  parseDuration,
  type ApiContext,
  type JsonSchema,
  type OverloadFlags,
} from './apiserver/index.js'
import { ObjectCodec, defaultRegistry } from './codec/index.js'
import { ObjectStore } from './objects/index.js'
import { openStore } from './open-store.js'
import type { Store } from './store.js'
import { InvalidArgumentError, systemClock } from './util/index.js'
import { prepareAtRest } from './workload/index.js'
import { startEtcdFront, type EtcdFront } from './etcdserver/index.js'
import { startCluster } from './controllers/index.js'

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
}

export const serveUsage = `usage: etchlog serve [flags]

  --data-dir DIR         where the database, PKI and kubeconfig live (default ./data)
  --bind-address ADDR    address to listen on (default 127.0.0.1)
  --secure-port PORT     HTTPS port; 0 picks a free one (default 6443)
  --nodes N              simulated nodes with kubelets (default 0)
  --token-auth-file F    static bearer tokens, kube-apiserver's CSV format
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
  return o
}

export interface Serving {
  server: ApiServer
  store: Store
  url: string
  kubeconfigPath: string
  /** The etcd front's bound addresses; empty without --listen-client-urls. */
  etcdUrls: string[]
  close(): Promise<void>
}

export async function startServing(o: ServeOptions, log: (line: string) => void): Promise<Serving> {
  const dataDir = resolve(o.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const dbPath = join(dataDir, 'etchlog.db')
  const atRest = prepareAtRest(dbPath)
  const store = await openStore({ path: dbPath, transformer: atRest.transformer, watchProgressNotifyIntervalMs: 5000 })
  const clock = systemClock
  const objects = new ObjectStore({ kv: store, codec: new ObjectCodec(defaultRegistry()), clock })
  const catalog = new Catalog()
  const ctx: ApiContext = { catalog, store: new GenericStore(objects, clock), clock, patch: patchEngine(), writeHooks: [], virtual: new Map(), logs: undefined, log }
  const pki = loadOrCreatePki(dataDir, [o.bindAddress], clock.now())
  const rbac = new RbacAuthorizer()
  const issuer = 'https://kubernetes.default.svc.cluster.local'
  const saKey = serviceAccountKey(pki.dir)
  const saTokens = new ServiceAccountTokens({
    privateKey: saKey.privateKey,
    publicKey: saKey.publicKey,
    issuer,
    clock,
    lookup: async (namespace, name) => {
      const sa = catalog.lookup('', 'v1', 'serviceaccounts')
      const account = sa === undefined ? undefined : await ctx.store.tryGet(sa, namespace, name)
      return account === undefined ? undefined : { uid: account.metadata.uid }
    },
  })
  const tokenFile = o.tokenAuthFile === undefined ? undefined : TokenFile.parse(readFileSync(o.tokenAuthFile, 'utf8'))
  ctx.writeHooks.unshift(escalationHook(rbac))
  for (const [path, handler] of reviewHandlers(rbac)) ctx.virtual.set(path, handler)
  ctx.virtual.set('/serviceaccounts/token', tokenRequestHandler(ctx, saTokens, issuer))
  let rbacSynced = false
  const stores = { countObjects: (p: string) => objects.count(p), readPath: () => objects.readPathStats(), watchCache: () => store.watchCacheStatus, storeWatchers: () => store.watcherCount }
  const obs = buildObservability(o.overload ?? overloadFlagsDefault, ctx, stores, { rbacSynced: () => rbacSynced })
  const server = new ApiServer({
    ...obs.server,
    ctx,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert },
    authenticators: [certificateAuthenticator(), tokenAuthenticator(tokenFile, saTokens, [issuer])],
    authorizer: rbacAuthorizer(rbac),
    impersonate: impersonation(rbac),
    log,
  })
  const stopFeeds = new AbortController()
  await feedRbac(ctx, rbac, stopFeeds.signal)
  rbacSynced = true
  const schemas = await loadKubernetesSchemas()
  const validator = new SchemaValidator(schemas)
  // Admission around validation, in kube's order (docs/apiserver-admission.md).
  const admission = admissionHooks({ ctx, authorize: (a) => rbac.authorize(a) })
  ctx.writeHooks.push(...admission.beforeValidation, validationHook(validator), ...admission.afterValidation)
  const crdSchemas = new Map<string, JsonSchema>()
  const crds = new CrdController(ctx, validator, crdSchemas)
  const openapi = new OpenApiBuilder(schemas, () => catalog.resources().map((r) => ({ ...r, verbs: [...r.verbs], subresources: [...r.subresources] })), () => crdSchemas)
  catalog.onChange(() => openapi.invalidate())
  await crds.start(stopFeeds.signal)
  server.router.nonResource.push(openApiRoutes(openapi))
  obs.install(server.router)
  await bootstrapNamespaces(ctx)
  await ensureBuiltinSccs(ctx)
  await admission.start(stopFeeds.signal)
  const address = await server.listen(o.bindAddress, o.securePort)
  const host = o.bindAddress === '0.0.0.0' || o.bindAddress === '::' ? '127.0.0.1' : o.bindAddress
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`
  const kubeconfigPath = join(dataDir, 'kubeconfig')
  writeAtomic(kubeconfigPath, kubeconfig({ server: url, caPem: pki.ca.cert, user: 'etchlog-admin', clientCertPem: pki.admin.cert, clientKeyPem: pki.admin.key }), 0o600)
  // The control loops (namespace, GC, deployments, scheduler, kubelets) as clients of this server.
  const cluster =
    o.controllers === false
      ? undefined
      : await startCluster({ server: url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key, nodes: o.nodes, clock, log }).catch(async (err: unknown) => {
          stopFeeds.abort()
          await server.close()
          await store.close()
          throw err
        })
  ctx.logs = cluster?.logs
  let etcd: EtcdFront | undefined
  if (o.listenClientUrls.length > 0) {
    const t = o.etcdTls
    if ((t.certFile === undefined) !== (t.keyFile === undefined)) throw new InvalidArgumentError('etchlog serve: --cert-file and --key-file go together')
    etcd = await startEtcdFront({
      store,
      listenClientUrls: o.listenClientUrls,
      ...(t.certFile === undefined || t.keyFile === undefined ? {} : { tls: { certFile: t.certFile, keyFile: t.keyFile, ...(t.trustedCaFile === undefined ? {} : { trustedCaFile: t.trustedCaFile }), clientCertAuth: t.clientCertAuth } }),
      ...(o.maxRequestBytes === undefined ? {} : { maxRequestBytes: o.maxRequestBytes }),
      ...(o.maxTxnOps === undefined ? {} : { maxTxnOps: o.maxTxnOps }),
      dataDir,
    })
    writeAtomic(join(dataDir, 'etcd-endpoints'), `${etcd.urls.join('\n')}\n`, 0o644)
  }
  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await cluster?.stop()
      stopFeeds.abort()
      await etcd?.close()
      await server.close()
      await obs.close()
      await store.close()
    })())
  return { server, store, url, kubeconfigPath, etcdUrls: etcd?.urls ?? [], close }
}

/** The namespaces every cluster has. */
async function bootstrapNamespaces(ctx: ApiContext): Promise<void> {
  const ns = ctx.catalog.lookup('', 'v1', 'namespaces')
  if (ns === undefined) return
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensureDefaultAccount(ctx, name)
    if ((await ctx.store.tryGet(ns, '', name)) !== undefined) continue
    await ctx.store.create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } as never }).catch((err: unknown) => {
      // Another process on the same database made it first.
      if (err instanceof Error && 'code' in err && err.code === 'AlreadyExists') return
      throw err
    })
  }
}

/** The service-account token signing key (ES256), made once under the PKI folder. */
function serviceAccountKey(dir: string): { privateKey: ReturnType<typeof createPrivateKey>; publicKey: ReturnType<typeof createPublicKey> } {
  const path = join(dir, 'sa.key')
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    writeAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600)
  }
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'))
  return { privateKey, publicKey: createPublicKey(privateKey) }
}
