// The server's PKI, made on first start under <data-dir>/pki and reused after: a self-signed CA,
// a serving certificate for the bind address and localhost, and client certificates (CN = user,
// O = groups) such as the admin's in the generated kubeconfig. Keys come from node:crypto (native,
// fast); node-forge builds and signs the X.509 certificates, which node:crypto cannot do.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import forge from 'node-forge'

export interface KeyPairPem {
  cert: string
  key: string
}

export interface Pki {
  ca: KeyPairPem
  serving: KeyPairPem
  admin: KeyPairPem
  dir: string
}

const dayMs = 24 * 3600 * 1000

function newKey(): { privatePem: string; publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
  const forgeKey = forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey
  return { privatePem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) }
}

function serial(): string {
  // Positive: the first byte's top bit is cleared.
  const b = randomBytes(16)
  b[0] = (b[0] ?? 0) & 0x7f
  return b.toString('hex')
}

function subject(cn: string, orgs: readonly string[] = []): forge.pki.CertificateField[] {
  return [{ name: 'commonName', value: cn }, ...orgs.map((o) => ({ name: 'organizationName', value: o }))]
}

export function makeCa(nowMs: number, cn = 'etchlog-ca'): KeyPairPem {
  const k = newKey()
  const cert = forge.pki.createCertificate()
  cert.publicKey = k.publicKey
  cert.serialNumber = serial()
  cert.validity.notBefore = new Date(nowMs - 3600_000)
  cert.validity.notAfter = new Date(nowMs + 3650 * dayMs)
  cert.setSubject(subject(cn))
  cert.setIssuer(subject(cn))
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(k.privateKey, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: k.privatePem }
}

export interface LeafOptions {
  cn: string
  orgs?: readonly string[]
  /** Serving certificates: the names and addresses clients dial. */
  hosts?: readonly string[]
  client?: boolean
  days?: number
}

/** A certificate signed by the CA, for a server (hosts) or a client (CN = user, O = groups). */
export function issue(ca: KeyPairPem, nowMs: number, o: LeafOptions): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(ca.cert)
  const caKey = forge.pki.privateKeyFromPem(ca.key)
  const k = newKey()
  const cert = forge.pki.createCertificate()
  cert.publicKey = k.publicKey
  cert.serialNumber = serial()
  cert.validity.notBefore = new Date(nowMs - 3600_000)
  cert.validity.notAfter = new Date(nowMs + (o.days ?? 365) * dayMs)
  cert.setSubject(subject(o.cn, o.orgs))
  cert.setIssuer(caCert.subject.attributes)
  const altNames = (o.hosts ?? []).map((h) => (isIP(h) !== 0 ? { type: 7, ip: h } : { type: 2, value: h }))
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: o.client !== true, clientAuth: o.client === true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ])
  cert.sign(caKey, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: k.privatePem }
}

function readPair(dir: string, name: string): KeyPairPem | undefined {
  const [c, k] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)]
  if (!existsSync(c) || !existsSync(k)) return undefined
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') }
}

function writePair(dir: string, name: string, pair: KeyPairPem): void {
  writeAtomic(join(dir, `${name}.key`), pair.key, 0o600)
  writeAtomic(join(dir, `${name}.crt`), pair.cert, 0o644)
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text, { mode })
  renameSync(tmp, path)
}

/**
 * Loads the PKI from <dataDir>/pki, making what is missing. The serving certificate is remade
 * when it does not cover a requested host (a new --bind-address).
 */
export function loadOrCreatePki(dataDir: string, hosts: readonly string[], nowMs: number): Pki {
  const dir = join(dataDir, 'pki')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  let ca = readPair(dir, 'ca')
  if (ca === undefined) {
    ca = makeCa(nowMs)
    writePair(dir, 'ca', ca)
  }
  const wanted = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])]
  let serving = readPair(dir, 'apiserver')
  if (serving === undefined || !covers(serving.cert, wanted)) {
    serving = issue(ca, nowMs, { cn: 'etchlog-apiserver', hosts: wanted })
    writePair(dir, 'apiserver', serving)
  }
  let admin = readPair(dir, 'admin')
  if (admin === undefined) {
    admin = issue(ca, nowMs, { cn: 'etchlog-admin', orgs: ['system:masters'], client: true })
    writePair(dir, 'admin', admin)
  }
  return { ca, serving, admin, dir }
}

function covers(certPem: string, hosts: readonly string[]): boolean {
  const cert = forge.pki.certificateFromPem(certPem)
  const ext = cert.getExtension('subjectAltName') as { altNames?: { ip?: string; value?: string }[] } | undefined
  const names = new Set((ext?.altNames ?? []).map((n) => n.ip ?? n.value ?? ''))
  return hosts.every((h) => h === '0.0.0.0' || h === '::' || names.has(h))
}
