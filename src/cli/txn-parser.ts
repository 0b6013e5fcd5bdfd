// etcdctl's txn input language (etcdctl/ctlv3/command/txn_command.go), line by line:
//
//   mod("key1") > "0"            compares, one per line: target("key") op "value"
//   value("key2") = "x"            targets ver|version, c|create, m|mod, val|value, lease (hex)
//                                  ops =, !=, <, >; key and value Go-quoted ("..." or `...`)
//   put key1 "new value"         success requests: put/get/del lines with their usual flags
//   del --prefix key2
//                                (empty line)
//   get key1                     failure requests
//
// Each section ends at an empty line (or at the end of input). Malformed lines are UsageErrors
// with etcdctl's messages: "malformed comparison: ...", "invalid txn request: ...".
import type { Compare, CompareResult, RequestOp, TxnRequest } from '../index.js'
import { parseCommandArgs, parseLeaseId } from './args.js'
import { UsageError } from './errors.js'
import { deleteRequest, delOptions, getOptions, putOptions, putRequest, rangeRequest } from './kv.js'

const GO_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" }

/**
 * Reads one Go-quoted string at the start of `text` ("..." with Go escapes, or `raw`); returns
 * its value and the rest of the text, or undefined if there is none.
 */
export function scanQuoted(text: string): { value: string; rest: string } | undefined {
  if (text.startsWith('`')) {
    const end = text.indexOf('`', 1)
    return end < 0 ? undefined : { value: text.slice(1, end), rest: text.slice(end + 1) }
  }
  if (!text.startsWith('"')) return undefined
  const bytes: number[] = []
  for (let i = 1; i < text.length; ) {
    const c = text[i] as string // i < length
    if (c === '"') return { value: Buffer.from(bytes).toString('utf8'), rest: text.slice(i + 1) }
    if (c !== '\\') {
      const cp = text.codePointAt(i) ?? 0
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'))
      i += cp > 0xffff ? 2 : 1
      continue
    }
    const e = text[i + 1] ?? ''
    const simple = GO_ESCAPES[e]
    const hex = e === 'x' ? /^[0-9a-fA-F]{2}/.exec(text.slice(i + 2)) : null
    const uni = e === 'u' ? /^[0-9a-fA-F]{4}/.exec(text.slice(i + 2)) : e === 'U' ? /^[0-9a-fA-F]{8}/.exec(text.slice(i + 2)) : null
    const oct = /^[0-7]{3}/.exec(text.slice(i + 1))
    if (simple !== undefined) {
      bytes.push(simple.charCodeAt(0))
      i += 2
    } else if (hex !== null) {
      bytes.push(Number.parseInt(hex[0], 16))
      i += 4
    } else if (uni !== null) {
      bytes.push(...Buffer.from(String.fromCodePoint(Number.parseInt(uni[0], 16)), 'utf8'))
      i += 2 + uni[0].length
    } else if (oct !== null) {
      bytes.push(Number.parseInt(oct[0], 8) & 0xff)
      i += 4
    } else return undefined
  }
  return undefined
}

/** etcdctl's argify: split on spaces, keeping "double" (Go escapes) and 'single' quoted words. */
export function argify(line: string): string[] {
  const words = line.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?/g) ?? []
  return words.map((w) => {
    if (w.startsWith("'")) return w.slice(1, -1)
    if (!w.startsWith('"')) return w
    const q = scanQuoted(w)
    if (q === undefined) throw new UsageError(`invalid quoted string ${w}`)
    return q.value
  })
}

const results: Readonly<Record<string, CompareResult>> = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '>': 'GREATER', '<': 'LESS' }
const numericTargets: Readonly<Record<string, 'VERSION' | 'CREATE' | 'MOD'>> = {
  ver: 'VERSION',
  version: 'VERSION',
  c: 'CREATE',
  create: 'CREATE',
  m: 'MOD',
  mod: 'MOD',
}

/** One compare line, as etcdctl's parseCompare: target("key") op "value". */
export function parseCompare(line: string): Compare {
  const malformed = (why?: string): UsageError => new UsageError(`malformed comparison: ${line}${why === undefined ? '' : ` (${why})`}`)
  const paren = line.indexOf('(')
  if (paren < 0) throw malformed()
  const target = line.slice(0, paren).trim()
  const key = scanQuoted(line.slice(paren + 1))
  if (key === undefined || !key.rest.startsWith(')')) throw malformed()
  const opMatch = /^\s*(\S+)\s*/.exec(key.rest.slice(1))
  const op = opMatch?.[1]
  const value = scanQuoted(key.rest.slice(1 + (opMatch?.[0].length ?? 0)))
  if (op === undefined || value === undefined) throw malformed()
  const result = results[op]
  if (result === undefined) throw malformed(`unknown operator ${op}`)
  const invalid = (): UsageError => new UsageError(`invalid txn compare request: ${line}`)
  const numeric = numericTargets[target]
  if (numeric !== undefined) {
    if (!/^-?\d+$/.test(value.value) || !Number.isSafeInteger(Number(value.value))) throw invalid()
    return { key: key.value, target: numeric, result, value: Number(value.value) }
  }
  if (target === 'val' || target === 'value') return { key: key.value, target: 'VALUE', result, value: value.value }
  if (target === 'lease') {
    try {
      return { key: key.value, target: 'LEASE', result, value: parseLeaseId(value.value) }
    } catch (error) {
      if (error instanceof UsageError) throw invalid()
      throw error
    }
  }
  throw malformed(`unknown target ${target}`)
}

/** One success or failure line: put, get or del with their flags (etcdctl's parseRequestUnion). */
export async function parseRequestOp(line: string): Promise<RequestOp> {
  const words = argify(line)
  const [command, ...rest] = words
  if (command === undefined || rest.length === 0) throw new UsageError(`invalid txn compare request: ${line}`)
  try {
    switch (command) {
      case 'put':
        return { put: await putRequest(parseCommandArgs(rest, putOptions, false)) }
      case 'get':
        return { range: rangeRequest(parseCommandArgs(rest, getOptions, false)) }
      case 'del':
        return { deleteRange: deleteRequest(parseCommandArgs(rest, delOptions, false)) }
      default:
        throw new UsageError(`unknown command ${command}`)
    }
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`invalid txn request: ${line} (${error.message})`)
    throw error
  }
}

const isBlank = (line: string): boolean => line.trim() === ''

/**
 * Reads the three sections from `next` (undefined = end of input, which also ends the section
 * being read). `prompt` is called before each section in interactive mode.
 */
export async function readTxn(next: () => Promise<string | undefined>, prompt: (text: string) => void = () => {}): Promise<TxnRequest> {
  const section = async (): Promise<string[]> => {
    const lines: string[] = []
    for (let line = await next(); line !== undefined && !isBlank(line); line = await next()) lines.push(line.trim())
    return lines
  }
  prompt('compares:')
  const compare = (await section()).map(parseCompare)
  prompt('success requests (get, put, del):')
  const success = await Promise.all((await section()).map(parseRequestOp))
  prompt('failure requests (get, put, del):')
  const failure = await Promise.all((await section()).map(parseRequestOp))
  return { compare, success, failure }
}

/** The whole txn from a text (tests and non-interactive use). */
export async function parseTxnText(text: string): Promise<TxnRequest> {
  const lines = text.split(/\r?\n/)
  let i = 0
  return readTxn(async () => lines[i++])
}
