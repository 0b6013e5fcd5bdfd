// Who a request is from, as every authenticator answers it (Kubernetes' user.Info), and the two
// refusals of the auth stages: 401 (who are you?) and 403 (you may not).
import { StorageError } from '../../util/index.js'

export interface UserInfo {
  username: string
  uid?: string
  groups: string[]
  extra?: Record<string, string[]>
}

export const allAuthenticated = 'system:authenticated'
export const allUnauthenticated = 'system:unauthenticated'
export const anonymousUser = 'system:anonymous'
export const mastersGroup = 'system:masters'
export const serviceAccountsGroup = 'system:serviceaccounts'
const serviceAccountPrefix = 'system:serviceaccount:'

/**
 * A credential of an authenticator's kind that it refuses (bad signature, expired, unknown). The
 * message says why for the server log; it never carries the credential or any key material, and
 * the server answers the client with a plain 401 whatever the message.
 */
export class AuthenticationError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unauthorized', message, options)
  }
}

/** An authenticated user may not do what they asked (403); the message is kube's wording. */
export class ForbiddenError extends StorageError {
  constructor(message: string) {
    super('Forbidden', message)
  }
}

/** The user with system:authenticated added, as kube's authenticated-group adder does. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === anonymousUser) return user
  if (user.groups.includes(allAuthenticated) || user.groups.includes(allUnauthenticated)) return user
  return { ...user, groups: [...user.groups, allAuthenticated] }
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${serviceAccountPrefix}${namespace}:${name}`
}

export function serviceAccountGroups(namespace: string): string[] {
  return [serviceAccountsGroup, `${serviceAccountsGroup}:${namespace}`]
}

/** `system:serviceaccount:NS:NAME` split in two, or undefined for any other username. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(serviceAccountPrefix)) return undefined
  const rest = username.slice(serviceAccountPrefix.length)
  const colon = rest.indexOf(':')
  if (colon <= 0 || colon === rest.length - 1) return undefined
  const namespace = rest.slice(0, colon)
  const name = rest.slice(colon + 1)
  if (name.includes(':')) return undefined
  return { namespace, name }
}
