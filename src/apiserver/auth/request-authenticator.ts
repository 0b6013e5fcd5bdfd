// The authentication stage as kube-apiserver composes it: a verified client certificate wins;
// otherwise the bearer token is offered to the token file, then service-account tokens, then
// OIDC, the first that claims it deciding; with no credential at all the request is anonymous
// (when allowed). A credential that is presented and refused is a 401, never anonymous.
import type { PeerCertificate } from 'node:tls'
import { userFromCertificate, type SubjectText } from './certificate.js'
import type { OidcAuthenticator } from './oidc-authenticator.js'
import type { ServiceAccountTokens } from './service-account-tokens.js'
import type { TokenFile } from './token-file.js'
import { AuthenticationError, allUnauthenticated, anonymousUser, type UserInfo } from './user.js'

export interface RequestCredentials {
  /** The client certificate, only when TLS verified its chain against the server's CA. */
  certificate?: PeerCertificate | SubjectText
  /** The Authorization header as received. */
  authorization?: string
}

export interface RequestAuthenticatorOptions {
  tokenFile?: TokenFile
  serviceAccounts?: ServiceAccountTokens
  oidc?: OidcAuthenticator
  /** --api-audiences for service-account tokens (empty: the issuer). */
  audiences?: string[]
  /** --anonymous-auth: requests without credentials become system:anonymous (RBAC then decides). */
  anonymous?: boolean
}

/**
 * The token of `Authorization: Bearer <token>` (scheme case-insensitive, one space, as kube splits
 * it), undefined for no header or another scheme. Where kube treats a Bearer header with an empty
 * token as no credential (then anonymous), this refuses it: a client that meant to send a token
 * should not silently become anonymous.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const parts = header.trim().split(' ')
  if (parts[0]?.toLowerCase() !== 'bearer') return undefined
  const token = parts[1] ?? ''
  if (token === '') throw new AuthenticationError('invalid bearer token: empty')
  return token
}

export class RequestAuthenticator {
  constructor(private readonly o: RequestAuthenticatorOptions) {}

  /** The user, or AuthenticationError (401). */
  async authenticate(c: RequestCredentials): Promise<UserInfo> {
    if (c.certificate !== undefined) return userFromCertificate(c.certificate)
    const token = bearerToken(c.authorization)
    if (token === undefined) {
      if (this.o.anonymous === true) return { username: anonymousUser, groups: [allUnauthenticated] }
      throw new AuthenticationError('no credentials: anonymous requests are refused')
    }
    const fromFile = this.o.tokenFile?.authenticate(token)
    if (fromFile !== undefined) return fromFile
    const fromServiceAccount = await this.o.serviceAccounts?.authenticate(token, this.o.audiences ?? [])
    if (fromServiceAccount !== undefined) return fromServiceAccount
    const fromOidc = await this.o.oidc?.authenticate(token)
    if (fromOidc !== undefined) return fromOidc
    throw new AuthenticationError('invalid bearer token')
  }
}
