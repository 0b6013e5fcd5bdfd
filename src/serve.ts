// `etchlog serve`: one process serving the Kubernetes API (HTTPS, HTTP/2 and HTTP/1.1) from an
// embedded store, with its PKI and admin kubeconfig under the data dir, the simulated cluster's
// control loops, and etcd's v3 API when asked. This file only wires, in order; flags are in
// serve-options.ts, authentication and authorization in serve-security.ts.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  admissionHooks,
  ApiServer,
  buildObservability,
  Catalog,
  CrdController,
  ensureBuiltinSccs,
  ensureDefaultAccount,
  feedRbac,
  GenericStore,
  kubeconfig,
  loadKubernetesSchemas,
  loadOrCreatePki,
  OpenApiBuilder,
  openApiRoutes,
  overloadFlagsDefault,
  patchEngine,
  projectRequestHandler,
  SchemaValidator,
  validationHook,
  writeAtomic,
  type ApiContext,
  type JsonSchema,
} from './apiserver/index.js'
import { ObjectCodec, defaultRegistry } from './codec/index.js'
import { startCluster } from './controllers/index.js'
import { startEtcdFront, type EtcdFront } from './etcdserver/index.js'
import { ObjectStore } from './objects/index.js'
import { openStore } from './open-store.js'
import type { ServeOptions } from './serve-options.js'
import { setUpSecurity } from './serve-security.js'
import type { Store } from './store.js'
import { InvalidArgumentError, systemClock } from './util/index.js'
import { prepareAtRest } from './workload/index.js'

export { parseServeArgs, serveUsage, type ServeOptions } from './serve-options.js'

export interface Serving {
  server: ApiServer
  store: Store
  url: string
  kubeconfigPath: string
  /** The etcd front's bound addresses; empty without --listen-client-urls. */
  etcdUrls: string[]
  close(): Promise<void>
}

/**
 * Opens the store and serves it. Every step after the store opens is undone if a later one fails
 * (a port in use, a bad token file): nothing is left open behind an error.
 */
export async function startServing(o: ServeOptions, log: (line: string) => void): Promise<Serving> {
  const dataDir = resolve(o.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const dbPath = join(dataDir, 'etchlog.db')
  const atRest = prepareAtRest(dbPath)
  const store = await openStore({ path: dbPath, transformer: atRest.transformer, watchProgressNotifyIntervalMs: 5000 })
  const undo: (() => Promise<void> | void)[] = [() => store.close()]
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse()) await step()
  }
  try {
    const api = await buildApiServer(o, dataDir, store, log, undo)
    const address = await api.server.listen(o.bindAddress, o.securePort)
    undo.push(() => api.server.close())
    const host = o.bindAddress === '0.0.0.0' || o.bindAddress === '::' ? '127.0.0.1' : o.bindAddress
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`
    const kubeconfigPath = join(dataDir, 'kubeconfig')
    writeAtomic(kubeconfigPath, kubeconfig({ server: url, caPem: api.pki.ca.cert, user: 'etchlog-admin', clientCertPem: api.pki.admin.cert, clientKeyPem: api.pki.admin.key }), 0o600)
    // The control loops (namespace, GC, deployments, scheduler, kubelets) as clients of this server.
    if (o.controllers !== false) {
      const cluster = await startCluster({ server: url, ca: api.pki.ca.cert, cert: api.pki.admin.cert, key: api.pki.admin.key, nodes: o.nodes, clock: systemClock, log })
      undo.push(() => cluster.stop())
      api.ctx.logs = cluster.logs
    }
    const etcd = o.listenClientUrls.length > 0 ? await serveEtcd(o, dataDir, store) : undefined
    if (etcd !== undefined) undo.push(() => etcd.close())
    let closing: Promise<void> | undefined
    // Stops in reverse order of start: control loops, the etcd front, the API server (open watch
    // streams end), the feeds and metrics, and last the store (queued writes commit).
    const close = (): Promise<void> => (closing ??= unwind())
    return { server: api.server, store, url, kubeconfigPath, etcdUrls: etcd?.urls ?? [], close }
  } catch (err) {
    await unwind()
    throw err
  }
}

interface BuiltApi {
  server: ApiServer
  ctx: ApiContext
  pki: ReturnType<typeof loadOrCreatePki>
}

/** The API server over the store: registry, security, admission and validation, CRDs, OpenAPI, observability, bootstrap objects. */
async function buildApiServer(o: ServeOptions, dataDir: string, store: Store, log: (line: string) => void, undo: (() => Promise<void> | void)[]): Promise<BuiltApi> {
  const clock = systemClock
  const objects = new ObjectStore({ kv: store, codec: new ObjectCodec(defaultRegistry()), clock })
  const catalog = new Catalog()
  const ctx: ApiContext = { catalog, store: new GenericStore(objects, clock), clock, patch: patchEngine(), writeHooks: [], virtual: new Map(), logs: undefined, log }
  const pki = loadOrCreatePki(dataDir, [o.bindAddress], clock.now())
  const security = setUpSecurity(ctx, pki.dir, o.tokenAuthFile, o.oidc)
  ctx.virtual.set('project.openshift.io/projectrequests', projectRequestHandler(ctx))
  let rbacSynced = false
  const stores = { countObjects: (p: string) => objects.count(p), readPath: () => objects.readPathStats(), watchCache: () => store.watchCacheStatus, storeWatchers: () => store.watcherCount }
  const obs = buildObservability(o.overload ?? overloadFlagsDefault, ctx, stores, { rbacSynced: () => rbacSynced })
  undo.push(() => obs.close())
  const authorizer = o.without?.authorization === true ? { authorizer: () => ({ allowed: true, reason: 'authorization left out (bench)' }) } : {}
  const server = new ApiServer({ ...obs.server, ctx, tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert }, ...security.server, ...authorizer, log })
  const stopFeeds = new AbortController()
  undo.push(() => stopFeeds.abort())
  await feedRbac(ctx, security.rbac, stopFeeds.signal)
  rbacSynced = true
  const schemas = await loadKubernetesSchemas()
  const validator = new SchemaValidator(schemas)
  // Admission around validation, in kube's order (docs/apiserver-admission.md).
  const admission = admissionHooks({ ctx, authorize: (a) => security.rbac.authorize(a) })
  const without = o.without ?? {}
  ctx.writeHooks.push(...(without.admission === true ? [] : admission.beforeValidation), ...(without.validation === true ? [] : [validationHook(validator)]), ...(without.admission === true ? [] : admission.afterValidation))
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
  return { server, ctx, pki }
}

/** etcd's v3 API from the same store (--listen-client-urls), its bound addresses in <data-dir>/etcd-endpoints. */
async function serveEtcd(o: ServeOptions, dataDir: string, store: Store): Promise<EtcdFront> {
  const t = o.etcdTls
  if ((t.certFile === undefined) !== (t.keyFile === undefined)) throw new InvalidArgumentError('etchlog serve: --cert-file and --key-file go together')
  const etcd = await startEtcdFront({
    store,
    listenClientUrls: o.listenClientUrls,
    ...(t.certFile === undefined || t.keyFile === undefined ? {} : { tls: { certFile: t.certFile, keyFile: t.keyFile, ...(t.trustedCaFile === undefined ? {} : { trustedCaFile: t.trustedCaFile }), clientCertAuth: t.clientCertAuth } }),
    ...(o.maxRequestBytes === undefined ? {} : { maxRequestBytes: o.maxRequestBytes }),
    ...(o.maxTxnOps === undefined ? {} : { maxTxnOps: o.maxTxnOps }),
    dataDir,
  })
  writeAtomic(join(dataDir, 'etcd-endpoints'), `${etcd.urls.join('\n')}\n`, 0o644)
  return etcd
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

