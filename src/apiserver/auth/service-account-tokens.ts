// ServiceAccount tokens as kube-apiserver issues them for the TokenRequest subresource (`kubectl
// create token`): a JWT signed with the server's key, naming the account and its uid, bounded by
// audiences and an expiry. Every authentication looks the account up again, so deleting it (or
// deleting and recreating it under a new uid) invalidates the tokens it had.
import { createHash, randomUUID } from 'node:crypto'
import { SignJWT, decodeJwt, errors as joseErrors, exportSPKI, jwtVerify, type CryptoKey, type JWTPayload, type KeyObject } from 'jose'
import { InvalidArgumentError, type Clock } from '../../util/index.js'
import { AuthenticationError, serviceAccountGroups, serviceAccountUsername, withAuthenticatedGroup, type UserInfo } from './user.js'

export type SigningKey = CryptoKey | KeyObject

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node'
  name: string
  uid: string
}

export interface ServiceAccountTokensOptions {
  privateKey: SigningKey
  publicKey: SigningKey
  /** --service-account-issuer; also the default audience (--api-audiences defaults to it). */
  issuer: string
  clock: Clock
  /** The account as stored now; undefined when it does not exist. */
  lookup: (namespace: string, name: string) => Promise<{ uid: string } | undefined>
  /** The bound object as stored now (for tokens bound to a Pod, Secret or Node). */
  lookupBound?: (kind: BoundObject['kind'], namespace: string, name: string) => Promise<{ uid: string } | undefined>
  /** --service-account-max-token-expiration in seconds (default 2^32, kube's API limit). */
  expirationSecondsMax?: number
}

export interface TokenRequestSpec {
  namespace: string
  name: string
  uid: string
  audiences: string[]
  expirationSeconds: number
  boundObject?: BoundObject
}

/** The private `kubernetes.io` claim of a service-account JWT. */
interface KubeClaim {
  namespace: string
  serviceaccount: { name: string; uid: string }
  pod?: { name: string; uid: string }
  secret?: { name: string; uid: string }
  node?: { name: string; uid: string }
}

export const expirationSecondsMin = 600 // kube: "may not specify a duration less than 10 minutes"
const audienceClaim = 'kubernetes.io'

export class ServiceAccountTokens {
  private readonly algorithm: 'ES256' | 'RS256'
  private keyId: Promise<string> | undefined

  constructor(private readonly o: ServiceAccountTokensOptions) {
    this.algorithm = algorithmOf(o.privateKey)
  }

  async issue(spec: TokenRequestSpec): Promise<{ token: string; expirationTimestamp: string }> {
    const max = this.o.expirationSecondsMax ?? 2 ** 32
    if (!Number.isInteger(spec.expirationSeconds) || spec.expirationSeconds < expirationSecondsMin) {
      throw new InvalidArgumentError('spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes')
    }
    if (spec.expirationSeconds > max) throw new InvalidArgumentError(`spec.expirationSeconds: Invalid value: may not specify a duration larger than ${max} seconds`)
    const nowSeconds = Math.floor(this.o.clock.now() / 1000)
    const exp = nowSeconds + spec.expirationSeconds
    const claim: KubeClaim = { namespace: spec.namespace, serviceaccount: { name: spec.name, uid: spec.uid } }
    if (spec.boundObject !== undefined) {
      const key = spec.boundObject.kind === 'Pod' ? 'pod' : spec.boundObject.kind === 'Secret' ? 'secret' : 'node'
      claim[key] = { name: spec.boundObject.name, uid: spec.boundObject.uid }
    }
    const audiences = spec.audiences.length > 0 ? spec.audiences : [this.o.issuer]
    const token = await new SignJWT({ [audienceClaim]: claim })
      .setProtectedHeader({ alg: this.algorithm, kid: await this.kid() })
      .setIssuer(this.o.issuer)
      .setSubject(serviceAccountUsername(spec.namespace, spec.name))
      .setAudience(audiences)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.o.privateKey)
    return { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') }
  }

  /**
   * undefined when the token is not a service-account JWT of this issuer (another authenticator
   * may own it); the user when it is valid for one of `audiences` (empty: the issuer); otherwise
   * AuthenticationError.
   */
  async authenticate(token: string, audiences: string[]): Promise<UserInfo | undefined> {
    const unverified = peekClaims(token)
    if (unverified === undefined || unverified.iss !== this.o.issuer || !(audienceClaim in unverified)) return undefined
    const payload = await this.verify(token, audiences.length > 0 ? audiences : [this.o.issuer])
    const claim = kubeClaim(payload)
    const { namespace, serviceaccount } = claim
    const account = await this.o.lookup(namespace, serviceaccount.name)
    if (account === undefined) throw new AuthenticationError(`service account ${namespace}/${serviceaccount.name} has been deleted`)
    if (account.uid !== serviceaccount.uid) {
      throw new AuthenticationError(`service account UID (${account.uid}) does not match claim (${serviceaccount.uid})`)
    }
    const extra: Record<string, string[]> = {}
    await this.checkBound(claim, extra)
    if (typeof payload.jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`]
    return withAuthenticatedGroup({
      username: serviceAccountUsername(namespace, serviceaccount.name),
      uid: serviceaccount.uid,
      groups: serviceAccountGroups(namespace),
      extra,
    })
  }

  private async verify(token: string, audiences: string[]): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.o.publicKey, {
        issuer: this.o.issuer,
        audience: audiences,
        algorithms: [this.algorithm],
        currentDate: new Date(this.o.clock.now()),
        requiredClaims: ['exp', 'sub'],
      })
      return payload
    } catch (err) {
      throw new AuthenticationError(`service account token: ${describeJoseError(err)}`)
    }
  }

  private async checkBound(claim: KubeClaim, extra: Record<string, string[]>): Promise<void> {
    const bound: [BoundObject['kind'], { name: string; uid: string } | undefined][] = [
      ['Pod', claim.pod],
      ['Secret', claim.secret],
      ['Node', claim.node],
    ]
    for (const [kind, ref] of bound) {
      if (ref === undefined) continue
      const lower = kind.toLowerCase()
      extra[`authentication.kubernetes.io/${lower}-name`] = [ref.name]
      extra[`authentication.kubernetes.io/${lower}-uid`] = [ref.uid]
      if (this.o.lookupBound === undefined) continue
      const found = await this.o.lookupBound(kind, kind === 'Node' ? '' : claim.namespace, ref.name)
      if (found === undefined) throw new AuthenticationError(`${lower} "${ref.name}" the token is bound to has been deleted`)
      if (found.uid !== ref.uid) throw new AuthenticationError(`${lower} "${ref.name}" UID (${found.uid}) does not match claim (${ref.uid})`)
    }
  }

  /** kube's key id: the unpadded base64url SHA-256 of the public key's DER (SPKI). */
  private kid(): Promise<string> {
    this.keyId ??= exportSPKI(this.o.publicKey).then((pem) => {
      const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')
      return createHash('sha256').update(der).digest('base64url')
    })
    return this.keyId
  }
}

function algorithmOf(key: SigningKey): 'ES256' | 'RS256' {
  if ('algorithm' in key) {
    if (key.algorithm.name === 'ECDSA') return 'ES256'
    if (key.algorithm.name === 'RSASSA-PKCS1-v1_5') return 'RS256'
  } else {
    const type: unknown = (key as { asymmetricKeyType?: unknown }).asymmetricKeyType // node's KeyObject has it
    if (type === 'ec') return 'ES256'
    if (type === 'rsa') return 'RS256'
  }
  throw new InvalidArgumentError('serviceaccount: the signing key must be an EC P-256 (ES256) or RSA (RS256) key')
}

/** The claims without checking the signature, only to decide whose token this is. */
export function peekClaims(token: string): JWTPayload | undefined {
  if (token.split('.').length !== 3) return undefined
  try {
    return decodeJwt(token)
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return undefined // not a JWT at all: another authenticator's kind
    throw err
  }
}

function kubeClaim(payload: JWTPayload): KubeClaim {
  const raw = payload[audienceClaim]
  const claim = raw as Partial<KubeClaim> | undefined // shape checked field by field below
  const ref = (v: unknown): v is { name: string; uid: string } =>
    typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { uid?: unknown }).uid === 'string'
  if (typeof claim !== 'object' || claim === null || typeof claim.namespace !== 'string' || !ref(claim.serviceaccount)) {
    throw new AuthenticationError('service account token: malformed kubernetes.io claim')
  }
  for (const k of ['pod', 'secret', 'node'] as const) {
    if (claim[k] !== undefined && !ref(claim[k])) throw new AuthenticationError(`service account token: malformed kubernetes.io ${k} claim`)
  }
  return claim as KubeClaim
}

/** jose's refusal in words that carry no token, key or claim value. */
export function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token has expired'
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'token audiences are invalid for the target audiences'
    if (err.claim === 'iss') return 'token issuer is not the expected issuer'
    if (err.claim === 'nbf' || err.claim === 'iat') return 'token is not valid yet'
    return `token claim "${err.claim}" is invalid (${err.reason})`
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid'
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token signing algorithm is not allowed'
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches the token'
  if (err instanceof joseErrors.JOSEError) return `token is invalid (${err.code})`
  throw err
}
