// A process serving the etcd front over a store, for process-level tests (etcdctl, check perf,
// bench): `tsx test/support/etcd-front-main.ts <db path> [listen URL]`. Prints the bound URL as
// one line "listening <url>", closes cleanly on SIGTERM / SIGINT.
import { openStore } from '../../src/index.js'
import { startEtcdFront } from '../../src/etcdserver/index.js'

const path = process.argv[2]
if (path === undefined) throw new Error('usage: etcd-front-main.ts <db path> [listen URL]')
const url = process.argv[3] ?? 'http://127.0.0.1:0'
const durability = process.env.ETCHLOG_DURABILITY === 'relaxed' ? 'relaxed' : 'strict'
const store = await openStore({ path, durability, watchProgressNotifyIntervalMs: 5000 })
const front = await startEtcdFront({ store, listenClientUrls: [url] })
process.stdout.write(`listening ${front.urls.join(',')}\n`)
let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  front
    .close()
    .then(() => store.close())
    .then(() => process.exit(0))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`)
      process.exit(1)
    })
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
