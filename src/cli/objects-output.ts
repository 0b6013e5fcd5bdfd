// Kubernetes objects stored by the codec, shown as a Kubernetes user reads them: `get -o json|yaml`
// decodes each value (decrypted first when --encryption-config is given) and prints the object,
// or a List of them as kubectl does for several; `-w table` shows object rows (kind, namespace,
// name, resourceVersion) instead of the raw bytes, and says which key an encrypted value needs.
import { stringify as toYaml } from 'yaml'
import { codec, type KeyValue, type KubeObject, type RangeResponse } from '../index.js'
import { CommandError, UsageError } from './errors.js'
import { formatLeaseId } from './lease-id.js'
import type { Output } from './output.js'

export type ObjectFormat = 'json' | 'yaml'

export function parseObjectFormat(text: string | undefined): ObjectFormat | undefined {
  if (text === undefined) return undefined
  if (text === 'json' || text === 'yaml') return text
  throw new UsageError(`unsupported output "${text}" (-o takes json or yaml; -w sets the etcdctl-style output)`)
}

let objectCodec: codec.ObjectCodec | undefined
const theCodec = (): codec.ObjectCodec => (objectCodec ??= new codec.ObjectCodec(codec.defaultRegistry()))

const startsWith = (bytes: Uint8Array, prefix: Uint8Array): boolean => bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b)

/** Is this value a codec frame (a stored object)? */
export const isObjectValue = (value: Uint8Array): boolean => startsWith(value, codec.magic)

/** The object in kv, or a CommandError naming the key and what is wrong (encrypted, not an object). */
export function decodeObject(kv: KeyValue): KubeObject {
  try {
    return theCodec().decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision })
  } catch (err) {
    if (!(err instanceof codec.CodecError)) throw err
    const hint = codec.encryptedBy(kv.value) !== undefined ? '' : isObjectValue(kv.value) ? '' : ' (not an object: print it with -w simple or json)'
    throw new CommandError(`${err.message}${hint}`)
  }
}

/** JSON as Kubernetes writes it: bytes (a Secret's data) in base64. */
function jsonValue(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value
}

/** Plain data for YAML: the same conversion as for JSON. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, jsonValue)) as unknown

/** One object for a single key, else a v1 List at the response's revision (kubectl's shape). */
export function printObjects(out: Output, response: RangeResponse, format: ObjectFormat, single: boolean): void {
  const items = response.kvs.map(decodeObject)
  const first = items[0]
  const document: unknown =
    single && first !== undefined && items.length === 1
      ? first
      : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(response.revision) }, items }
  if (format === 'json') out.line(JSON.stringify(document, jsonValue, 4))
  else out.line(toYaml(plain(document)).trimEnd())
}

/** A table cell for a value that is not plain text worth showing: an object, or an encrypted value. */
export function valueSummary(kv: KeyValue): string | undefined {
  const by = codec.encryptedBy(kv.value)
  if (by !== undefined) return `(encrypted: ${by}; give --encryption-config)`
  if (!isObjectValue(kv.value)) return undefined
  try {
    const o = theCodec().decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision })
    return `(${o.kind} ${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name})`
  } catch (err) {
    // Not decodable after all: the raw bytes are the most honest cell.
    if (err instanceof codec.CodecError) return undefined
    throw err
  }
}

/** `-w table` when every value is an object: one row per object. Undefined when some are not. */
export function objectTable(kvs: readonly KeyValue[]): { header: string[]; rows: string[][] } | undefined {
  if (kvs.length === 0 || !kvs.every((kv) => isObjectValue(kv.value))) return undefined
  const rows = kvs.map((kv) => {
    const o = decodeObject(kv)
    return [Buffer.from(kv.key).toString('utf8'), o.kind, o.metadata.namespace ?? '', o.metadata.name, o.metadata.resourceVersion, kv.lease === 0 ? '' : formatLeaseId(kv.lease)]
  })
  return { header: ['key', 'kind', 'namespace', 'name', 'resource version', 'lease'], rows }
}
