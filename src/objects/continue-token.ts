// Continue tokens as Kubernetes writes them (apiserver pkg/storage/continue.go): unpadded base64url
// of {"v":"meta.k8s.io/v1","rv":<revision>,"start":<next key relative to the list prefix>}.
// rv -1 marks an inconsistent continue: read the rest at the latest revision.
import { BadRequestError, InvalidArgumentError } from '../util/index.js'

const tokenVersion = 'meta.k8s.io/v1'

export interface ContinuePoint {
  /** The first key of the next page (absolute). */
  start: string
  /** The list's revision, or -1: the latest. */
  revision: number
}

export function encodeContinue(start: string, keyPrefix: string, revision: number): string {
  if (!start.startsWith(keyPrefix)) throw new InvalidArgumentError(`objects: continue key ${JSON.stringify(start)} is not under ${JSON.stringify(keyPrefix)}`)
  const json = JSON.stringify({ v: tokenVersion, rv: revision, start: start.slice(keyPrefix.length) })
  return Buffer.from(json, 'utf8').toString('base64url')
}

/** Refuses tokens that were not made by encodeContinue or that would leave the list's prefix. */
export function decodeContinue(token: string, keyPrefix: string): ContinuePoint {
  const invalid = (why: string): never => {
    throw new BadRequestError(`objects: continue key is not valid: ${why}`)
  }
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(token)) return invalid('not base64url')
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch (err) {
    // A token that is not JSON is the client's mistake: report it as such, with the parse error.
    return invalid(`not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (parsed === null || typeof parsed !== 'object') return invalid('not an object')
  const { v, rv, start } = parsed as Record<string, unknown>
  if (v !== tokenVersion) return invalid(`unknown version ${JSON.stringify(v)}`)
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv === 0 || rv < -1) return invalid('incorrect encoded start resourceVersion')
  if (typeof start !== 'string' || start === '') return invalid('no start key')
  // As Kubernetes' path.Clean check: no '.'/'..'/empty segments, so the key stays inside the prefix.
  const segments = start.split('/')
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i > 0))) return invalid(`bad start key ${JSON.stringify(start)}`)
  const relative = start.startsWith('/') ? start.slice(1) : start
  if (relative === '') return invalid('no start key')
  return { start: keyPrefix + relative, revision: rv }
}
