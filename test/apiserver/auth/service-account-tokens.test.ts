import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { AuthenticationError, ServiceAccountTokens, type UserInfo } from '../../../src/apiserver/auth/index.js'
import { FakeClock } from '../../../src/util/index.js'
import { assertNoSecret } from '../../support/secrets.js'

const issuer = 'https://kubernetes.default.svc'

function setup(kind: 'ec' | 'rsa' = 'ec') {
  const { privateKey, publicKey } =
    kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })
  const clock = new FakeClock(Date.parse('2026-12-08T00:00:00Z'))
  const accounts = new Map<string, { uid: string }>([['payments/cicd-deployer', { uid: 'sa-uid-1' }]])
  const pods = new Map<string, { uid: string }>([['payments/runner', { uid: 'pod-uid-1' }]])
  const tokens = new ServiceAccountTokens({
    privateKey,
    publicKey,
    issuer,
    clock,
    lookup: async (ns, name) => accounts.get(`${ns}/${name}`),
    lookupBound: async (kind, ns, name) => (kind === 'Pod' ? pods.get(`${ns}/${name}`) : undefined),
  })
  return { tokens, clock, accounts, pods }
}

const request = { namespace: 'payments', name: 'cicd-deployer', uid: 'sa-uid-1', audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600 }

async function refusal(p: Promise<UserInfo | undefined>, pattern: RegExp, token: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AuthenticationError, String(err))
    assert.equal(err.code, 'Unauthorized')
    assert.match(err.message, pattern)
    assertNoSecret(err, [token])
    return true
  })
}

describe('ServiceAccountTokens', () => {
  it('issues a TokenRequest token and authenticates it as the account', async () => {
    const { tokens } = setup()
    const { token, expirationTimestamp } = await tokens.issue(request)
    assert.equal(expirationTimestamp, '2026-12-08T01:00:00Z')
    const claims = decodeJwt(token)
    assert.equal(claims.sub, 'system:serviceaccount:payments:cicd-deployer')
    assert.equal(claims.iss, issuer)
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'payments', serviceaccount: { name: 'cicd-deployer', uid: 'sa-uid-1' } })
    assert.equal(decodeProtectedHeader(token).alg, 'ES256')
    const user = await tokens.authenticate(token, [])
    assert.ok(user)
    assert.equal(user.username, 'system:serviceaccount:payments:cicd-deployer')
    assert.equal(user.uid, 'sa-uid-1')
    assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:payments', 'system:authenticated'])
    assert.deepEqual(user.extra?.['authentication.kubernetes.io/credential-id'], [`JTI=${String(claims.jti)}`])
  })

  it('works with RS256 keys too', async () => {
    const { tokens } = setup('rsa')
    const { token } = await tokens.issue(request)
    assert.equal(decodeProtectedHeader(token).alg, 'RS256')
    assert.equal((await tokens.authenticate(token, [issuer]))?.username, 'system:serviceaccount:payments:cicd-deployer')
  })

  it('expires on the injected clock, to the second', async () => {
    const { tokens, clock } = setup()
    const { token } = await tokens.issue({ ...request, expirationSeconds: 600 })
    clock.advance(599_000)
    assert.ok(await tokens.authenticate(token, []))
    clock.advance(1_000)
    await refusal(tokens.authenticate(token, []), /token has expired/, token)
  })

  it('checks the audience', async () => {
    const { tokens } = setup()
    const { token } = await tokens.issue({ ...request, audiences: ['vault'] })
    assert.ok(await tokens.authenticate(token, ['api', 'vault']))
    await refusal(tokens.authenticate(token, ['api']), /audiences are invalid/, token)
    await refusal(tokens.authenticate(token, []), /audiences are invalid/, token) // default audience: the issuer
  })

  it('refuses a token of a deleted account, and of one recreated under a new uid', async () => {
    const { tokens, accounts } = setup()
    const { token } = await tokens.issue(request)
    accounts.delete('payments/cicd-deployer')
    await refusal(tokens.authenticate(token, []), /service account payments\/cicd-deployer has been deleted/, token)
    accounts.set('payments/cicd-deployer', { uid: 'sa-uid-2' })
    await refusal(tokens.authenticate(token, []), /service account UID \(sa-uid-2\) does not match claim \(sa-uid-1\)/, token)
    const fresh = await tokens.issue({ ...request, uid: 'sa-uid-2' })
    assert.ok(await tokens.authenticate(fresh.token, []))
  })

  it('binds to a pod: extras name it, and the token dies with it', async () => {
    const { tokens, pods } = setup()
    const { token } = await tokens.issue({ ...request, boundObject: { kind: 'Pod', name: 'runner', uid: 'pod-uid-1' } })
    const user = await tokens.authenticate(token, [])
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-name'], ['runner'])
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-uid'], ['pod-uid-1'])
    pods.delete('payments/runner')
    await refusal(tokens.authenticate(token, []), /pod "runner" the token is bound to has been deleted/, token)
  })

  it('refuses a forged signature and a token signed by another key', async () => {
    const { tokens } = setup()
    const other = setup()
    const { token } = await tokens.issue(request)
    const [h, p, s = ''] = token.split('.')
    const flipped = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`
    await refusal(tokens.authenticate(flipped, []), /signature is invalid/, flipped)
    const foreign = (await other.tokens.issue(request)).token
    await refusal(tokens.authenticate(foreign, []), /signature is invalid/, foreign)
  })

  it('leaves tokens that are not its kind to other authenticators', async () => {
    const { tokens } = setup()
    assert.equal(await tokens.authenticate('tok-abc123', []), undefined)
    assert.equal(await tokens.authenticate('a.b.c', []), undefined)
    const { token } = await tokens.issue(request)
    const otherIssuer = new ServiceAccountTokens({ ...setupOptions(), issuer: 'https://elsewhere' })
    assert.equal(await otherIssuer.authenticate(token, []), undefined)
  })

  it('refuses expirations under ten minutes', async () => {
    const { tokens } = setup()
    await assert.rejects(tokens.issue({ ...request, expirationSeconds: 599 }), { code: 'Invalid', message: /less than 10 minutes/ })
  })
})

function setupOptions() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return { privateKey, publicKey, issuer, clock: new FakeClock(), lookup: async () => ({ uid: 'x' }) }
}
