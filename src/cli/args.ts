// Argument parsing for etchctl: node:util parseArgs with the global flags merged into every
// command's own, so globals may stand anywhere (as cobra's persistent flags do for etcdctl), plus
// the number parsers etcdctl applies (decimal revisions, hexadecimal lease IDs).
import { parseArgs } from 'node:util'
import { UsageError } from './errors.js'

export interface OptionSpec {
  readonly [name: string]: { readonly type: 'string' | 'boolean'; readonly short?: string }
}

/** The values parseArgs gives for a spec: booleans for flags, strings for the rest. */
export type Values<O extends OptionSpec> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string
}

export const globalOptions = {
  db: { type: 'string' },
  create: { type: 'boolean' },
  endpoints: { type: 'string' },
  'write-out': { type: 'string', short: 'w' },
  'encryption-config': { type: 'string' },
  durability: { type: 'string' },
  hex: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec

export interface Parsed<O extends OptionSpec> {
  values: Values<O> & Values<typeof globalOptions>
  positionals: string[]
}

/** Strict parse: an unknown flag or a missing flag value is a UsageError, never a crash. */
export function parseCommandArgs<O extends OptionSpec>(args: readonly string[], options: O, withGlobals = true): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: withGlobals ? { ...globalOptions, ...options } : options,
      allowPositionals: true,
      strict: true,
    })
    // parseArgs types its values from a literal config; ours is built from a generic spec, so the
    // mapping above (boolean flags to booleans, the rest to strings) is restated by a cast.
    return { values: values as Parsed<O>['values'], positionals }
  } catch (error) {
    if (error instanceof TypeError && typeof (error as { code?: unknown }).code === 'string') {
      throw new UsageError(cleanParseError(error.message))
    }
    throw error
  }
}

// parseArgs messages are long and speak of its API; say what cobra (etcdctl's parser) says.
function cleanParseError(message: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message)
  if (unknown !== null) return `unknown flag: ${unknown[1] ?? ''}`
  const missing = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(message)
  if (missing !== null) {
    const flag = missing[1] ?? ''
    return missing[2] === 'missing' ? `flag needs an argument: ${flag}` : `flag needs an argument: ${flag} (write a value starting with '-' as ${flag}=-value)`
  }
  const first = message.split('\n')[0] ?? message
  return first.replace(/\.$/, '')
}

/**
 * Where the command words are: the first positionals of a lenient parse that knows only the
 * global flags (so `-w json get k` finds `get`). Returns their indexes in argv.
 */
export function commandWordIndexes(argv: readonly string[], count: number): number[] {
  const { tokens } = parseArgs({ args: [...argv], options: globalOptions, allowPositionals: true, strict: false, tokens: true })
  const indexes: number[] = []
  for (const token of tokens) {
    if (token.kind === 'option-terminator') break
    if (token.kind === 'positional' && indexes.length < count) indexes.push(token.index)
  }
  return indexes
}

/** A decimal integer in [min, 2^53); etcdctl's int64 flags, limited to what JavaScript holds. */
export function parseInteger(text: string, what: string, min = 0): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`bad ${what} "${text}": expecting a decimal integer`)
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new UsageError(`bad ${what} "${text}": out of range`)
  if (n < min) throw new UsageError(`bad ${what} "${text}": must be at least ${min}`)
  return n
}

/** An optional integer flag. */
export function integerFlag(value: string | undefined, what: string, min = 0): number | undefined {
  return value === undefined ? undefined : parseInteger(value, what, min)
}

/** A lease ID as etcdctl takes it: hexadecimal, without 0x (etcdctl uses strconv.ParseInt(s, 16, 64)). */
export function parseLeaseId(text: string): number {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) throw new UsageError(`bad lease ID "${text}", expecting ID in hex`)
  const n = Number.parseInt(text, 16)
  if (!Number.isSafeInteger(n)) throw new UsageError(`bad lease ID "${text}": etchlog lease IDs are below 2^53`)
  return n
}

export { formatLeaseId } from './lease-id.js'

/** Exactly `min`..`max` positionals, else the command's own etcdctl-style message. */
export function expectPositionals(positionals: readonly string[], min: number, max: number, message: string): void {
  if (positionals.length < min || positionals.length > max) throw new UsageError(message)
}
