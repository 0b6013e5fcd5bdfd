// `etchlog <command>`: the server-side program (bin/etchlog.mjs loads this module and calls main).
// Each subcommand is a function of its own arguments and the process's streams, resolving to an
// exit code.
import { createRequire } from 'node:module'
import { runLoad } from './load.js'
import { parseServeArgs, serveUsage, startServing } from './serve.js'
import { StorageError } from './util/index.js'

export interface MainIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  /** Aborted on the first Ctrl-C: a long-running subcommand stops cleanly and resolves to 0. */
  signal?: AbortSignal
}

export type Subcommand = (args: readonly string[], io: MainIo) => Promise<number>

interface SubcommandEntry {
  summary: string
  run: Subcommand
}

/** Exit code of a command line that names no known subcommand (as for etchctl's usage errors). */
export const exitUsage = 2

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version

async function serve(args: readonly string[], io: MainIo): Promise<number> {
  const say = (line: string): void => void io.stdout.write(`${line}\n`)
  const complain = (line: string): void => void io.stderr.write(`${line}\n`)
  let options
  try {
    options = parseServeArgs(args)
  } catch (err) {
    if (!(err instanceof StorageError)) throw err
    complain(`${err.message}\n\n${serveUsage}`)
    return exitUsage
  }
  if (options === 'help') {
    say(serveUsage)
    return 0
  }
  let serving
  try {
    serving = await startServing(options, complain)
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined
    if (!(err instanceof StorageError) && code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'ENOENT') throw err
    complain(`etchlog serve: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  say(`etchlog serving the Kubernetes API at ${serving.url}; kubeconfig: ${serving.kubeconfigPath}`)
  if (serving.etcdUrls.length > 0) say(`etchlog serving etcd's v3 API at ${serving.etcdUrls.join(', ')}`)
  say(`try: kubectl --kubeconfig ${serving.kubeconfigPath} get namespaces`)
  await new Promise<void>((resolve) => {
    const signal = io.signal
    // SIGTERM stops as Ctrl-C does (the launcher turns the first SIGINT into the abort).
    const stop = (): void => {
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGTERM', stop)
    if (signal === undefined) return
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, { once: true })
  })
  say('etchlog: stopping (open watches end, queued writes commit)')
  await serving.close()
  return 0
}

export const subcommands: Readonly<Record<string, SubcommandEntry>> = {
  serve: { summary: 'Serve the Kubernetes API and the etcd v3 API from one store', run: serve },
  load: { summary: "Drive a cluster's worth of API traffic at a server (in-process over HTTPS by default)", run: (args, io) => runLoad(args, io) },
}

function usage(): string {
  const names = Object.keys(subcommands)
  const width = Math.max('version'.length, ...names.map((n) => n.length))
  return [
    'Usage: etchlog <command> [options]',
    '',
    'Commands:',
    ...Object.entries(subcommands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`),
    `  ${'version'.padEnd(width)}  Print the version`,
    `  ${'help'.padEnd(width)}  Print this help ('etchlog <command> --help' for a command's options)`,
    '',
    'The key-value command line client is etchctl (etchctl --help).',
    '',
  ].join('\n')
}

/** Runs one `etchlog` command line (arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    io.stdout.write(usage())
    return first === undefined ? exitUsage : 0
  }
  if (first === 'version' || first === '--version') {
    io.stdout.write(`etchlog ${version}\n`)
    return 0
  }
  const entry = subcommands[first]
  if (entry === undefined) {
    io.stderr.write(`etchlog: unknown command "${first}"\n\n${usage()}`)
    return exitUsage
  }
  return entry.run(rest, io)
}
