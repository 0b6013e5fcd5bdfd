// The shape of an etchctl command: its words, usage line, flags and handler. defineCommand parses
// the arguments with the command's own flag spec (plus the globals), answers --help, runs the
// handler in a Session and always closes the store it opened.
import { parseCommandArgs, type OptionSpec, type Parsed } from './args.js'
import { exitOk } from './errors.js'
import { Session, type CliIo } from './session.js'

export interface Command {
  /** The words that select it: "get", "lease grant". */
  readonly name: string
  /** After "etchctl": "get [options] <key> [range_end]". */
  readonly usage: string
  readonly summary: string
  /** Flag help, one "--flag  meaning" per line. */
  readonly flags: readonly string[]
  /** Runs with the arguments left after the command words; resolves to the exit code. */
  execute(io: CliIo, args: readonly string[]): Promise<number>
}

export interface CommandSpec<O extends OptionSpec> {
  name: string
  usage: string
  summary: string
  options: O
  flags?: readonly string[]
  run(session: Session, args: Parsed<O>): Promise<number | void>
}

export function defineCommand<O extends OptionSpec>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    flags: spec.flags ?? [],
    async execute(io, args) {
      const parsed = parseCommandArgs(args, spec.options)
      if (parsed.values.help === true) {
        io.stdout.write(helpText(this))
        return exitOk
      }
      const session = new Session(io, parsed.values)
      try {
        return (await spec.run(session, parsed)) ?? exitOk
      } finally {
        await session.close()
      }
    },
  }
}

export function helpText(command: Command): string {
  const lines = [`NAME:`, `\t${command.name} - ${command.summary}`, '', 'USAGE:', `\tetchctl ${command.usage}`]
  if (command.flags.length > 0) lines.push('', 'OPTIONS:', ...command.flags.map((f) => `\t${f}`))
  lines.push('', "Global flags: see 'etchctl --help'.")
  return `${lines.join('\n')}\n`
}
