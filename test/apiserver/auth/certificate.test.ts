import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import type { PeerCertificate } from 'node:tls'
import forge from 'node-forge'
import { AuthenticationError, userFromCertificate } from '../../../src/apiserver/auth/index.js'

function peer(subject: Record<string, string | string[]>): PeerCertificate {
  return { subject } as unknown as PeerCertificate // only the subject is read
}

describe('userFromCertificate', () => {
  it('maps CN to the user and every O to a group (node PeerCertificate)', () => {
    assert.deepEqual(userFromCertificate(peer({ CN: 'alice', O: ['devs', 'system:masters'] })), {
      username: 'alice',
      groups: ['devs', 'system:masters', 'system:authenticated'],
    })
    assert.deepEqual(userFromCertificate(peer({ CN: 'bob', O: 'ops' })).groups, ['ops', 'system:authenticated'])
    assert.deepEqual(userFromCertificate(peer({ CN: 'carol' })).groups, ['system:authenticated'])
  })

  it('reads subject text, with escapes, from X509Certificate and RFC 4514 forms', () => {
    assert.deepEqual(userFromCertificate({ subject: 'CN=alice\nO=devs\nO=system:masters' }).groups, ['devs', 'system:masters', 'system:authenticated'])
    const u = userFromCertificate({ subject: 'O=acme\\, inc,CN=dave' })
    assert.equal(u.username, 'dave')
    assert.deepEqual(u.groups, ['acme, inc', 'system:authenticated'])
  })

  it('reads a real certificate made with node-forge', () => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 }) // small: a subject fixture, nothing signed for real
    const cert = forge.pki.createCertificate()
    cert.publicKey = keys.publicKey
    cert.serialNumber = '01'
    cert.validity.notBefore = new Date(0)
    cert.validity.notAfter = new Date(4_102_444_800_000)
    const attrs = [{ shortName: 'CN', value: 'erin' }, { shortName: 'O', value: 'devs' }, { shortName: 'O', value: 'ops' }]
    cert.setSubject(attrs)
    cert.setIssuer(attrs)
    cert.sign(keys.privateKey, forge.md.sha256.create())
    const x509 = new X509Certificate(forge.pki.certificateToPem(cert))
    assert.deepEqual(userFromCertificate(x509), { username: 'erin', groups: ['devs', 'ops', 'system:authenticated'] })
  })

  it('refuses a certificate without a common name', () => {
    assert.throws(() => userFromCertificate(peer({ O: 'devs' })), (err: unknown) => err instanceof AuthenticationError && err.code === 'Unauthorized')
    assert.throws(() => userFromCertificate({ subject: 'O=devs,CN=' }), AuthenticationError)
  })
})
