// x509 client certificates: the chain was verified against the server's CA by the TLS layer
// (requestCert + rejectUnauthorized); here the verified leaf's subject becomes a user, as kube's
// CommonNameUserConversion does: CN is the username, each O is a group.
import type { PeerCertificate } from 'node:tls'
import { AuthenticationError, withAuthenticatedGroup, type UserInfo } from './user.js'

/** A subject as text: node's X509Certificate.subject ("CN=alice\nO=devs") or "CN=alice,O=devs". */
export interface SubjectText {
  subject: string
}

export function userFromCertificate(cert: SubjectText | PeerCertificate): UserInfo {
  const { commonName, organizations } =
    typeof cert.subject === 'string' ? parseSubjectText(cert.subject) : fromSubjectObject(cert.subject)
  if (commonName === undefined || commonName === '') {
    throw new AuthenticationError('x509: client certificate has no common name (CN) to use as the username')
  }
  return withAuthenticatedGroup({ username: commonName, groups: organizations })
}

function fromSubjectObject(subject: PeerCertificate['subject'] | undefined): { commonName?: string; organizations: string[] } {
  // Node gives a repeated attribute (two O=) as an array even though its type says string.
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []
  const commonNames = list(subject?.CN)
  return { commonName: commonNames[0], organizations: list(subject?.O) }
}

/** Splits "CN=a,O=b" or newline-separated attributes; `\,` and `\\` escape as in RFC 4514. */
function parseSubjectText(text: string): { commonName?: string; organizations: string[] } {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i]
    } else if (c === ',' || c === '\n' || c === '+') {
      parts.push(current)
      current = ''
    } else current += c
  }
  parts.push(current)
  let commonName: string | undefined
  const organizations: string[] = []
  for (const part of parts) {
    const eq = part.indexOf('=')
    if (eq < 0) continue // a fragment with no attribute type (stray separator) names nothing
    const type = part.slice(0, eq).trim().toUpperCase()
    const value = part.slice(eq + 1).trim()
    if (type === 'CN' && commonName === undefined) commonName = value
    else if (type === 'O') organizations.push(value)
  }
  return { commonName, organizations }
}
