// OIDC ID tokens, as kube-apiserver's --oidc-* flags configure them: the issuer's discovery
// document and JWKS are fetched over HTTPS trusting only --oidc-ca-file (when given), and each
// token is checked for signature, issuer, audience (the client id) and expiry on the injected clock.
import { request } from 'node:https'
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { InvalidArgumentError, type Clock } from '../../util/index.js'
import { describeJoseError, peekClaims } from './service-account-tokens.js'
import { AuthenticationError, withAuthenticatedGroup, type UserInfo } from './user.js'

export interface OidcOptions {
  /** --oidc-issuer-url: https only; must equal the token's iss and the discovery document's issuer. */
  issuerUrl: string
  /** --oidc-client-id: must be one of the token's audiences. */
  clientId: string
  /** --oidc-username-claim (default sub). */
  usernameClaim?: string
  /** --oidc-username-prefix; default `<issuer>#` unless the claim is email; '-' for none. */
  usernamePrefix?: string
  /** --oidc-groups-claim: a string or an array of strings. */
  groupsClaim?: string
  /** --oidc-groups-prefix. */
  groupsPrefix?: string
  /** --oidc-ca-file's content (PEM): the only CA trusted for the issuer; system CAs otherwise. */
  ca?: string | Buffer
  /** --oidc-signing-algs (default RS256). */
  signingAlgs?: string[]
  /** --oidc-required-claim key=value pairs. */
  requiredClaims?: Record<string, string>
  clock: Clock
  /** HTTP timeout for discovery and JWKS fetches. */
  timeoutMs?: number
}

export class OidcAuthenticator {
  private readonly issuer: string
  private readonly usernamePrefix: string
  // The discovery + JWKS resolver, made once; dropped again when discovery fails so a later
  // request retries (the issuer may come up after the API server).
  private keys: Promise<JWTVerifyGetKey> | undefined

  constructor(private readonly o: OidcOptions) {
    if (!URL.canParse(o.issuerUrl)) throw new InvalidArgumentError('oidc: issuer URL is not a URL')
    const url = new URL(o.issuerUrl)
    if (url.protocol !== 'https:') throw new InvalidArgumentError('oidc: issuer URL must use https')
    if (o.clientId === '') throw new InvalidArgumentError('oidc: client id is required')
    this.issuer = o.issuerUrl
    const claim = o.usernameClaim ?? 'sub'
    this.usernamePrefix = o.usernamePrefix === '-' ? '' : (o.usernamePrefix ?? (claim === 'email' ? '' : `${this.issuer}#`))
  }

  async authenticate(token: string): Promise<UserInfo | undefined> {
    const unverified = peekClaims(token)
    if (unverified === undefined || unverified.iss !== this.issuer) return undefined
    const keys = await this.resolver()
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, keys, {
        issuer: this.issuer,
        audience: this.o.clientId,
        algorithms: this.o.signingAlgs ?? ['RS256'],
        currentDate: new Date(this.o.clock.now()),
        requiredClaims: ['exp'],
      }))
    } catch (err) {
      throw new AuthenticationError(`oidc: verify token: ${describeJoseError(err)}`)
    }
    return withAuthenticatedGroup(this.userFrom(payload))
  }

  private userFrom(payload: JWTPayload): UserInfo {
    const claim = this.o.usernameClaim ?? 'sub'
    const username = payload[claim]
    if (typeof username !== 'string' || username === '') throw new AuthenticationError(`oidc: parse username claims "${claim}": claim not present or not a string`)
    if (claim === 'email' && 'email_verified' in payload) {
      if (typeof payload.email_verified !== 'boolean') throw new AuthenticationError(`oidc: parse 'email_verified' claim: not a boolean`)
      if (!payload.email_verified) throw new AuthenticationError('oidc: email not verified')
    }
    for (const [key, want] of Object.entries(this.o.requiredClaims ?? {})) {
      if (payload[key] !== want) throw new AuthenticationError(`oidc: required claim ${key} not present or not the required value`)
    }
    const groups = this.groupsFrom(payload).map((g) => `${this.o.groupsPrefix ?? ''}${g}`)
    return { username: `${this.usernamePrefix}${username}`, groups }
  }

  private groupsFrom(payload: JWTPayload): string[] {
    const claim = this.o.groupsClaim
    if (claim === undefined || !(claim in payload)) return []
    const value = payload[claim]
    if (typeof value === 'string') return [value]
    if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value
    throw new AuthenticationError(`oidc: parse groups claim "${claim}": not a string or an array of strings`)
  }

  private resolver(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover().catch((err: unknown) => {
      this.keys = undefined
      throw err
    })
    return this.keys
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
    const response = await this.get(url)
    if (response.status !== 200) throw new AuthenticationError(`oidc: discovery at ${url} answered ${response.status}`)
    let doc: unknown
    try {
      doc = JSON.parse(response.body)
    } catch (err) {
      throw new AuthenticationError(`oidc: discovery document at ${url} is not JSON`, { cause: err })
    }
    const { issuer, jwks_uri: jwksUri } = (doc ?? {}) as { issuer?: unknown; jwks_uri?: unknown }
    if (issuer !== this.issuer) throw new AuthenticationError(`oidc: discovery document names another issuer than ${this.issuer}`)
    if (typeof jwksUri !== 'string' || !jwksUri.startsWith('https://')) throw new AuthenticationError('oidc: discovery document has no https jwks_uri')
    return createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.o.timeoutMs ?? 5000,
      [customFetch]: async (target: string, init: { signal: AbortSignal }) => {
        const r = await this.get(target, init.signal)
        return new Response(r.body, { status: r.status, headers: { 'content-type': 'application/json' } })
      },
    })
  }

  /** GET over HTTPS trusting this authenticator's CA only; bounded in time and in size. */
  private get(url: string, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const bytesMax = 1 << 20
    const ca = this.o.ca
    return new Promise((resolve, reject) => {
      const timer = this.o.clock.setTimer(this.o.timeoutMs ?? 5000, () => req.destroy(new AuthenticationError(`oidc: ${url} timed out`)))
      const req = request(url, { method: 'GET', ...(ca !== undefined ? { ca } : {}), ...(signal !== undefined ? { signal } : {}) }, (res) => {
        const chunks: Buffer[] = []
        let bytes = 0
        res.on('data', (c: Buffer) => {
          bytes += c.length
          if (bytes > bytesMax) req.destroy(new AuthenticationError(`oidc: ${url} answered more than ${bytesMax} bytes`))
          else chunks.push(c)
        })
        res.on('end', () => {
          timer.cancel()
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', (err) => {
          timer.cancel()
          reject(err)
        })
      })
      req.on('error', (err) => {
        timer.cancel()
        reject(err instanceof AuthenticationError ? err : new AuthenticationError(`oidc: fetch ${url}: ${err.message}`, { cause: err }))
      })
      req.end()
    })
  }
}
