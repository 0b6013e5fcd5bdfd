// Content negotiation for the protobuf media type: the server answers protobuf only when the
// client lists it before JSON (kubectl's typed clients send
// "application/vnd.kubernetes.protobuf,application/json"); everything else gets JSON.

export const protobufMediaType = 'application/vnd.kubernetes.protobuf'

/** True when the request body is a protobuf envelope (parameters such as charset ignored). */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && mediaOf(contentType) === protobufMediaType
}

/** True when the first usable entry of an Accept header is plain protobuf (not a Table, not a
 *  watch stream, not q=0). A JSON entry, a wildcard or an absent header come first -> JSON. */
export function prefersProtobuf(accept: string | undefined): boolean {
  if (accept === undefined) return false
  for (const entry of accept.split(',')) {
    const [type = '', ...params] = entry.split(';').map((p) => p.trim())
    const names = new Map(params.map((p) => [p.split('=')[0]?.trim().toLowerCase() ?? '', p.split('=')[1]?.trim() ?? '']))
    if (names.get('q') !== undefined && Number(names.get('q')) === 0) continue
    if (type.toLowerCase() !== protobufMediaType) return false
    return !names.has('as') && !names.has('stream')
  }
  return false
}

function mediaOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}
