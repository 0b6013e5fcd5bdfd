// Where etchctl's answers go: the chosen --write-out format, raw key and value bytes for simple
// output (etcdctl prints string(kv.Key) unescaped), one printable line per table cell, and JSON
// in the shape etcdctl prints with -w json (Go's encoding/json over etcd's generated structs:
// snake_case fields, zero values left out, bytes as base64, int64 as numbers).
import type { Writable } from 'node:stream'
import type { DeleteRangeResponse, KeyValue, PutResponse, RangeResponse, ResponseOp, TxnResponse } from '../index.js'
import { UsageError } from './errors.js'
import { renderTable } from './table.js'

export const outputFormats = ['simple', 'json', 'table'] as const
export type OutputFormat = (typeof outputFormats)[number]

export function parseOutputFormat(text: string | undefined): OutputFormat {
  const format = text ?? 'simple'
  const known: readonly string[] = outputFormats
  if (!known.includes(format)) throw new UsageError(`unknown output format "${format}" (use simple, json or table)`)
  return format as OutputFormat // checked against the list just above
}

/** etcdctl --hex: every byte as \xHH. */
const hexEscape = (b: Uint8Array): string => Array.from(b, (x) => `\\x${x.toString(16).padStart(2, '0')}`).join('')

export class Output {
  constructor(
    readonly format: OutputFormat,
    private readonly stream: Writable,
    private readonly hex: boolean,
  ) {}

  /** One line; bytes are written as they are. */
  line(text: string | Uint8Array = ''): void {
    if (typeof text === 'string') this.stream.write(`${text}\n`)
    else this.stream.write(Buffer.concat([text, Buffer.from('\n')]))
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value))
  }

  table(header: readonly string[], rows: readonly (readonly string[])[]): void {
    for (const line of renderTable(header, rows)) this.line(line)
  }

  /** etcdctl's printKV: the key line (unless valueOnly), then the value line. */
  kv(kv: KeyValue, valueOnly = false): void {
    if (!valueOnly) this.line(this.hex ? hexEscape(kv.key) : kv.key)
    this.line(this.hex ? hexEscape(kv.value) : kv.value)
  }

  /** Bytes as one printable table cell: UTF-8 text when it is clean, else \xHH escapes. */
  cell(b: Uint8Array): string {
    if (this.hex) return hexEscape(b)
    const text = Buffer.from(b).toString('utf8')
    const clean = Buffer.from(text, 'utf8').equals(b) && !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(text)
    if (clean) return text
    return Array.from(b, (x) => (x >= 0x20 && x < 0x7f && x !== 0x5c ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, '0')}`)).join('')
  }

  /** etcdctl's simple Get: each key and value; also the body of a txn's range response. */
  range(response: RangeResponse, valueOnly = false): void {
    for (const kv of response.kvs) this.kv(kv, valueOnly)
  }

  /** etcdctl's simple Put: OK, then the previous key-value if asked for. */
  put(response: PutResponse): void {
    this.line('OK')
    if (response.prevKv !== undefined) this.kv(response.prevKv)
  }

  /** etcdctl's simple Del: the count, then the deleted key-values if asked for. */
  deleteRange(response: DeleteRangeResponse): void {
    this.line(String(response.deleted))
    for (const kv of response.prevKvs ?? []) this.kv(kv)
  }

  /** etcdctl's simple Txn: SUCCESS or FAILURE, then each response after an empty line. */
  txn(response: TxnResponse): void {
    this.line(response.succeeded ? 'SUCCESS' : 'FAILURE')
    for (const r of response.responses) {
      this.line()
      if ('range' in r) this.range(r.range)
      else if ('put' in r) this.put(r.put)
      else if ('deleteRange' in r) this.deleteRange(r.deleteRange)
      else this.txn(r.txn)
    }
  }
}

// ---- JSON shapes (etcd's field names, omitempty) ----

export type Json = Record<string, unknown>

const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

export const jsonHeader = (revision: number): Json => ({ revision })

export function jsonKv(kv: KeyValue): Json {
  const o: Json = { key: base64(kv.key) }
  if (kv.createRevision !== 0) o['create_revision'] = kv.createRevision
  if (kv.modRevision !== 0) o['mod_revision'] = kv.modRevision
  if (kv.version !== 0) o['version'] = kv.version
  if (kv.value.length > 0) o['value'] = base64(kv.value)
  if (kv.lease !== 0) o['lease'] = kv.lease
  return o
}

export function jsonRange(r: RangeResponse): Json {
  const o: Json = { header: jsonHeader(r.revision) }
  if (r.kvs.length > 0) o['kvs'] = r.kvs.map(jsonKv)
  if (r.more) o['more'] = true
  if (r.count !== 0) o['count'] = r.count
  return o
}

export function jsonPut(r: PutResponse): Json {
  const o: Json = { header: jsonHeader(r.revision) }
  if (r.prevKv !== undefined) o['prev_kv'] = jsonKv(r.prevKv)
  return o
}

export function jsonDelete(r: DeleteRangeResponse): Json {
  const o: Json = { header: jsonHeader(r.revision) }
  if (r.deleted !== 0) o['deleted'] = r.deleted
  if (r.prevKvs !== undefined && r.prevKvs.length > 0) o['prev_kvs'] = r.prevKvs.map(jsonKv)
  return o
}

/** etcd's ResponseOp is a oneof: encoding/json writes {"Response":{"response_put":{...}}}. */
function jsonResponseOp(r: ResponseOp): Json {
  if ('range' in r) return { Response: { response_range: jsonRange(r.range) } }
  if ('put' in r) return { Response: { response_put: jsonPut(r.put) } }
  if ('deleteRange' in r) return { Response: { response_delete_range: jsonDelete(r.deleteRange) } }
  return { Response: { response_txn: jsonTxn(r.txn) } }
}

export function jsonTxn(r: TxnResponse): Json {
  const o: Json = { header: jsonHeader(r.revision) }
  if (r.succeeded) o['succeeded'] = true
  if (r.responses.length > 0) o['responses'] = r.responses.map(jsonResponseOp)
  return o
}
