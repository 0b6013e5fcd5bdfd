// Authentication and authorization wired to the server: x509 and bearer-token authenticators,
// the RBAC authorizer fed by a watch on the four RBAC resources (a change counts for the next
// request, no restart), the bootstrap policy, impersonation, and the review endpoints kubectl's
// `auth can-i` and `auth whoami` use.
import type { TLSSocket } from 'node:tls'
import type { KubeObject } from '../codec/index.js'
import { ApiError, badRequest } from './api-error.js'
import {
  bootstrapPolicy,
  checkBindingEscalation,
  checkRoleEscalation,
  forbiddenMessage,
  impersonate,
  nonResourceAttributes,
  RbacAuthorizer,
  TokenFile,
  type OidcAuthenticator,
  userFromCertificate,
  withAuthenticatedGroup,
  type Attributes,
  type ServiceAccountTokens,
} from './auth/index.js'
import type { ApiContext, UserInfo, VirtualHandler, WriteHook } from './handlers/context.js'
import type { ApiRequest } from './http/io.js'
import type { RequestInfo } from './request-info.js'
import type { Authenticator, Authorizer } from './server.js'

export function certificateAuthenticator(): Authenticator {
  // A connection's certificate does not change: parse it once per TLS socket, not per request
  // (getPeerCertificate() decodes the X.509 structure each time: ~30 us, a tenth of a GET).
  const users = new WeakMap<object, UserInfo | null>()
  return (_req, socket: TLSSocket | undefined) => {
    if (socket === undefined || socket.authorized !== true) return undefined
    let user = users.get(socket)
    if (user === undefined) {
      const cert = socket.getPeerCertificate()
      user = cert === undefined || Object.keys(cert).length === 0 ? null : withAuthenticatedGroup(userFromCertificate(cert))
      users.set(socket, user)
    }
    return user ?? undefined
  }
}

function bearer(req: ApiRequest): string | undefined {
  const h = req.headers.authorization
  if (typeof h !== 'string' || !/^bearer /i.test(h)) return undefined
  const token = h.slice(7).trim()
  return token === '' ? undefined : token
}

/** Static tokens (--token-auth-file), service-account JWTs and OIDC ID tokens, in kube's order; an unknown bearer token is a 401, not anonymous. */
export function tokenAuthenticator(tokens: TokenFile | undefined, serviceAccounts: ServiceAccountTokens | undefined, audiences: string[], oidc?: OidcAuthenticator): Authenticator {
  return async (req) => {
    const token = bearer(req)
    if (token === undefined) return undefined
    const fromFile = tokens?.authenticate(token)
    if (fromFile !== undefined) return withAuthenticatedGroup(fromFile)
    const sa = await serviceAccounts?.authenticate(token, audiences)
    if (sa !== undefined) return sa
    const fromOidc = await oidc?.authenticate(token)
    if (fromOidc !== undefined) return withAuthenticatedGroup(fromOidc)
    throw new ApiError('Unauthorized', 'Unauthorized')
  }
}

export function attributesOf(user: UserInfo, info: RequestInfo): Attributes {
  if (!info.isResourceRequest) return nonResourceAttributes(user, info.verb, info.path)
  return { user, verb: info.verb, resourceRequest: true, path: info.path, namespace: info.namespace, apiGroup: info.group, apiVersion: info.version, resource: info.resource, subresource: info.subresource, name: info.name }
}

export function rbacAuthorizer(rbac: RbacAuthorizer): Authorizer {
  return (user, info) => {
    const a = attributesOf(user, info)
    const d = rbac.authorize(a)
    return d.allowed ? d : { allowed: false, reason: forbiddenMessage(a, d.reason) }
  }
}

export function impersonation(rbac: RbacAuthorizer): (user: UserInfo, req: ApiRequest) => UserInfo {
  return (user, req) => {
    const h = req.headers
    const target = h['impersonate-user']
    const groups = h['impersonate-group']
    const uid = h['impersonate-uid']
    const extra: Record<string, string[]> = {}
    for (const [k, v] of Object.entries(h)) {
      if (!k.startsWith('impersonate-extra-') || v === undefined) continue
      extra[decodeURIComponent(k.slice(18))] = Array.isArray(v) ? v : [v]
    }
    if (target === undefined && groups === undefined && uid === undefined && Object.keys(extra).length === 0) return user
    try {
      return impersonate(user, { ...(typeof target === 'string' ? { user: target } : {}), groups: groups === undefined ? [] : Array.isArray(groups) ? groups : groups.split(',').map((g) => g.trim()), ...(typeof uid === 'string' ? { uid } : {}), extra }, (a) => rbac.authorize(a))
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'Forbidden') throw new ApiError('Forbidden', err.message)
      throw err
    }
  }
}

const rbacResources = [
  ['rbac.authorization.k8s.io', 'clusterroles'],
  ['rbac.authorization.k8s.io', 'clusterrolebindings'],
  ['rbac.authorization.k8s.io', 'roles'],
  ['rbac.authorization.k8s.io', 'rolebindings'],
] as const

/** Creates the bootstrap policy where missing, loads all RBAC objects and keeps the authorizer in step with a watch. */
export async function feedRbac(ctx: ApiContext, rbac: RbacAuthorizer, signal: AbortSignal): Promise<void> {
  for (const object of bootstrapPolicy()) {
    const r = ctx.catalog.byKind(object.apiVersion, object.kind)
    if (r === undefined || (await ctx.store.tryGet(r, object.metadata.namespace ?? '', object.metadata.name)) !== undefined) continue
    await ctx.store.create(r, object).catch((err: unknown) => {
      // Another process made it first.
      if (!(err instanceof ApiError && err.code === 'AlreadyExists')) throw err
    })
  }
  const all: KubeObject[] = []
  for (const [group, resource] of rbacResources) {
    const r = ctx.catalog.lookup(group, 'v1', resource)
    if (r === undefined) continue
    const list = await ctx.store.list(r, '', {})
    all.push(...list.items)
    const watcher = ctx.store.watch(r, '', '', { resourceVersion: list.resourceVersion, signal })
    void (async () => {
      for await (const e of watcher) {
        if (e.type === 'ADDED' || e.type === 'MODIFIED') rbac.upsert(e.object)
        else if (e.type === 'DELETED') rbac.remove(e.object)
        else if (e.type === 'ERROR') break
      }
      // A watch ended by anything but shutdown: reload everything and go on watching.
      if (!signal.aborted) await feedRbac(ctx, rbac, signal)
    })().catch((err: unknown) => ctx.log(`apiserver: RBAC watch failed: ${err instanceof Error ? err.message : String(err)}`))
  }
  rbac.reset(all)
}

/** SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview. */
export function reviewHandlers(rbac: RbacAuthorizer): Map<string, VirtualHandler> {
  const spec = (body: unknown): Record<string, unknown> => {
    const s = (body as { spec?: unknown } | undefined)?.spec
    if (s === null || typeof s !== 'object') throw badRequest('spec is required')
    return s as Record<string, unknown>
  }
  const decide = (user: UserInfo, s: Record<string, unknown>, namespace?: string): Record<string, unknown> => {
    const ra = s.resourceAttributes as Record<string, string> | undefined
    const na = s.nonResourceAttributes as Record<string, string> | undefined
    let a: Attributes
    if (ra !== undefined) a = { user, verb: ra.verb ?? '', resourceRequest: true, path: '', namespace: namespace ?? ra.namespace ?? '', apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '' }
    else if (na !== undefined) a = nonResourceAttributes(user, na.verb ?? '', na.path ?? '')
    else throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified')
    const d = rbac.authorize(a)
    return d.allowed ? { allowed: true, reason: d.reason } : { allowed: false, ...(d.reason === '' ? {} : { reason: d.reason }) }
  }
  const reply = (kind: string, apiVersion: string, body: unknown, status: unknown, s: Record<string, unknown>): { code: number; body: unknown } => ({
    code: 201,
    body: { kind, apiVersion, metadata: { ...((body as { metadata?: object } | undefined)?.metadata ?? {}), creationTimestamp: null }, spec: s, status },
  })
  const m = new Map<string, VirtualHandler>()
  m.set('authorization.k8s.io/selfsubjectaccessreviews', { create: async (_i, body, user) => { const s = spec(body); return reply('SelfSubjectAccessReview', 'authorization.k8s.io/v1', body, decide(user, s), s) } })
  m.set('authorization.k8s.io/localsubjectaccessreviews', { create: async (info, body) => { const s = spec(body); return reply('LocalSubjectAccessReview', 'authorization.k8s.io/v1', body, decide(subjectOf(s), s, info.namespace), s) } })
  m.set('authorization.k8s.io/subjectaccessreviews', { create: async (_i, body) => { const s = spec(body); return reply('SubjectAccessReview', 'authorization.k8s.io/v1', body, decide(subjectOf(s), s), s) } })
  m.set('authorization.k8s.io/selfsubjectrulesreviews', {
    create: async (_i, body, user) => {
      const s = spec(body)
      const rules = rbac.rulesFor(user, String(s.namespace ?? ''))
      return reply('SelfSubjectRulesReview', 'authorization.k8s.io/v1', body, { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete, ...(rules.evaluationError === '' ? {} : { evaluationError: rules.evaluationError }) }, s)
    },
  })
  m.set('authentication.k8s.io/selfsubjectreviews', {
    create: async (_i, body, user) => ({ code: 201, body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { ...((body as { metadata?: object } | undefined)?.metadata ?? {}), creationTimestamp: null }, status: { userInfo: { username: user.username, ...(user.uid === undefined ? {} : { uid: user.uid }), groups: user.groups, ...(user.extra === undefined ? {} : { extra: user.extra }) } } } }),
  })
  return m
}

function subjectOf(s: Record<string, unknown>): UserInfo {
  const user = s.user
  if (typeof user !== 'string' || user === '') throw badRequest('spec.user or spec.groups is required')
  return { username: user, groups: Array.isArray(s.groups) ? s.groups.map(String) : [], ...(typeof s.uid === 'string' ? { uid: s.uid } : {}) }
}

/** serviceaccounts/NAME/token: a TokenRequest answered with a signed, account-bound JWT (`kubectl create token`). */
export function tokenRequestHandler(ctx: ApiContext, tokens: ServiceAccountTokens, issuer: string): VirtualHandler {
  return {
    create: async (info, body) => {
      const sa = ctx.catalog.lookup('', 'v1', 'serviceaccounts')
      if (sa === undefined) throw badRequest('serviceaccounts are not served')
      const account = await ctx.store.get(sa, info.namespace, info.name)
      const s = ((body as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>
      const audiences = Array.isArray(s.audiences) && s.audiences.length > 0 ? s.audiences.map(String) : [issuer]
      const expirationSeconds = typeof s.expirationSeconds === 'number' ? s.expirationSeconds : 3600
      const out = await tokens.issue({ namespace: info.namespace, name: info.name, uid: account.metadata.uid, audiences, expirationSeconds })
      return { code: 201, body: { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: info.name, namespace: info.namespace, creationTimestamp: null }, spec: { audiences, expirationSeconds }, status: { token: out.token, expirationTimestamp: out.expirationTimestamp } } }
    },
  }
}

/**
 * RBAC's escalation rule on writes of roles and bindings: a user may grant only what they already
 * hold (or has the escalate/bind verbs), as kube-apiserver's RBAC storage enforces.
 */
export function escalationHook(rbac: RbacAuthorizer): WriteHook {
  return (w) => {
    if (w.resource.group !== 'rbac.authorization.k8s.io' || w.object === undefined) return undefined
    try {
      if (w.resource.resource === 'roles' || w.resource.resource === 'clusterroles') checkRoleEscalation(rbac, w.user, w.object)
      else checkBindingEscalation(rbac, w.user, w.object)
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'Forbidden') throw new ApiError('Forbidden', err.message, { name: w.name, group: w.resource.group, kind: w.resource.resource })
      throw err
    }
    return undefined
  }
}
