// From a parsed request to its handler: non-resource paths (version, health, discovery, OpenAPI),
// then resources by verb and subresource. Unknown paths and verbs get the Status Kubernetes gives.
import { ApiError } from './api-error.js'
import { aggregatedContentType, aggregatedVersion, Discovery, serverVersion } from './discovery.js'
import type { ApiContext, HandlerArgs, UserInfo } from './handlers/context.js'
import { getObject, listObjects } from './handlers/read.js'
import { binding, eviction, finalizeNamespace, noContainers, podLog, scale } from './handlers/subresources.js'
import { watchObjects } from './handlers/watch.js'
import { createObject, deleteCollection, deleteObject, patchObject, replaceObject } from './handlers/write.js'
import { decodeObjectBody } from './http/decode.js'
import { mediaType, readBody, sendJson, sendRaw, type ApiRequest, type ApiResponse } from './http/io.js'
import type { RequestInfo } from './request-info.js'

/** Paths served before (and without) authentication, as kube-apiserver's public-info-viewer allows. */
export const publicPaths: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/livez', '/version', '/version/'])

export interface NonResourceHandler {
  (req: ApiRequest, res: ApiResponse, info: RequestInfo): Promise<boolean> | boolean
}

export class Router {
  readonly discovery: Discovery
  /** Extra non-resource handlers (OpenAPI, metrics, health checks): return true when handled. */
  readonly nonResource: NonResourceHandler[] = []

  constructor(
    private readonly ctx: ApiContext,
    private readonly address: () => string,
  ) {
    this.discovery = new Discovery(ctx.catalog)
  }

  async route(req: ApiRequest, res: ApiResponse, info: RequestInfo, user: UserInfo): Promise<void> {
    if (!info.isResourceRequest) return this.routeNonResource(req, res, info)
    const resource = this.ctx.catalog.lookup(info.group, info.version, info.resource)
    if (resource === undefined) throw new ApiError('NotFound', 'the server could not find the requested resource')
    if (!resource.namespaced && info.namespace !== '' && info.resource !== 'namespaces') throw new ApiError('NotFound', 'the server could not find the requested resource')
    if (info.extra.length > 0) throw new ApiError('NotFound', 'the server could not find the requested resource')
    const a: HandlerArgs = { ctx: this.ctx, info, resource, req, res, user }
    if (info.subresource !== '') return this.routeSubresource(a)
    if (resource.virtual === true) return this.routeVirtual(a)
    if (!resource.verbs.includes(info.verb)) throw notAllowed(info)
    if (resource.namespaced && info.namespace === '' && (info.verb === 'create' || info.name !== '')) {
      throw new ApiError('NotFound', 'the server could not find the requested resource')
    }
    switch (info.verb) {
      case 'get':
        return getObject(a)
      case 'list':
        return listObjects(a)
      case 'watch':
        return watchObjects(a)
      case 'create':
        if (info.name !== '') throw notAllowed(info)
        return createObject(a)
      case 'update':
        return replaceObject(a)
      case 'patch':
        return patchObject(a)
      case 'delete':
        return deleteObject(a)
      case 'deletecollection':
        return deleteCollection(a)
      default:
        throw notAllowed(info)
    }
  }

  private async routeSubresource(a: HandlerArgs): Promise<void> {
    const { info, resource } = a
    const sub = info.subresource
    if (!(resource.subresources as readonly string[]).includes(sub)) throw new ApiError('NotFound', 'the server could not find the requested resource')
    if (sub === 'status') {
      if (info.verb === 'get') return getObject(a)
      if (info.verb === 'update') return replaceObject(a)
      if (info.verb === 'patch') return patchObject(a)
    }
    if (sub === 'scale' && (info.verb === 'get' || info.verb === 'update' || info.verb === 'patch')) return scale(a)
    if (sub === 'log' && info.verb === 'get') return podLog(a)
    if (sub === 'binding' && info.verb === 'create') return binding(a)
    if (sub === 'eviction' && info.verb === 'create') return eviction(a)
    if (sub === 'finalize' && info.verb === 'update') return finalizeNamespace(a)
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') return noContainers(a)
    const handler = this.ctx.virtual.get(`${resource.group}/${resource.resource}/${sub}`)
    if (handler !== undefined && info.verb === 'create') return this.runVirtual(a, handler)
    throw notAllowed(info)
  }

  private async routeVirtual(a: HandlerArgs): Promise<void> {
    const handler = this.ctx.virtual.get(`${a.resource.group}/${a.resource.resource}`)
    if (handler === undefined || (a.info.verb !== 'create' && !(a.info.verb === 'list' && a.resource.verbs.includes('list')))) throw notAllowed(a.info)
    return this.runVirtual(a, handler)
  }

  private async runVirtual(a: HandlerArgs, handler: NonNullable<ReturnType<ApiContext['virtual']['get']>>): Promise<void> {
    const raw = a.info.verb === 'create' ? await readBody(a.req) : Buffer.alloc(0)
    const body = raw.length === 0 ? undefined : decodeObjectBody(mediaType(a.req), raw)
    const out = await handler.create(a.info, body, a.user, a.req)
    sendJson(a.res, out.code, out.body)
  }

  private async routeNonResource(req: ApiRequest, res: ApiResponse, info: RequestInfo): Promise<void> {
    const path = info.path.replace(/\/+$/, '') || '/'
    if (info.verb !== 'get' && info.verb !== 'head') {
      for (const h of this.nonResource) if (await h(req, res, info)) return
      throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`)
    }
    if (path === '/version') return sendJson(res, 200, serverVersion)
    if (path === '/api' || path === '/apis') {
      const v = aggregatedVersion(req.headers.accept)
      if (v !== undefined) return sendRaw(res, 200, aggregatedContentType(v), JSON.stringify(this.discovery.aggregated(path === '/api', v)))
      return sendJson(res, 200, path === '/api' ? this.discovery.apiVersions(this.address()) : this.discovery.apiGroupList())
    }
    const gv = /^\/api\/(v1)$/.exec(path)?.[1] ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1]
    if (gv !== undefined) {
      const list = this.discovery.resourceList(gv)
      if (list === undefined) throw new ApiError('NotFound', 'the server could not find the requested resource')
      return sendJson(res, 200, list)
    }
    const group = /^\/apis\/([^/]+)$/.exec(path)?.[1]
    if (group !== undefined) {
      const g = (this.discovery.apiGroupList() as { groups: { name: string }[] }).groups.find((x) => x.name === group)
      if (g === undefined) throw new ApiError('NotFound', 'the server could not find the requested resource')
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g })
    }
    for (const h of this.nonResource) if (await h(req, res, info)) return
    if (path === '/') {
      const paths = ['/api', '/api/v1', '/apis', ...this.ctx.catalog.groupVersions().filter((x) => x.includes('/')).map((x) => `/apis/${x}`), '/healthz', '/livez', '/readyz', '/version', '/openapi/v2', '/openapi/v3', '/metrics']
      return sendJson(res, 200, { paths: [...new Set(paths)].sort() })
    }
    throw new ApiError('NotFound', 'the server could not find the requested resource')
  }
}

function notAllowed(info: RequestInfo): ApiError {
  return new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`, { kind: info.resource, ...(info.name === '' ? {} : { name: info.name }) })
}
