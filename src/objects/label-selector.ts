// Label selectors in Kubernetes syntax (apimachinery pkg/labels/selector.go): requirements joined by
// ',' (AND), each `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`,
// `key>N`, `key<N`. Keys are qualified names, values label values; anything else is Invalid.
// `!=` and `notin` also match objects without the label, as in Kubernetes.
import { InvalidArgumentError } from '../util/index.js'

export type LabelOperator = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt'

export interface LabelRequirement {
  key: string
  operator: LabelOperator
  /** One value for = and !=, one integer for gt and lt, one or more for in and notin, none otherwise. */
  values: string[]
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'op'; text: '!' | '=' | '==' | '!=' | '>' | '<' | ',' | '(' | ')' }
  | { kind: 'end' }

// Characters that end an identifier (Kubernetes' special symbols and whitespace).
const special = new Set(['!', '=', ',', '(', ')', '>', '<'])
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r'

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i] ?? ''
    if (isSpace(c)) i += 1
    else if (special.has(c)) {
      const two = input.slice(i, i + 2)
      if (two === '==' || two === '!=') {
        tokens.push({ kind: 'op', text: two })
        i += 2
      } else {
        tokens.push({ kind: 'op', text: c as '!' | '=' | '>' | '<' | ',' | '(' | ')' })
        i += 1
      }
    } else {
      let j = i
      while (j < input.length && !isSpace(input[j] ?? '') && !special.has(input[j] ?? '')) j += 1
      tokens.push({ kind: 'id', text: input.slice(i, j) })
      i = j
    }
  }
  tokens.push({ kind: 'end' })
  return tokens
}

const nameRe = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/
const dnsSubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Kubernetes IsQualifiedName: [prefix/]name, prefix a DNS subdomain (<= 253), name <= 63. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/')
  if (parts.length > 2) return false
  const name = parts[parts.length - 1] ?? ''
  if (parts.length === 2) {
    const prefix = parts[0] ?? ''
    if (prefix === '' || prefix.length > 253 || !dnsSubdomainRe.test(prefix)) return false
  }
  return name.length > 0 && name.length <= 63 && nameRe.test(name)
}

/** Kubernetes IsValidLabelValue: empty, or a name of at most 63 characters. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && nameRe.test(value))
}

class Parser {
  private position = 0
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.position] ?? { kind: 'end' }
  }

  private next(): Token {
    const t = this.peek()
    this.position += 1
    return t
  }

  fail(why: string): never {
    throw new InvalidArgumentError(`objects: invalid label selector ${JSON.stringify(this.source)}: ${why}`)
  }

  private describe(t: Token): string {
    return t.kind === 'end' ? 'end of selector' : `'${t.text}'`
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = []
    if (this.peek().kind === 'end') return requirements
    for (;;) {
      requirements.push(this.requirement())
      const t = this.next()
      if (t.kind === 'end') return requirements
      if (!(t.kind === 'op' && t.text === ',')) this.fail(`found ${this.describe(t)}, expected ',' or end of selector`)
      if (this.peek().kind === 'end') this.fail('found end of selector after \',\', expected a requirement')
    }
  }

  private requirement(): LabelRequirement {
    const first = this.peek()
    const negated = first.kind === 'op' && first.text === '!'
    if (negated) this.next()
    const k = this.next()
    if (k.kind !== 'id') return this.fail(`found ${this.describe(k)}, expected a key`)
    if (!isQualifiedName(k.text)) this.fail(`key ${JSON.stringify(k.text)} is not a qualified name`)
    const after = this.peek()
    const bare = after.kind === 'end' || (after.kind === 'op' && after.text === ',')
    if (negated) {
      if (!bare) this.fail(`found ${this.describe(after)} after '!${k.text}', expected ',' or end of selector`)
      return { key: k.text, operator: '!exists', values: [] }
    }
    if (bare) return { key: k.text, operator: 'exists', values: [] }
    const operator = this.operator()
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : [this.exactValue()]
    for (const v of values) if (!isLabelValue(v)) this.fail(`value ${JSON.stringify(v)} is not a valid label value`)
    if ((operator === 'gt' || operator === 'lt') && !/^-?[0-9]+$/.test(values[0] ?? '')) {
      this.fail(`for 'gt', 'lt' operators, the value must be an integer, got ${JSON.stringify(values[0])}`)
    }
    return { key: k.text, operator, values }
  }

  private operator(): LabelOperator {
    const t = this.next()
    if (t.kind === 'id' && (t.text === 'in' || t.text === 'notin')) return t.text
    if (t.kind === 'op') {
      if (t.text === '=' || t.text === '==') return '='
      if (t.text === '!=') return '!='
      if (t.text === '>') return 'gt'
      if (t.text === '<') return 'lt'
    }
    return this.fail(`found ${this.describe(t)}, expected one of: in, notin, =, ==, !=, >, <`)
  }

  /** `key=` is allowed and means the empty value, as in Kubernetes. */
  private exactValue(): string {
    const t = this.peek()
    if (t.kind === 'end' || (t.kind === 'op' && t.text === ',')) return ''
    this.next()
    if (t.kind !== 'id') return this.fail(`found ${this.describe(t)}, expected a value`)
    return t.text
  }

  /** `(a,b)`; an empty member (`(a,)`, `(,a)`) is the empty value, as Kubernetes reads it. */
  private valueSet(): string[] {
    const open = this.next()
    if (!(open.kind === 'op' && open.text === '(')) this.fail(`found ${this.describe(open)}, expected '('`)
    const values = new Set<string>()
    const closes = (t: Token): boolean => t.kind === 'op' && t.text === ')'
    if (closes(this.peek())) {
      this.next()
      return this.fail("for 'in', 'notin' operators, the value set can't be empty")
    }
    for (;;) {
      const t = this.next()
      if (t.kind === 'id') {
        values.add(t.text)
        const after = this.next()
        if (closes(after)) break
        if (!(after.kind === 'op' && after.text === ',')) this.fail(`found ${this.describe(after)}, expected ',' or ')'`)
      } else if (t.kind === 'op' && t.text === ',') values.add('')
      else if (closes(t)) {
        values.add('')
        break
      } else this.fail(`found ${this.describe(t)}, expected ',' or a value`)
    }
    return [...values]
  }
}

export class LabelSelector {
  private constructor(readonly requirements: readonly LabelRequirement[]) {}

  /** Parses Kubernetes label selector syntax; throws InvalidArgumentError (Invalid) on bad input. */
  static parse(selector: string): LabelSelector {
    if (typeof selector !== 'string') throw new InvalidArgumentError('objects: a label selector must be a string')
    return new LabelSelector(new Parser(tokenize(selector), selector).parse())
  }

  /** Selects everything. */
  get empty(): boolean {
    return this.requirements.length === 0
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return this.requirements.every((r) => matchRequirement(r, labels))
  }
}

function matchRequirement(r: LabelRequirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key)
  const value = has ? labels[r.key] : undefined
  switch (r.operator) {
    case 'exists':
      return has
    case '!exists':
      return !has
    case '=':
    case 'in':
      return value !== undefined && r.values.includes(value)
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value)
    case 'gt':
    case 'lt': {
      // A label that is not an integer matches neither, as in Kubernetes.
      if (value === undefined || !/^-?[0-9]+$/.test(value)) return false
      const have = Number(value)
      const want = Number(r.values[0])
      return r.operator === 'gt' ? have > want : have < want
    }
  }
}
