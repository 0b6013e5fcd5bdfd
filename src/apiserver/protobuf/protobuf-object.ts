// The two entry points the HTTP handlers use: a protobuf request body -> the object's JSON form,
// and a JSON object -> protobuf response bytes (or undefined when the kind or a value is outside
// what the schema carries, so the server answers JSON).
import { AssertionError } from 'node:assert'
import { verifyEnabled } from '../../util/index.js'
import { readEnvelope, writeEnvelope } from './envelope.js'
import { encodeMessage } from './json-to-wire.js'
import { k8sSchema, kindKey } from './k8s-schema.js'
import { protobufMediaType } from './media-type.js'
import { ProtobufBodyError } from './protobuf-body-error.js'
import { NotEncodableError } from './special-types.js'
import { decodeMessage } from './wire-to-json.js'
import type { DecodeContext, UnknownFieldPolicy } from './wire-to-json.js'

export interface DecodeOptions {
  /** A field number the schema lacks: 'fail' throws ProtobufBodyError (the default under
   *  KV_VERIFY=1, i.e. in tests, so gaps in proto/k8s are found); 'skip' drops it and decodes the
   *  rest (the production default). */
  readonly unknownFields?: UnknownFieldPolicy
  /** Called with the paths of skipped fields (e.g. "spec#99"), for a warning or a metric. */
  readonly onSkipped?: (paths: readonly string[]) => void
}

/** The k8s\0 envelope -> the object in its JSON form, apiVersion and kind set. */
export function decodeProtobufObject(body: Uint8Array, options: DecodeOptions = {}): Record<string, unknown> {
  const ctx: DecodeContext = { unknownFields: options.unknownFields ?? (verifyEnabled ? 'fail' : 'skip'), skipped: [] }
  let object: Record<string, unknown>
  try {
    object = decode(body, ctx)
  } catch (err) {
    if (err instanceof ProtobufBodyError || err instanceof AssertionError) throw err // a bug stays a crash
    // protobufjs' reader throws RangeError/Error on truncated or malformed input.
    throw new ProtobufBodyError(err instanceof Error ? err.message : String(err), { cause: err })
  }
  if (ctx.skipped.length > 0) options.onSkipped?.(ctx.skipped)
  return object
}

function decode(body: Uint8Array, ctx: DecodeContext): Record<string, unknown> {
  const envelope = readEnvelope(body)
  if (envelope.contentEncoding !== '') throw new ProtobufBodyError(`content encoding ${JSON.stringify(envelope.contentEncoding)} is not supported`)
  if (envelope.contentType !== '' && envelope.contentType !== protobufMediaType) {
    throw new ProtobufBodyError(`envelope content type ${JSON.stringify(envelope.contentType)} is not protobuf`)
  }
  if (envelope.kind === '') throw new ProtobufBodyError('envelope has no kind')
  const type = k8sSchema().byKind.get(kindKey(envelope.apiVersion, envelope.kind))
  if (type === undefined) throw new ProtobufBodyError(`kind ${envelope.apiVersion}/${envelope.kind} is not known to the protobuf decoder`)
  const object = decodeMessage(type, envelope.raw, ctx, '')
  return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...(object as Record<string, unknown>) }
}

/** A JSON object -> k8s\0 envelope bytes, or undefined for a kind or value the schema lacks. */
export function encodeProtobufObject(object: Record<string, unknown>): Uint8Array | undefined {
  const { apiVersion, kind } = object
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined
  const type = k8sSchema().byKind.get(kindKey(apiVersion, kind))
  if (type === undefined) return undefined
  try {
    return writeEnvelope(apiVersion, kind, encodeMessage(type, object, kind, { allowTypeMeta: true }))
  } catch (err) {
    if (err instanceof NotEncodableError) return undefined
    throw err
  }
}

/** "apps/v1/Deployment", ...: every apiVersion/kind both functions accept, sorted. */
export function knownProtobufKinds(): string[] {
  return [...k8sSchema().byKind.keys()].sort()
}
