// A small subset of CEL for webhook matchConditions: literals (strings, integers, booleans,
// null, lists), the variables the request binds (object, oldObject, request), field access
// (`a.b`, `a['b']`), has(a.b), size(x) and x.size(), startsWith/endsWith/contains, `in`,
// ! && || == != < <= > >= and parentheses. Anything else is a CelError, which the caller
// treats as an evaluation error (failurePolicy decides), as kube does for a condition it
// cannot evaluate.

export class CelError extends Error {
  readonly code = 'Invalid'
}

type Value = unknown
type Token = { t: 'str' | 'num' | 'id' | 'op'; v: string }

const tokenShape = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[!<>.()[\],]))/y

function tokenize(text: string): Token[] {
  const out: Token[] = []
  tokenShape.lastIndex = 0
  let at = 0
  while (at < text.length) {
    if (text.slice(at).trim() === '') break
    tokenShape.lastIndex = at
    const m = tokenShape.exec(text)
    if (m === null) throw new CelError(`unsupported CEL at ${at}: ${JSON.stringify(text.slice(at, at + 20))}`)
    at = tokenShape.lastIndex
    if (m[1] !== undefined) out.push({ t: 'str', v: JSON.parse(m[1].startsWith("'") ? `"${m[1].slice(1, -1).replace(/"/g, '\\"')}"` : m[1]) as string })
    else if (m[2] !== undefined) out.push({ t: 'num', v: m[2] })
    else if (m[3] !== undefined) out.push({ t: 'id', v: m[3] })
    else if (m[4] !== undefined) out.push({ t: 'op', v: m[4] })
  }
  return out
}

class Parser {
  private i = 0
  // > 0 while parsing the side of && or || that short-circuit skips: its errors do not count (CEL
  // lets `has(o.x) && o.x.y == 1` be false when x is missing).
  private skip = 0
  constructor(
    private readonly tokens: Token[],
    private readonly vars: Record<string, Value>,
  ) {}

  run(): Value {
    const v = this.or()
    if (this.i !== this.tokens.length) throw new CelError(`unexpected ${JSON.stringify(this.tokens[this.i]?.v)}`)
    return v
  }

  /** Parses a short-circuited operand, ignoring what it evaluates to. */
  private skipped(parse: () => Value, result: boolean): boolean {
    this.skip++
    try {
      parse()
    } finally {
      this.skip--
    }
    return result
  }

  /** Runs an evaluation step; inside a skipped operand an error gives null instead. */
  private guard<T>(step: () => T): T | null {
    if (this.skip === 0) return step()
    try {
      return step()
    } catch (err) {
      if (err instanceof CelError) return null
      throw err
    }
  }

  private peek(v: string): boolean {
    const t = this.tokens[this.i]
    return t !== undefined && (t.t === 'op' || t.t === 'id') && t.v === v
  }

  private eat(v: string): void {
    if (!this.peek(v)) throw new CelError(`expected ${JSON.stringify(v)}`)
    this.i++
  }

  private or(): Value {
    let v = this.and()
    while (this.peek('||')) {
      this.i++
      const done = this.guard(() => truth(v))
      v = done === true ? this.skipped(() => this.and(), true) : this.guard(() => truth(this.and()))
    }
    return v
  }

  private and(): Value {
    let v = this.compare()
    while (this.peek('&&')) {
      this.i++
      const done = this.guard(() => truth(v))
      v = done === false ? this.skipped(() => this.compare(), false) : this.guard(() => truth(this.compare()))
    }
    return v
  }

  private compare(): Value {
    const l = this.unary()
    for (const op of ['==', '!=', '<=', '>=', '<', '>', 'in']) {
      if (!this.peek(op)) continue
      this.i++
      const r = this.unary()
      if (op === '==') return JSON.stringify(l) === JSON.stringify(r)
      if (op === '!=') return JSON.stringify(l) !== JSON.stringify(r)
      if (op === 'in') return Array.isArray(r) ? r.some((x) => JSON.stringify(x) === JSON.stringify(l)) : isMap(r) && typeof l === 'string' && Object.hasOwn(r, l)
      return this.guard(() => {
        if (typeof l !== typeof r || (typeof l !== 'number' && typeof l !== 'string')) throw new CelError(`no such overload: ${op}`)
        const [a, b] = [l as number | string, r as number | string]
        return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b
      })
    }
    return l
  }

  private unary(): Value {
    if (this.peek('!')) {
      this.i++
      const v = this.unary()
      return this.guard(() => !truth(v))
    }
    return this.postfix(this.primary())
  }

  private primary(): Value {
    const t = this.tokens[this.i++]
    if (t === undefined) throw new CelError('unexpected end of expression')
    if (t.t === 'str') return t.v
    if (t.t === 'num') return Number(t.v)
    if (t.t === 'op' && t.v === '(') {
      const v = this.or()
      this.eat(')')
      return v
    }
    if (t.t === 'op' && t.v === '[') {
      const items: Value[] = []
      while (!this.peek(']')) {
        items.push(this.or())
        if (!this.peek(']')) this.eat(',')
      }
      this.eat(']')
      return items
    }
    if (t.t !== 'id') throw new CelError(`unexpected ${JSON.stringify(t.v)}`)
    if (t.v === 'true' || t.v === 'false') return t.v === 'true'
    if (t.v === 'null') return null
    if (t.v === 'has' || t.v === 'size') return this.call(t.v)
    return this.guard(() => {
      if (!Object.hasOwn(this.vars, t.v)) throw new CelError(`undeclared reference to ${JSON.stringify(t.v)}`)
      return this.vars[t.v]
    })
  }

  private call(name: string): Value {
    this.eat('(')
    if (name === 'size') {
      const v = this.or()
      this.eat(')')
      return this.guard(() => sizeOf(v))
    }
    // has(x.f): x must evaluate, f need not exist.
    const base = this.postfix(this.primaryNoField(), true)
    this.eat('.')
    const field = this.tokens[this.i++]
    if (field?.t !== 'id') throw new CelError('has() needs a field selection')
    this.eat(')')
    return isMap(base) && Object.hasOwn(base, field.v)
  }

  private primaryNoField(): Value {
    return this.primary()
  }

  /** Field selections, indexes and method calls; with stopBeforeLast, leaves the last `.f` for has(). */
  private postfix(v: Value, stopBeforeLast = false): Value {
    for (;;) {
      if (this.peek('.')) {
        const name = this.tokens[this.i + 1]
        if (stopBeforeLast && !this.isMoreAfterField()) return v
        this.i += 2
        if (name?.t !== 'id') throw new CelError('expected a field name')
        const target = v
        if (this.peek('(')) v = this.method(target, name.v)
        else v = this.guard(() => select(target, name.v))
      } else if (this.peek('[')) {
        this.i++
        const k = this.or()
        this.eat(']')
        const target = v
        v = this.guard(() => (Array.isArray(target) && typeof k === 'number' ? target[k] : select(target, String(k))))
      } else return v
    }
  }

  private isMoreAfterField(): boolean {
    const next = this.tokens[this.i + 2]
    return next !== undefined && next.t === 'op' && (next.v === '.' || next.v === '[' || next.v === '(')
  }

  private method(target: Value, name: string): Value {
    this.eat('(')
    const args: Value[] = []
    while (!this.peek(')')) {
      args.push(this.or())
      if (!this.peek(')')) this.eat(',')
    }
    this.eat(')')
    return this.guard(() => callMethod(target, name, args))
  }
}

function callMethod(target: Value, name: string, args: Value[]): Value {
  if (name === 'size' && args.length === 0) return sizeOf(target)
  const [arg] = args
  if (typeof target !== 'string' || typeof arg !== 'string') throw new CelError(`no such overload: ${name}`)
  if (name === 'startsWith') return target.startsWith(arg)
  if (name === 'endsWith') return target.endsWith(arg)
  if (name === 'contains') return target.includes(arg)
  throw new CelError(`unsupported function ${name}`)
}

function isMap(v: Value): v is Record<string, Value> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function select(v: Value, name: string): Value {
  if (!isMap(v) || !Object.hasOwn(v, name)) throw new CelError(`no such key: ${name}`)
  return v[name]
}

function sizeOf(v: Value): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length
  if (isMap(v)) return Object.keys(v).length
  throw new CelError('no such overload: size')
}

function truth(v: Value): boolean {
  if (typeof v !== 'boolean') throw new CelError('no matching overload: a condition must be a bool')
  return v
}

/** Evaluates a matchCondition expression; a non-bool result or anything unsupported is a CelError. */
export function evaluateCondition(expression: string, vars: Record<string, Value>): boolean {
  return truth(new Parser(tokenize(expression), vars).run())
}
