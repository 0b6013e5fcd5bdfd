// `etchlog`: the server's command. `etchlog serve` serves the Kubernetes API from an embedded store.
import { parseServeArgs, serveUsage, startServing } from './serve.js'
import { StorageError } from './util/index.js'

export const usage = `usage: etchlog <command> [flags]

commands:
  serve     serve the Kubernetes API (and, with --listen-client-urls, etcd's v3 API) from one store

${serveUsage}`

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    console.log(usage)
    return command === undefined ? 2 : 0
  }
  if (command !== 'serve') {
    console.error(`etchlog: unknown command ${JSON.stringify(command)}\n\n${usage}`)
    return 2
  }
  let options
  try {
    options = parseServeArgs(rest)
  } catch (err) {
    if (!(err instanceof StorageError)) throw err
    console.error(`${err.message}\n\n${serveUsage}`)
    return 2
  }
  if (options === 'help') {
    console.log(serveUsage)
    return 0
  }
  let serving
  try {
    serving = await startServing(options, (line) => console.error(line))
  } catch (err) {
    if (!(err instanceof StorageError) && !(err instanceof Error && 'code' in err && (err.code === 'EADDRINUSE' || err.code === 'EACCES'))) throw err
    console.error(`etchlog serve: ${err.message}`)
    return 1
  }
  console.log(`etchlog serving the Kubernetes API at ${serving.url}; kubeconfig: ${serving.kubeconfigPath}`)
  if (serving.etcdUrls.length > 0) console.log(`etchlog serving etcd's v3 API at ${serving.etcdUrls.join(', ')}`)
  console.log(`try: kubectl --kubeconfig ${serving.kubeconfigPath} get namespaces`)
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await stopped
  console.log('etchlog: stopping (open watches end, queued writes commit)')
  await serving.close()
  return 0
}
