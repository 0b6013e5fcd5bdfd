// x509 client certificates: a certificate the TLS layer verified against the server's CA names
// the user (CN) and groups (O), as kube-apiserver's --client-ca-file authenticator does.
import type { TLSSocket } from 'node:tls'
import type { UserInfo } from './handlers/context.js'
import type { Authenticator } from './server.js'

export const x509Authenticator: Authenticator = (_req, socket: TLSSocket | undefined) => {
  if (socket === undefined || socket.authorized !== true) return undefined
  const cert = socket.getPeerCertificate()
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined> | undefined
  const cn = subject?.CN
  if (typeof cn !== 'string' || cn === '') return undefined
  const o = subject?.O
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o]
  const user: UserInfo = { username: cn, groups: [...groups, 'system:authenticated'] }
  return user
}
