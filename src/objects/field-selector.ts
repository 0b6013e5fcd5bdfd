// Field selectors in Kubernetes syntax (apimachinery pkg/fields/selector.go): terms joined by ','
// (AND), each `field=value`, `field==value` or `field!=value`; in values `\\`, `\,` and `\=` escape.
// Fields are dotted paths into the object (metadata.name, spec.nodeName, status.phase); a missing
// field reads as "" (an object without a namespace has namespace ""), a number or boolean as its
// string. Which fields a kind supports is the API server's business (each kind declares its own, as
// Kubernetes' field label conversion functions do); here any path of identifiers is accepted.
import type { KubeObject } from '../codec/index.js'
import { InvalidArgumentError } from '../util/index.js'

/** A dotted path such as metadata.name or spec.nodeName. */
export type FieldName = string

export interface FieldRequirement {
  field: FieldName
  operator: '=' | '!='
  value: string
}

const fieldPath = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/

export class FieldSelector {
  private constructor(readonly requirements: readonly FieldRequirement[]) {}

  static parse(selector: string): FieldSelector {
    if (typeof selector !== 'string') throw new InvalidArgumentError('objects: a field selector must be a string')
    const fail = (why: string): never => {
      throw new InvalidArgumentError(`objects: invalid field selector ${JSON.stringify(selector)}: ${why}`)
    }
    if (selector === '') return new FieldSelector([])
    const requirements = splitUnescaped(selector, ',').map((term) => parseTerm(term, fail))
    return new FieldSelector(requirements)
  }

  get empty(): boolean {
    return this.requirements.length === 0
  }

  matches(object: KubeObject): boolean {
    return this.requirements.every((r) => {
      const actual = fieldValue(object, r.field)
      return r.operator === '=' ? actual === r.value : actual !== r.value
    })
  }
}

function fieldValue(object: KubeObject, field: FieldName): string {
  let value: unknown = object
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return ''
    value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined
  }
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return ''
}

/** Splits at `sep` where it is not escaped by a backslash; the escapes stay for unescape(). */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = []
  let start = 0
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1
    else if (text[i] === sep) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

function parseTerm(term: string, fail: (why: string) => never): FieldRequirement {
  // The first unescaped operator splits the term; '!=' and '==' are tried before '=' at each place.
  for (let i = 0; i < term.length; i += 1) {
    if (term[i] === '\\') {
      i += 1
      continue
    }
    const two = term.slice(i, i + 2)
    const [operator, width] = two === '!=' ? (['!=', 2] as const) : two === '==' ? (['=', 2] as const) : term[i] === '=' ? (['=', 1] as const) : [undefined, 0]
    if (operator === undefined) continue
    const field = term.slice(0, i).trim()
    if (!fieldPath.test(field)) return fail(`field label not supported: ${JSON.stringify(field)}`)
    return { field, operator, value: unescape(term.slice(i + width), fail) }
  }
  return fail(`can't understand ${JSON.stringify(term)} (expected field=value, field==value or field!=value)`)
}

function unescape(value: string, fail: (why: string) => never): string {
  let out = ''
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i]
    if (c === ',' || c === '=') return fail(`unescaped ${JSON.stringify(c)} in value ${JSON.stringify(value)}`)
    if (c !== '\\') {
      out += c
      continue
    }
    const next = value[i + 1]
    if (next !== '\\' && next !== ',' && next !== '=') return fail(`invalid escape sequence in ${JSON.stringify(value)}`)
    out += next
    i += 1
  }
  return out
}
