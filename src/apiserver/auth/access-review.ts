// The authorization.k8s.io review objects (`kubectl auth can-i`, `can-i --list`, `--as`) and
// SelfSubjectReview (`kubectl auth whoami`): spec -> Attributes, Decision -> status. The server
// answers them with 201 and the same object plus status.
import { InvalidArgumentError } from '../../util/index.js'
import type { Attributes, Decision } from './attributes.js'
import type { SubjectRules } from './rbac-authorizer.js'
import type { UserInfo } from './user.js'

export interface AccessReviewSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string }
  nonResourceAttributes?: { path?: string; verb?: string }
  /** SubjectAccessReview only: whom to ask about. */
  user?: string
  groups?: string[]
  uid?: string
  extra?: Record<string, string[]>
}

export interface AccessReviewStatus {
  allowed: boolean
  denied?: boolean
  reason?: string
  evaluationError?: string
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** The attributes a (Self|Local)SubjectAccessReview asks about, for `user`. */
export function accessReviewAttributes(spec: AccessReviewSpec, user: UserInfo): Attributes {
  const r = spec.resourceAttributes
  const n = spec.nonResourceAttributes
  if ((r === undefined) === (n === undefined)) {
    throw new InvalidArgumentError('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified')
  }
  if (n !== undefined) {
    return { user, verb: str(n.verb), resourceRequest: false, path: str(n.path), namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' }
  }
  return {
    user,
    verb: str(r?.verb),
    resourceRequest: true,
    path: '',
    namespace: str(r?.namespace),
    apiGroup: str(r?.group),
    apiVersion: str(r?.version),
    resource: str(r?.resource),
    subresource: str(r?.subresource),
    name: str(r?.name),
  }
}

/** The user a SubjectAccessReview names (kube: user or groups required). */
export function subjectAccessReviewUser(spec: AccessReviewSpec): UserInfo {
  const username = str(spec.user)
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : []
  if (username === '' && groups.length === 0) throw new InvalidArgumentError('spec.user: Invalid value: "": at least one of user or group must be specified')
  const user: UserInfo = { username, groups }
  if (typeof spec.uid === 'string' && spec.uid !== '') user.uid = spec.uid
  if (spec.extra !== undefined) user.extra = structuredClone(spec.extra)
  return user
}

/** status of an access review: kube leaves `reason` out when empty and RBAC never sets denied. */
export function accessReviewStatus(decision: Decision): AccessReviewStatus {
  const status: AccessReviewStatus = { allowed: decision.allowed }
  if (decision.reason !== '') status.reason = decision.reason
  return status
}

/** status of a SelfSubjectRulesReview. */
export function rulesReviewStatus(rules: SubjectRules): { resourceRules: SubjectRules['resourceRules']; nonResourceRules: SubjectRules['nonResourceRules']; incomplete: boolean; evaluationError?: string } {
  const status = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete }
  return rules.evaluationError === '' ? status : { ...status, evaluationError: rules.evaluationError }
}

/** status of a SelfSubjectReview (`kubectl auth whoami`). */
export function selfSubjectReviewStatus(user: UserInfo): { userInfo: UserInfo } {
  const userInfo: UserInfo = { username: user.username, groups: [...user.groups] }
  if (user.uid !== undefined && user.uid !== '') userInfo.uid = user.uid
  if (user.extra !== undefined && Object.keys(user.extra).length > 0) userInfo.extra = structuredClone(user.extra)
  return { userInfo }
}
