// Every request is parsed once into a RequestInfo (Kubernetes' RequestInfoFactory) before any
// filter looks at it; filters and handlers never re-parse the URL.

export interface RequestInfo {
  /** Set for /api and /apis resource paths; non-resource paths (/version, /healthz) have it false. */
  isResourceRequest: boolean
  path: string
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource: the lower-case method. */
  verb: string
  apiPrefix: 'api' | 'apis' | ''
  group: string
  version: string
  namespace: string
  resource: string
  subresource: string
  name: string
  query: URLSearchParams
  /** Path segments left over after resource/name/subresource (refused by the handlers). */
  extra: string[]
}

const namespaceSubresources: ReadonlySet<string> = new Set(['status', 'finalize'])
const methodVerbs: Readonly<Record<string, string>> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' }

export function parseRequestInfo(method: string, rawUrl: string): RequestInfo {
  // Split by hand: new URL() reads a path starting with '//' as a host ('//%2F' would throw).
  const q = rawUrl.indexOf('?')
  const path = (q < 0 ? rawUrl : rawUrl.slice(0, q)).replace(/#.*$/, '') || '/'
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1))
  const info: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', group: '', version: '', namespace: '', resource: '', subresource: '', name: '', query, extra: [] }
  const parts = path.split('/').filter((p) => p !== '').map(safeDecode)
  const prefix = parts[0]
  if (prefix !== 'api' && prefix !== 'apis') return info
  let rest: string[]
  if (prefix === 'api') {
    if (parts.length < 3) return info
    info.version = parts[1] ?? ''
    rest = parts.slice(2)
  } else {
    if (parts.length < 4) return info
    info.group = parts[1] ?? ''
    info.version = parts[2] ?? ''
    rest = parts.slice(3)
  }
  info.apiPrefix = prefix
  info.isResourceRequest = true
  let verb = methodVerbs[method] ?? method.toLowerCase()
  // Legacy /watch/ paths: the resource path follows.
  if (rest[0] === 'watch') {
    verb = 'watch'
    rest = rest.slice(1)
  }
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1] ?? ''
    // namespaces/NAME/status and /finalize are the namespace's own subresources, not resources in it.
    if (rest.length > 2 && !namespaceSubresources.has(rest[2] ?? '')) rest = rest.slice(2)
  }
  info.resource = rest[0] ?? ''
  info.name = rest[1] ?? ''
  info.subresource = rest[2] ?? ''
  info.extra = rest.slice(3)
  // As in Kubernetes, a request on a namespace object carries the namespace's own name as its
  // namespace (RBAC lets a RoleBinding in "foo" grant get on namespace "foo"); the registry
  // treats namespaces as cluster-scoped all the same.
  if (verb === 'get' && info.name === '') verb = isWatch(query) ? 'watch' : 'list'
  else if (verb === 'get' && isWatch(query) && info.subresource === '') verb = 'watch'
  if (verb === 'delete' && info.name === '') verb = 'deletecollection'
  info.verb = verb
  return info
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch')
  return w === 'true' || w === '1'
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch (err) {
    // A malformed %-escape stays as it came; the name check refuses it later with a clear message.
    if (err instanceof URIError) return segment
    throw err
  }
}
