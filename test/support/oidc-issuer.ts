// A local OIDC issuer for tests: HTTPS on 127.0.0.1 (port 0) with a self-signed certificate made
// here, serving the discovery document and a JWKS, and signing ID tokens with its own RSA key.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK, type JWTPayload } from 'jose'
import forge from 'node-forge'

export interface OidcIssuer {
  url: string
  /** PEM of the certificate the issuer serves (its own CA). */
  ca: string
  /** Requests served, by path. */
  hits: Map<string, number>
  /** How many discovery requests to answer 503 before serving the document again. */
  discoveryFailures: number
  sign(claims: JWTPayload, o?: { key?: KeyObject; kid?: string; alg?: string }): Promise<string>
  close(): Promise<void>
}

export function selfSignedCertificate(ip = '127.0.0.1'): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  cert.serialNumber = '01'
  cert.validity.notBefore = new Date(Date.now() - 3_600_000)
  cert.validity.notAfter = new Date(Date.now() + 86_400_000)
  const subject = [{ shortName: 'CN', value: 'etchlog test issuer' }]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip }] },
  ])
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: keyPem }
}

export async function startOidcIssuer(): Promise<OidcIssuer> {
  const tls = selfSignedCertificate()
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = 'test-key-1'
  const jwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'RS256', use: 'sig' }
  const issuer: OidcIssuer = {
    url: '',
    ca: tls.cert,
    hits: new Map(),
    discoveryFailures: 0,
    sign: (claims, o = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? kid }).sign(o.key ?? signing.privateKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const path = req.url ?? ''
    issuer.hits.set(path, (issuer.hits.get(path) ?? 0) + 1)
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (path === '/.well-known/openid-configuration' && issuer.discoveryFailures > 0) {
      issuer.discoveryFailures--
      json(503, { error: 'starting' })
    } else if (path === '/.well-known/openid-configuration') json(200, { issuer: issuer.url, jwks_uri: `${issuer.url}/keys` })
    else if (path === '/keys') json(200, { keys: [jwk] })
    else json(404, { error: 'not found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  return issuer
}
