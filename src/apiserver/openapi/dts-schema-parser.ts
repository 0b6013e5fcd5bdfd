// Turns one generated declaration file of the kubernetes-models package into JSON schemas.
//
// kubernetes-models ships, per Kubernetes definition, a `.d.ts` whose interface carries the
// upstream OpenAPI descriptions as JSDoc, the optional marker `?` for non-required fields,
// string-literal unions for enums and `IIoK8s…` names for references. The files are machine
// generated and regular, so a line parser is enough; anything it does not recognise throws,
// so a new package layout fails loudly instead of producing a wrong schema.
//
// Worked example (apps/v1/DeploymentStrategy.d.ts):
//   export interface IDeploymentStrategy {            -> { type: 'object', properties: {
//       /** Rolling update config params. … */
//       "rollingUpdate"?: IIoK8sApiAppsV1Rolling…;     ->   rollingUpdate: { $ref: '#/definitions/io.k8s.api.apps.v1.RollingUpdateDeployment', description }
//       "type"?: "Recreate" | "RollingUpdate";        ->   type: { type: 'string', enum: ['Recreate', 'RollingUpdate'] } } }
//   }
//   export type { IDeploymentStrategy as IIoK8sApiAppsV1DeploymentStrategy, … }  -> the id used by references

import { StorageError } from '../../util/index.js'
import type { JsonSchema } from './json-schema.js'

/** What one declaration file yields before references are resolved to definition names. */
export interface ParsedDeclaration {
  /** The package's global id, e.g. `IoK8sApiAppsV1DeploymentStrategy`. */
  id: string
  schema: JsonSchema
  /** Properties typed `number`, to be told apart as integer or number by probing the validator. */
  numberPaths: string[]
  /** Set when the interface pins apiVersion and kind to literals (a top-level kind). */
  gvk?: { apiVersion: string; kind: string }
  /** The interface has no members (JSON, RawExtension, FieldsV1): its type is probed too. */
  empty: boolean
}

/** The installed schema package is not shaped as expected: the server cannot serve schemas. */
export class DeclarationParseError extends StorageError {
  constructor(file: string, detail: string) {
    super('InternalError', `openapi: cannot read ${file}: ${detail}`)
  }
}

const refPrefix = '#/definitions/'
/** Marks a reference by package id; resolveRefs() turns it into a definition name. */
export const pendingRefPrefix = 'pending:'

function docText(lines: string[]): string {
  return lines
    .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/\s*$/, ''))
    .join('\n')
    .replace(/\*\\\//g, '*/')
    .trim()
}

function literalUnion(text: string): string[] | undefined {
  const parts = text.split('|').map((p) => p.trim())
  if (!parts.every((p) => /^"[^"]*"$/.test(p))) return undefined
  return parts.map((p) => JSON.parse(p) as string)
}

/** Parses one TypeScript type expression of the generated files into a schema. */
export function typeSchema(text: string, localId: (local: string) => string | undefined): JsonSchema {
  const t = text.trim()
  if (t === 'string') return { type: 'string' }
  if (t === 'number') return { type: 'number' }
  if (t === 'boolean') return { type: 'boolean' }
  if (/^I[A-Za-z0-9]+\["(kind|apiVersion)"\]$/.test(t)) return { type: 'string' }
  const arr = /^Array<(.+)>$/s.exec(t)
  if (arr?.[1] !== undefined) return { type: 'array', items: typeSchema(arr[1], localId) }
  if (t.startsWith('{') && t.endsWith('}')) return inlineObject(t.slice(1, -1), localId)
  const values = literalUnion(t)
  if (values !== undefined) return { type: 'string', enum: values }
  if (/^IIoK8s[A-Za-z0-9]+$/.test(t)) return { $ref: pendingRefPrefix + t.slice(1) }
  const local = /^I[A-Za-z0-9]+$/.test(t) ? localId(t) : undefined
  if (local !== undefined) return { $ref: pendingRefPrefix + local }
  throw new DeclarationParseError('type', `unknown type '${t}'`)
}

/** `{ [key: string]: T; }` is a map; `{ "a"?: T; … }` an embedded object (StatefulSet's claim templates). */
function inlineObject(inner: string, localId: (local: string) => string | undefined): JsonSchema {
  const map = /^\s*\[key: string\]: ([\s\S]+?);?\s*$/.exec(inner)
  if (map?.[1] !== undefined) return { type: 'object', additionalProperties: typeSchema(map[1], localId) }
  return objectSchema(readMembers(inner.split('\n'), 'inline type'), localId, 'inline type').schema
}

interface Member {
  name: string
  optional: boolean
  type: string
  doc: string
}

/** Bracket depth change of one line of code ({ and < open, } and > close). */
function depthDelta(line: string): number {
  let d = 0
  for (const ch of line.replace(/"[^"]*"/g, '')) {
    if (ch === '{' || ch === '<') d++
    else if (ch === '}' || ch === '>') d--
  }
  return d
}

function readMembers(body: string[], file: string): Member[] {
  const members: Member[] = []
  let doc: string[] = []
  const indent = /^(\s*)"/.exec(body.find((l) => /^\s*"/.test(l)) ?? '')?.[1] ?? ''
  const memberRe = new RegExp(`^${indent}"([^"]+)"(\\??): (.*)$`)
  for (let i = 0; i < body.length; i++) {
    const line = body[i] ?? ''
    if (/^\s*\/\*\*/.test(line)) {
      doc = [line]
      while (!/\*\/\s*$/.test(body[i] ?? '') && i < body.length - 1) doc.push(body[++i] ?? '')
      continue
    }
    const m = memberRe.exec(line)
    if (m === null) {
      if (line.trim() !== '') throw new DeclarationParseError(file, `unexpected line '${line}'`)
      continue
    }
    let type = m[3] ?? ''
    let depth = depthDelta(type)
    let inComment = false
    while ((depth > 0 || !type.trimEnd().endsWith(';')) && i < body.length - 1) {
      const next = body[++i] ?? ''
      type += `\n${next}`
      if (/^\s*\/\*\*/.test(next)) inComment = true
      if (!inComment) depth += depthDelta(next)
      if (inComment && /\*\/\s*$/.test(next)) inComment = false
    }
    members.push({ name: m[1] ?? '', optional: m[2] === '?', type: type.trimEnd().replace(/;$/, ''), doc: docText(doc) })
    doc = []
  }
  return members
}

/** Parses the text of one `.d.ts`; returns undefined for files that declare no definition. */
export function parseDeclaration(text: string, file: string): ParsedDeclaration | undefined {
  const alias = /export type \{ (I[A-Za-z0-9]+) as I(IoK8s[A-Za-z0-9]+)/.exec(text)
  if (alias === null) return undefined
  const [, localName, id] = alias as unknown as [string, string, string]
  const lines = text.split('\n')
  const localId = (local: string): string | undefined => (local === localName ? id : undefined)
  const aliasLine = lines.findIndex((l) => l.startsWith(`export type ${localName} = `))
  const start = lines.findIndex((l) => l.startsWith(`export interface ${localName} `) || l === `export interface ${localName} {`)
  const declLine = aliasLine >= 0 ? aliasLine : start
  if (declLine < 0) throw new DeclarationParseError(file, `no declaration of ${localName}`)
  const docEnd = declLine - 1
  let docStart = docEnd
  while (docStart > 0 && !/^\/\*\*/.test(lines[docStart] ?? '')) docStart--
  const description = /\*\/\s*$/.test(lines[docEnd] ?? '') ? docText(lines.slice(docStart, docEnd + 1)) : ''
  if (aliasLine >= 0) return parseAlias(lines[aliasLine] ?? '', id, description, file)
  const end = lines.indexOf('}', start)
  if (end < 0) throw new DeclarationParseError(file, 'unterminated interface')
  return parseInterface(readMembers(lines.slice(start + 1, end), file), id, description, localId, file)
}

function parseAlias(line: string, id: string, description: string, file: string): ParsedDeclaration {
  const rhs = line.replace(/^export type \S+ = /, '').replace(/;$/, '')
  const base: JsonSchema = description === '' ? {} : { description }
  if (rhs === 'string') return { id, schema: { ...base, type: 'string' }, numberPaths: [], empty: false }
  if (rhs === 'string | number' || rhs === 'number | string') {
    // IntOrString and Quantity: either JSON type is accepted on the wire.
    return { id, schema: { ...base, 'x-kubernetes-int-or-string': true }, numberPaths: [], empty: false }
  }
  throw new DeclarationParseError(file, `unknown alias '${rhs}'`)
}

function objectSchema(
  members: Member[],
  localId: (local: string) => string | undefined,
  file: string,
): { schema: JsonSchema; numberPaths: string[] } {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  const numberPaths: string[] = []
  for (const m of members) {
    let schema: JsonSchema
    try {
      schema = typeSchema(m.type, localId)
    } catch (err) {
      throw new DeclarationParseError(file, `${m.name}: ${(err as Error).message}`)
    }
    if (m.name === 'apiVersion' || m.name === 'kind') schema = { type: 'string' }
    if (m.doc !== '') schema = schema.$ref !== undefined ? { description: m.doc, allOf: [schema] } : { description: m.doc, ...schema }
    properties[m.name] = schema
    if (typeHasNumber(m.type)) numberPaths.push(m.name)
    if (!m.optional && m.name !== 'apiVersion' && m.name !== 'kind') required.push(m.name)
  }
  const schema: JsonSchema = { type: 'object', properties }
  if (required.length > 0) schema.required = required.sort()
  return { schema, numberPaths }
}

function parseInterface(
  members: Member[],
  id: string,
  description: string,
  localId: (local: string) => string | undefined,
  file: string,
): ParsedDeclaration {
  const literal = (name: string): string | undefined => {
    const t = members.find((m) => m.name === name)?.type
    return t !== undefined && /^"[^"]*"$/.test(t) ? (JSON.parse(t) as string) : undefined
  }
  const apiVersion = literal('apiVersion')
  const kind = literal('kind')
  const { schema: body, numberPaths } = objectSchema(members, localId, file)
  const schema: JsonSchema = description === '' ? body : { description, ...body }
  const parsed: ParsedDeclaration = { id, schema, numberPaths, empty: members.length === 0 }
  if (apiVersion !== undefined && kind !== undefined) parsed.gvk = { apiVersion, kind }
  return parsed
}

function typeHasNumber(type: string): boolean {
  return /^(number|Array<number>|\{\s*\[key: string\]: number;?\s*\})$/s.test(type.trim())
}

/** Replaces pending package-id references with `#/definitions/<name>`. */
export function resolveRefs(schema: JsonSchema, names: ReadonlyMap<string, string>): void {
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(pendingRefPrefix)) {
      const name = names.get(value.slice(pendingRefPrefix.length))
      if (name === undefined) throw new DeclarationParseError('definitions', `unresolved reference ${value}`)
      schema.$ref = refPrefix + name
    } else if (value !== null && typeof value === 'object') {
      if (Array.isArray(value)) for (const v of value) resolveRefs(v as JsonSchema, names)
      else resolveRefs(value as JsonSchema, names)
    }
  }
}
