// Field selectors in Kubernetes syntax (apimachinery pkg/fields/selector.go): terms joined by ','
// (AND), each `field=value`, `field==value` or `field!=value`; in values `\\`, `\,` and `\=` escape.
// Only the fields every object has are supported: metadata.name and metadata.namespace (an object
// without a namespace has namespace ""). Anything else is Invalid.
import type { KubeObject } from '../codec/index.js'
import { InvalidArgumentError } from '../util/index.js'

export type FieldName = 'metadata.name' | 'metadata.namespace'

export interface FieldRequirement {
  field: FieldName
  operator: '=' | '!='
  value: string
}

const supported: ReadonlySet<string> = new Set<FieldName>(['metadata.name', 'metadata.namespace'])

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
  const meta = object.metadata
  const value = field === 'metadata.name' ? meta.name : meta.namespace
  return typeof value === 'string' ? value : ''
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
    if (!supported.has(field)) return fail(`field label not supported: ${JSON.stringify(field)}`)
    return { field: field as FieldName, operator, value: unescape(term.slice(i + width), fail) }
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
