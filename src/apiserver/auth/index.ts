// Authentication and RBAC authorization for the API server: pure parts, wired into the request
// pipeline by the server (which reads headers and feeds the RBAC indexes from a watch).
export {
  AuthenticationError,
  ForbiddenError,
  allAuthenticated,
  allUnauthenticated,
  anonymousUser,
  mastersGroup,
  parseServiceAccountUsername,
  serviceAccountGroups,
  serviceAccountUsername,
  withAuthenticatedGroup,
  type UserInfo,
} from './user.js'
export { userFromCertificate, type SubjectText } from './certificate.js'
export { TokenFile, TokenFileError, constantTimeEqual } from './token-file.js'
export {
  ServiceAccountTokens,
  expirationSecondsMin,
  type BoundObject,
  type ServiceAccountTokensOptions,
  type SigningKey,
  type TokenRequestSpec,
} from './service-account-tokens.js'
export { OidcAuthenticator, type OidcOptions } from './oidc-authenticator.js'
export {
  RequestAuthenticator,
  bearerToken,
  type RequestAuthenticatorOptions,
  type RequestCredentials,
} from './request-authenticator.js'
export { impersonate, impersonationHeaders, type ImpersonationHeaders } from './impersonate.js'
export { forbiddenMessage, nonResourceAttributes, resourceAttributes, type Attributes, type Decision } from './attributes.js'
export { compileRule, ruleAllows, type CompiledRule, type PolicyRule } from './policy-rule.js'
export {
  RbacAuthorizer,
  type NonResourceRule,
  type ResourceRule,
  type SubjectRules,
} from './rbac-authorizer.js'
export { aggregateClusterRoles, effectiveClusterRoleRules, selectorMatches, type LabelSelector } from './aggregate-cluster-roles.js'
export { bootstrapPolicy } from './bootstrap-policy.js'
export { checkBindingEscalation, checkRoleEscalation, uncoveredRules } from './escalation.js'
export {
  accessReviewAttributes,
  accessReviewStatus,
  rulesReviewStatus,
  selfSubjectReviewStatus,
  subjectAccessReviewUser,
  type AccessReviewSpec,
  type AccessReviewStatus,
} from './access-review.js'
export type { Subject } from './subject-index.js'
