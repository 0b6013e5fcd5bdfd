// Request bodies to objects: JSON, YAML, and Kubernetes protobuf, each refused with the Status
// Kubernetes gives (400 for a body that does not parse, 415 for a media type it does not take).
import { parse as parseYaml } from 'yaml'
import { ApiError, badRequest } from '../api-error.js'
import { decodeProtobufObject, protobufMediaType } from '../protobuf/index.js'

/** Decoders for bodies that are not JSON or YAML; the server registers the protobuf one. */
export type BodyDecoder = (body: Buffer) => unknown

// kubectl >= 1.32 sends protobuf bodies from its typed clients (create configmap, auth can-i, ...).
const decoders = new Map<string, BodyDecoder>([[protobufMediaType, (body) => decodeProtobufObject(body)]])

export function registerBodyDecoder(mediaType: string, decoder: BodyDecoder): void {
  decoders.set(mediaType, decoder)
}

export const objectMediaTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const

export function decodeObjectBody(mediaType: string, body: Buffer): unknown {
  if (mediaType === '' || mediaType === 'application/json') return parseJson(body)
  if (mediaType === 'application/yaml' || mediaType === 'application/x-yaml' || mediaType === 'text/yaml') return parseYamlBody(body)
  const decoder = decoders.get(mediaType)
  if (decoder !== undefined) return decoder(body)
  throw unsupported(mediaType, objectMediaTypes)
}

export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8')
  if (text.trim() === '') throw badRequest('the request body is empty')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${err instanceof Error ? err.message : String(err)})`)
  }
}

export function parseYamlBody(body: Buffer): unknown {
  const text = body.toString('utf8')
  if (text.trim() === '') throw badRequest('the request body is empty')
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
  }
}

export function unsupported(mediaType: string, accepted: readonly string[]): ApiError {
  return new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, undefined, { cause: mediaType })
}
