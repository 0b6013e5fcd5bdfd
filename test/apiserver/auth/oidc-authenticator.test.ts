import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { AuthenticationError, OidcAuthenticator, type OidcOptions, type UserInfo } from '../../../src/apiserver/auth/index.js'
import { FakeClock } from '../../../src/util/index.js'
import { startOidcIssuer, type OidcIssuer } from '../../support/oidc-issuer.js'
import { assertNoSecret } from '../../support/secrets.js'

const now = Date.parse('2026-12-08T02:00:00Z')
const nowSeconds = now / 1000

describe('OidcAuthenticator against a local issuer', () => {
  let issuer: OidcIssuer
  before(async () => {
    issuer = await startOidcIssuer()
  })
  after(async () => {
    await issuer.close()
  })

  const make = (o: Partial<OidcOptions> = {}) => {
    const clock = new FakeClock(now)
    return { clock, oidc: new OidcAuthenticator({ issuerUrl: issuer.url, clientId: 'kubernetes', ca: issuer.ca, clock, ...o }) }
  }
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: issuer.url, aud: 'kubernetes', sub: 'u-123', iat: nowSeconds, exp: nowSeconds + 300, ...extra })

  async function refused(p: Promise<UserInfo | undefined>, pattern: RegExp, token: string): Promise<void> {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof AuthenticationError, String(err))
      assert.match(err.message, pattern)
      assertNoSecret(err, [token])
      return true
    })
  }

  it('verifies a token; the username is issuer-prefixed sub by default; groups come from the claim', async () => {
    const { oidc } = make({ groupsClaim: 'groups' })
    const token = await issuer.sign(claims({ groups: ['devs', 'ops'] }))
    assert.deepEqual(await oidc.authenticate(token), { username: `${issuer.url}#u-123`, groups: ['devs', 'ops', 'system:authenticated'] })
    assert.equal(issuer.hits.get('/.well-known/openid-configuration'), 1)
    assert.equal(issuer.hits.get('/keys'), 1)
    await oidc.authenticate(token) // discovery and keys are cached
    assert.equal(issuer.hits.get('/keys'), 1)
  })

  it('email claim: no prefix, and email_verified must not be false', async () => {
    const { oidc } = make({ usernameClaim: 'email' })
    assert.equal((await oidc.authenticate(await issuer.sign(claims({ email: 'jane@example.com', email_verified: true }))))?.username, 'jane@example.com')
    assert.equal((await oidc.authenticate(await issuer.sign(claims({ email: 'jane@example.com' }))))?.username, 'jane@example.com')
    const unverified = await issuer.sign(claims({ email: 'jane@example.com', email_verified: false }))
    await refused(oidc.authenticate(unverified), /email not verified/, unverified)
  })

  it('username and groups prefixes, "-" for none, a single-string groups claim', async () => {
    const prefixed = make({ usernamePrefix: 'oidc:', groupsClaim: 'roles', groupsPrefix: 'oidc:' }).oidc
    assert.deepEqual(await prefixed.authenticate(await issuer.sign(claims({ roles: 'admins' }))), { username: 'oidc:u-123', groups: ['oidc:admins', 'system:authenticated'] })
    const bare = make({ usernamePrefix: '-', usernameClaim: 'preferred_username' }).oidc
    assert.equal((await bare.authenticate(await issuer.sign(claims({ preferred_username: 'jane' }))))?.username, 'jane')
    const missing = await issuer.sign(claims())
    await refused(bare.authenticate(missing), /username claims "preferred_username"/, missing)
    const badGroups = await issuer.sign(claims({ roles: [1, 2] }))
    await refused(prefixed.authenticate(badGroups), /groups claim "roles"/, badGroups)
  })

  it('refuses an expired token (injected clock), a wrong audience, a foreign key, a missing required claim', async () => {
    const { oidc, clock } = make({ requiredClaims: { tenant: 'a' } })
    const token = await issuer.sign(claims({ tenant: 'a' }))
    assert.ok(await oidc.authenticate(token))
    clock.advance(300_000)
    await refused(oidc.authenticate(token), /token has expired/, token)
    const aud = await issuer.sign(claims({ aud: 'someone-else', tenant: 'a' }))
    await refused(make({ requiredClaims: { tenant: 'a' } }).oidc.authenticate(aud), /audiences are invalid/, aud)
    const foreign = await issuer.sign(claims({ tenant: 'a' }), { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })
    await refused(make().oidc.authenticate(foreign), /signature is invalid/, foreign)
    const unknownKid = await issuer.sign(claims(), { kid: 'nope' })
    await refused(make().oidc.authenticate(unknownKid), /no key of the issuer matches/, unknownKid)
    const tenantB = await issuer.sign(claims({ tenant: 'b' }))
    await refused(make({ requiredClaims: { tenant: 'a' } }).oidc.authenticate(tenantB), /required claim tenant/, tenantB)
  })

  it('leaves tokens of other issuers and non-JWTs alone', async () => {
    const { oidc } = make()
    assert.equal(await oidc.authenticate(await issuer.sign(claims({ iss: 'https://other.example' }))), undefined)
    assert.equal(await oidc.authenticate('tok-abc123'), undefined)
  })

  it('trusts only the configured CA: without it the issuer is not reached', async () => {
    const { ca: _ca, ...noCa } = { issuerUrl: issuer.url, clientId: 'kubernetes', ca: issuer.ca, clock: new FakeClock(now) }
    const oidc = new OidcAuthenticator(noCa)
    const token = await issuer.sign(claims())
    await refused(oidc.authenticate(token), /oidc: fetch .*openid-configuration/, token)
  })

  it('a failed discovery is retried by the next request (the issuer may start after the server)', async () => {
    const { oidc } = make()
    const token = await issuer.sign(claims())
    issuer.discoveryFailures = 1
    await refused(oidc.authenticate(token), /discovery .* answered 503/, token)
    assert.equal((await oidc.authenticate(token))?.username, `${issuer.url}#u-123`)
  })

  it('refuses a non-https issuer URL at construction', () => {
    assert.throws(() => new OidcAuthenticator({ issuerUrl: 'http://127.0.0.1:1', clientId: 'k', clock: new FakeClock() }), { code: 'Invalid' })
  })
})
