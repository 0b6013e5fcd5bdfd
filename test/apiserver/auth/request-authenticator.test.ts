import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { AuthenticationError, RequestAuthenticator, ServiceAccountTokens, TokenFile, bearerToken } from '../../../src/apiserver/auth/index.js'
import { FakeClock } from '../../../src/util/index.js'
import { assertNoSecret } from '../../support/secrets.js'

function setup(anonymous = false) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const serviceAccounts = new ServiceAccountTokens({
    privateKey,
    publicKey,
    issuer: 'https://kubernetes.default.svc',
    clock: new FakeClock(),
    lookup: async (ns, name) => (ns === 'payments' && name === 'cicd-deployer' ? { uid: 'u1' } : undefined),
  })
  const tokenFile = TokenFile.parse('tok-abc123,alice,1001,devs\n')
  return { serviceAccounts, auth: new RequestAuthenticator({ tokenFile, serviceAccounts, anonymous }) }
}

describe('RequestAuthenticator', () => {
  it('certificate first, then token file, then service-account tokens', async () => {
    const { auth, serviceAccounts } = setup()
    assert.equal((await auth.authenticate({ certificate: { subject: 'CN=root\nO=system:masters' }, authorization: 'Bearer tok-abc123' })).username, 'root')
    assert.equal((await auth.authenticate({ authorization: 'Bearer tok-abc123' })).username, 'alice')
    assert.equal((await auth.authenticate({ authorization: 'bearer tok-abc123' })).username, 'alice')
    const { token } = await serviceAccounts.issue({ namespace: 'payments', name: 'cicd-deployer', uid: 'u1', audiences: [], expirationSeconds: 3600 })
    assert.equal((await auth.authenticate({ authorization: `Bearer ${token}` })).username, 'system:serviceaccount:payments:cicd-deployer')
  })

  it('anonymous only without any credential, and only when enabled', async () => {
    assert.deepEqual(await setup(true).auth.authenticate({}), { username: 'system:anonymous', groups: ['system:unauthenticated'] })
    await assert.rejects(setup(false).auth.authenticate({}), AuthenticationError)
    await assert.rejects(setup(true).auth.authenticate({ authorization: 'Bearer wrong-token-0123456789' }), (err: unknown) => {
      assert.ok(err instanceof AuthenticationError)
      assertNoSecret(err, ['wrong-token-0123456789'])
      return true
    })
  })

  it('bearerToken reads the header as kube does', () => {
    assert.equal(bearerToken(undefined), undefined)
    assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined)
    assert.equal(bearerToken(' Bearer t1 '), 't1')
    assert.equal(bearerToken('Bearer t1 extra'), 't1')
    assert.throws(() => bearerToken('Bearer '), AuthenticationError)
    assert.throws(() => bearerToken('Bearer  t1'), AuthenticationError) // kube: an empty token (then anonymous)
  })
})
