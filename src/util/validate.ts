// Declared shapes for public arguments: a few small combinators, each a function that checks one
// value and returns it (copied where a caller could change it later). Every failure is an
// ArgumentError naming the argument and the rule it broke, thrown before anything is applied.
//
// Example: const readOptions = options({ revision: optional(integer({ min: 0 })) })
//          readOptions(null, 'get options') -> ArgumentError "etchlog: get options must be an object, got null"
import { describeValue } from './describe-value.js'
import { InvalidArgumentError } from './errors.js'

export { describeValue }

/** A rule: checks `value` (named `name` in messages) and returns it normalised. */
export type Check<T> = (value: unknown, name: string) => T

/** An argument that breaks a declared rule. */
export class ArgumentError extends InvalidArgumentError {
  constructor(
    readonly argument: string,
    readonly rule: string,
    value: unknown,
  ) {
    super(`etchlog: ${argument} ${rule}, got ${describeValue(value)}`)
  }
}

export function fail(name: string, rule: string, value: unknown): never {
  throw new ArgumentError(name, rule, value)
}

export function integer(range: { min?: number; max?: number } = {}): Check<number> {
  const min = range.min ?? Number.MIN_SAFE_INTEGER
  const max = range.max ?? Number.MAX_SAFE_INTEGER
  const rule =
    min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER ? 'must be a safe integer' : `must be an integer in [${min}, ${max}]`
  return (value, name) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) fail(name, rule, value)
    return value
  }
}

export const boolean: Check<boolean> = (value, name) => {
  if (typeof value !== 'boolean') fail(name, 'must be a boolean', value)
  return value
}

export function string(rule: { nonEmpty?: boolean } = {}): Check<string> {
  return (value, name) => {
    if (typeof value !== 'string') fail(name, 'must be a string', value)
    if (rule.nonEmpty === true && value.length === 0) fail(name, 'must not be empty', value)
    return value
  }
}

export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  const quoted = choices.map((c) => `'${c}'`)
  const rule = `must be ${quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}` : (quoted[0] ?? 'nothing')}`
  return (value, name) => {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) fail(name, rule, value)
    return value as T
  }
}

export const func: Check<(...args: never[]) => unknown> = (value, name) => {
  if (typeof value !== 'function') fail(name, 'must be a function', value)
  return value as (...args: never[]) => unknown
}

/** An object with these methods (a Clock, a transformer); the object itself is kept, not copied. */
export function methods<T extends object>(names: readonly string[]): Check<T> {
  const rule = `must be an object with methods ${names.join(', ')}`
  return (value, name) => {
    if (typeof value !== 'object' || value === null) fail(name, rule, value)
    for (const m of names) if (typeof (value as Record<string, unknown>)[m] !== 'function') fail(name, rule, value)
    return value as T
  }
}

/** Bytes or a string, copied: a caller's later change to its buffer cannot reach the request. */
export const bytes: Check<Buffer> = (value, name) => {
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength))
  return fail(name, 'must be a string or Uint8Array', value)
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, name) => (value === undefined ? undefined : check(value, name))
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

type Shape = Record<string, Check<unknown>>
type Checked<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> }

/**
 * An object of known fields, each with its rule; an unknown (misspelt) field is refused. The
 * result is a fresh object holding only the checked fields (absent ones stay absent).
 */
export function shape<S extends Shape>(fields: S): Check<Partial<Checked<S>>> {
  return (value, name) => {
    if (!isRecord(value)) fail(name, 'must be an object', value)
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      const check = Object.hasOwn(fields, key) ? fields[key] : undefined
      if (check === undefined) fail(`${name}.${key}`, `is not a known option (known: ${Object.keys(fields).join(', ')})`, value[key])
      const v = check(value[key], `${name}.${key}`)
      if (v !== undefined) out[key] = v
    }
    return out as Partial<Checked<S>>
  }
}

/** Like shape, but the whole argument may be left out (undefined reads as {}). */
export function options<S extends Shape>(fields: S): Check<Partial<Checked<S>>> {
  const inner = shape(fields)
  return (value, name) => inner(value === undefined ? {} : value, name)
}

/** Refuses anything that is not undefined or a plain object; keeps the object (its fields are read later). */
export function objectOrUndefined(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (!isRecord(value)) fail(name, 'must be an object', value)
  return value
}

/**
 * Like options, but fields it does not declare are left alone (for option objects that callers
 * build from wider ones, as the object API's are); the declared ones are checked. Returns the
 * value itself, unchanged, once it is known to be valid.
 */
export function fields<S extends Shape, T extends object>(declared: S): Check<T> {
  return (value, name) => {
    if (value === undefined) return {} as T
    if (!isRecord(value)) fail(name, 'must be an object', value)
    for (const [key, check] of Object.entries(declared)) check(value[key], `${name}.${key}`)
    return value as T
  }
}

/** An AbortSignal (the watch APIs take one to stop a watcher). */
export const abortSignal: Check<AbortSignal> = (value, name) => {
  if (!(value instanceof AbortSignal)) fail(name, 'must be an AbortSignal', value)
  return value
}
