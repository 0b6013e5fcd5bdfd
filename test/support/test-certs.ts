// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate (node-forge), written
// as PEM files into a folder, for TLS tests.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'

export interface TestCerts { caFile: string; certFile: string; keyFile: string; clientCertFile: string; clientKeyFile: string; ca: string; clientCert: string; clientKey: string }

function issue(subject: string, issuer: forge.pki.Certificate | undefined, issuerKey: forge.pki.rsa.PrivateKey | undefined, server: boolean): { cert: forge.pki.Certificate; keys: forge.pki.rsa.KeyPair } {
  const keys = forge.pki.rsa.generateKeyPair(2048)
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = String(Math.floor(Math.random() * 1e9) + 1)
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  const attrs = [{ name: 'commonName', value: subject }]
  cert.setSubject(attrs)
  cert.setIssuer(issuer === undefined ? attrs : issuer.subject.attributes)
  const ext: object[] = issuer === undefined ? [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true }] : [{ name: 'extKeyUsage', serverAuth: server, clientAuth: !server }]
  if (server) ext.push({ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] })
  cert.setExtensions(ext)
  cert.sign(issuerKey ?? keys.privateKey, forge.md.sha256.create())
  return { cert, keys }
}

export function writeTestCerts(dir: string): TestCerts {
  const ca = issue('etchlog test CA', undefined, undefined, false)
  const server = issue('127.0.0.1', ca.cert, ca.keys.privateKey, true)
  const client = issue('client', ca.cert, ca.keys.privateKey, false)
  const pem = (c: forge.pki.Certificate): string => forge.pki.certificateToPem(c)
  const key = (k: forge.pki.rsa.PrivateKey): string => forge.pki.privateKeyToPem(k)
  const files = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server-key.pem'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client-key.pem'),
  }
  writeFileSync(files.caFile, pem(ca.cert))
  writeFileSync(files.certFile, pem(server.cert))
  writeFileSync(files.keyFile, key(server.keys.privateKey))
  writeFileSync(files.clientCertFile, pem(client.cert))
  writeFileSync(files.clientKeyFile, key(client.keys.privateKey))
  return { ...files, ca: pem(ca.cert), clientCert: pem(client.cert), clientKey: key(client.keys.privateKey) }
}
