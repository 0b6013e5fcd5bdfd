// Impersonation (kubectl --as, --as-group, --as-uid; Impersonate-* headers): the real user acts
// as another only if RBAC lets them `impersonate` each thing they claim: the user (or the service
// account), every group, every extra value, the uid. The first refusal is a 403 in kube's words.
import { BadRequestError } from '../../util/index.js'
import { forbiddenMessage, type Attributes, type Decision } from './attributes.js'
import {
  allAuthenticated,
  allUnauthenticated,
  anonymousUser,
  ForbiddenError,
  parseServiceAccountUsername,
  serviceAccountGroups,
  type UserInfo,
} from './user.js'

export interface ImpersonationHeaders {
  /** Impersonate-User. */
  user?: string
  /** Impersonate-Group, repeated. */
  groups: string[]
  /** Impersonate-Uid. */
  uid?: string
  /** Impersonate-Extra-<key> (key already unescaped and lower-cased), repeated. */
  extra: Record<string, string[]>
}

/**
 * The user the request acts as: `real` when nothing is impersonated. Throws ForbiddenError when
 * a claim is not allowed, BadRequestError for groups, uid or extra without a user (kube answers
 * that with a 500; a 400 says better whose mistake it is).
 */
export function impersonate(real: UserInfo, headers: ImpersonationHeaders, authorize: (attrs: Attributes) => Decision): UserInfo {
  const extraKeys = Object.keys(headers.extra)
  const others = headers.groups.length > 0 || extraKeys.length > 0 || headers.uid !== undefined
  if (headers.user === undefined) {
    if (!others) return real
    throw new BadRequestError('requested impersonation of groups, uid or extra without impersonating a user')
  }
  const check = (o: { resource: string; apiGroup?: string; namespace?: string; subresource?: string; name: string }): void => {
    const attrs: Attributes = {
      user: real,
      verb: 'impersonate',
      resourceRequest: true,
      path: '',
      namespace: o.namespace ?? '',
      apiGroup: o.apiGroup ?? '',
      apiVersion: '',
      resource: o.resource,
      subresource: o.subresource ?? '',
      name: o.name,
    }
    const decision = authorize(attrs)
    if (!decision.allowed) throw new ForbiddenError(forbiddenMessage(attrs, decision.reason))
  }

  const username = headers.user
  const sa = parseServiceAccountUsername(username)
  if (sa !== undefined) check({ resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name })
  else check({ resource: 'users', name: username })
  for (const group of headers.groups) check({ resource: 'groups', name: group })
  for (const key of extraKeys) {
    for (const value of headers.extra[key] ?? []) check({ resource: 'userextras', apiGroup: 'authentication.k8s.io', subresource: key, name: value })
  }
  if (headers.uid !== undefined) check({ resource: 'uids', apiGroup: 'authentication.k8s.io', name: headers.uid })

  const groups = headers.groups.length === 0 && sa !== undefined ? serviceAccountGroups(sa.namespace) : [...headers.groups]
  if (username !== anonymousUser) {
    if (!groups.includes(allAuthenticated) && !groups.includes(allUnauthenticated)) groups.push(allAuthenticated)
  } else if (!groups.includes(allUnauthenticated)) groups.push(allUnauthenticated)
  const user: UserInfo = { username, groups }
  if (headers.uid !== undefined) user.uid = headers.uid
  if (extraKeys.length > 0) user.extra = structuredClone(headers.extra)
  return user
}

/**
 * The Impersonate-* headers of a request, from node's `req.headersDistinct` (names lower-cased,
 * every value kept apart: plain `req.headers` joins repeated groups with ", "). The key of
 * Impersonate-Extra-<key> is percent-decoded, as kube does; a malformed escape is a 400.
 */
export function impersonationHeaders(headers: Record<string, string[] | undefined>): ImpersonationHeaders {
  const out: ImpersonationHeaders = { groups: [...(headers['impersonate-group'] ?? [])], extra: {} }
  const user = headers['impersonate-user']?.[0]
  if (user !== undefined) out.user = user
  const uid = headers['impersonate-uid']?.[0]
  if (uid !== undefined) out.uid = uid
  const prefix = 'impersonate-extra-'
  for (const [name, values] of Object.entries(headers)) {
    if (!name.startsWith(prefix) || values === undefined) continue
    let key: string
    try {
      key = decodeURIComponent(name.slice(prefix.length))
    } catch (err) {
      if (!(err instanceof URIError)) throw err
      throw new BadRequestError(`malformed impersonation extra key in header ${JSON.stringify(name)}`)
    }
    out.extra[key] = [...(out.extra[key] ?? []), ...values]
  }
  return out
}
