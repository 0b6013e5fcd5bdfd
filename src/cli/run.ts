// etchctl's entry point: finds the command words, hands the remaining arguments to the command,
// and turns expected failures into "Error: ..." and exit code 1. `run` takes its streams (and
// optionally a signal and a clock) so tests run commands in-process; bin/etchctl.mjs passes the
// process's own.
import { createRequire } from 'node:module'
import { commandWordIndexes } from './args.js'
import { helpText } from './command.js'
import { commandGroups, commands, findCommand } from './commands.js'
import { exitOk, reportError, UsageError } from './errors.js'
import { defaultDbPath, type CliIo } from './session.js'

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'NAME:',
    '\tetchctl - an etcdctl-style command line client for an etchlog database file',
    '',
    'USAGE:',
    '\tetchctl [global options] command [command options] [arguments...]',
    '',
    'COMMANDS:',
    ...commands.map((c) => `\t${c.name.padEnd(width)}  ${c.summary}`),
    `\t${'version'.padEnd(width)}  Prints the version of etchctl`,
    `\t${'help'.padEnd(width)}  Help about any command ('etchctl help <command>' or 'etchctl <command> --help')`,
    '',
    'GLOBAL OPTIONS:',
    `\t--db=PATH                    database file (default: $ETCHLOG_DB, else ${defaultDbPath})`,
    '\t--create                     let a write command make a new database when --db does not exist',
    '\t--endpoints=HOST:PORT        talk etcd v3 gRPC to this endpoint (etchlog\'s etcd front or etcd) instead of --db',
    '\t-w, --write-out=FORMAT       output format: simple, json or table (default: simple)',
    '\t--encryption-config=FILE     encryption at rest configuration (JSON, see README)',
    "\t--durability=MODE            'strict' (default: fsync each commit) or 'relaxed'",
    '\t--hex                        print keys and values as hex-escaped bytes (simple and table output)',
    '\t-h, --help                   help for etchctl or a command',
    '',
  ].join('\n')
}

function groupHelp(group: string): string {
  const members = commands.filter((c) => c.name.startsWith(`${group} `))
  return `USAGE:\n${members.map((c) => `\tetchctl ${c.usage}\n\t\t${c.summary}`).join('\n')}\n`
}

/** Runs one etchctl command line (without "node" and the script name); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let name: string | undefined
  try {
    const indexes = commandWordIndexes(argv, 2)
    const words = indexes.map((i) => argv[i] ?? '')
    const first = words[0]
    if (first === undefined || first === 'help') {
      const target = first === 'help' ? findCommand(words.slice(1)) : undefined
      const group = words[1]
      if (target !== undefined) io.stdout.write(helpText(target.command))
      else if (group !== undefined && commandGroups.includes(group)) io.stdout.write(groupHelp(group))
      else if (group !== undefined) throw new UsageError(`unknown command "${group}" for "etchctl"`)
      else io.stdout.write(globalHelp())
      return exitOk
    }
    if (first === 'version') {
      io.stdout.write(`etchctl version: ${version}\nAPI version: 3.4 (etcd v3 KV, Lease and Maintenance semantics)\n`)
      return exitOk
    }
    const found = findCommand(words)
    if (found === undefined) {
      if (commandGroups.includes(first)) {
        name = first
        const sub = words[1]
        if (sub === undefined && argv.some((a) => a === '--help' || a === '-h')) {
          io.stdout.write(groupHelp(first))
          return exitOk
        }
        throw new UsageError(sub === undefined ? `${first} needs a subcommand` : `unknown command "${sub}" for "etchctl ${first}"`)
      }
      throw new UsageError(`unknown command "${first}" for "etchctl"`)
    }
    name = found.command.name
    const used = new Set(indexes.slice(0, found.words))
    return await found.command.execute(
      io,
      argv.filter((_, i) => !used.has(i)),
    )
  } catch (error) {
    return reportError(error, io.stderr, name)
  }
}
