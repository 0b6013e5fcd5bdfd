// Static bearer tokens, kube-apiserver's --token-auth-file: CSV lines `token,user,uid[,"g1,g2"]`.
// Tokens are kept only as SHA-256 digests and a presented token is compared with every digest
// by crypto.timingSafeEqual, with no early exit, so the time taken tells nothing about which
// stored token (or how much of one) it resembles.
import { createHash, timingSafeEqual } from 'node:crypto'
import { StorageError } from '../../util/index.js'
import { withAuthenticatedGroup, type UserInfo } from './user.js'

/** A malformed token file; names the line, never its content (the content holds tokens). */
export class TokenFileError extends StorageError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super('Invalid', `token file: line ${line}: ${problem}`)
  }
}

interface Entry {
  digest: Buffer
  user: UserInfo
}

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest()

/** Equality of two secrets in time independent of where they differ (and of their lengths). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digestOf(a), digestOf(b))
}

export class TokenFile {
  // One entry per distinct token; a later line with the same token replaces the earlier (kube).
  private constructor(private readonly entries: readonly Entry[]) {}

  static parse(csv: string): TokenFile {
    const byDigest = new Map<string, Entry>()
    const lines = csv.split(/\r?\n/)
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] ?? ''
      if (text.trim() === '') continue // Go's CSV reader skips blank lines; '#' is no comment there
      const fields = parseCsvLine(text, i + 1)
      if (fields.length < 3) {
        throw new TokenFileError(i + 1, `must have at least 3 columns (token, user name, user uid), found ${fields.length}`)
      }
      const [token = '', username = '', uid = '', groups] = fields
      if (token === '') continue // kube skips (and warns about) an empty token
      if (username === '') throw new TokenFileError(i + 1, 'user name is empty')
      const user: UserInfo = { username, uid, groups: groups === undefined || groups === '' ? [] : groups.split(',') }
      const digest = digestOf(token)
      byDigest.set(digest.toString('hex'), { digest, user: withAuthenticatedGroup(user) })
    }
    return new TokenFile([...byDigest.values()])
  }

  get size(): number {
    return this.entries.length
  }

  authenticate(token: string): UserInfo | undefined {
    const presented = digestOf(token)
    let found: UserInfo | undefined
    for (const entry of this.entries) {
      // No break: every entry is compared whatever matched, so timing does not reveal the position.
      if (timingSafeEqual(entry.digest, presented)) found = entry.user
    }
    return found === undefined ? undefined : structuredClone(found)
  }
}

/** One CSV record (RFC 4180 quoting, leading spaces trimmed as Go's TrimLeadingSpace). */
function parseCsvLine(text: string, line: number): string[] {
  const fields: string[] = []
  let i = 0
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new TokenFileError(line, 'unterminated quoted field')
        const c = text[i]
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += c
        i++
      }
      if (i < text.length && text[i] !== ',') throw new TokenFileError(line, 'extraneous text after a quoted field')
    } else {
      while (i < text.length && text[i] !== ',') {
        if (text[i] === '"') throw new TokenFileError(line, 'bare quote in an unquoted field')
        field += text[i]
        i++
      }
    }
    fields.push(field)
    if (i >= text.length) return fields
    i++ // the comma
  }
}
