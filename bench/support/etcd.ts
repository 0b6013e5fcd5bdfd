// Real etcd side by side with etchlog in the same bench run: started here when the binary is
// found (test/support/etcd-server.ts: ETCHLOG_ETCD_BIN, PATH, /usr/bin, or what .ci/run unpacked),
// one member on 127.0.0.1 with free ports and a fresh data dir, and reached through the gRPC
// client the differential tests use (test/support/etcd-client.ts), over loopback, from this
// same Node process. So every etcd figure includes the client's cost (protobuf encoding, HTTP/2
// framing, the event loop it shares with the harness), as an application using etcd would pay.
//
// etcd's data dir is a fresh folder under os.tmpdir() (startEtcd's tempDir), the same parent as
// the bench's own database files (support/temp.ts), so both write to the same disk.
import { tmpdir } from 'node:os'
import { EtcdClient } from '../../test/support/etcd-client.js'
import { findEtcd, startEtcd, type EtcdServer } from '../../test/support/etcd-server.js'
import { benchKey, valuePool } from './rng.js'

export { EtcdClient }

export const ETCD_NOT_FOUND = 'etcd not found (set ETCHLOG_ETCD_BIN or run .ci/run): etcd columns skipped'

export interface BenchEtcd {
  client: EtcdClient
  /** host:port, for more gRPC channels (the watch streams). */
  endpoint: string
  version: string
  bin: string
  stop(): Promise<void>
}

/** What the report says about etcd: the version it ran, or why it did not. */
export interface EtcdInfo {
  ran: boolean
  note: string
}

/**
 * Starts etcd if it is installed and not left out (`leftOut` says why it is, e.g. "--no-etcd");
 * otherwise etcd is undefined and info.note says why.
 */
export async function startBenchEtcd(log: (line: string) => void, o: { leftOut?: string } = {}): Promise<{ etcd: BenchEtcd | undefined; info: EtcdInfo }> {
  if (o.leftOut !== undefined) {
    const note = `etcd left out (${o.leftOut}): etcd columns skipped`
    log(note)
    return { etcd: undefined, info: { ran: false, note } }
  }
  const bin = findEtcd()
  if (bin === undefined) {
    log(ETCD_NOT_FOUND)
    return { etcd: undefined, info: { ran: false, note: ETCD_NOT_FOUND } }
  }
  let server: EtcdServer
  try {
    server = await startEtcd(bin)
  } catch (err) {
    // Found but broken: fail the run rather than quietly drop the comparison it was asked for.
    throw new Error(`bench: etcd at ${bin} did not start (fix it, point ETCHLOG_ETCD_BIN elsewhere, or pass --no-etcd)`, { cause: err })
  }
  const client = new EtcdClient(server.endpoint)
  const etcd: BenchEtcd = {
    client,
    endpoint: server.endpoint,
    version: server.version,
    bin,
    stop: async () => {
      client.close()
      await server.stop()
    },
  }
  const note = `etcd ${server.version} (${bin}), one member on ${server.endpoint}, data dir under ${tmpdir()}; gRPC client over loopback in this process`
  log(note)
  return { etcd, info: { ran: true, note } }
}

const values = valuePool(1024, 256, 0x9e3779b9) // the pool populate.ts uses, so etcd holds the same bytes

/** Puts benchKey('pop', i) for i in [0, count) into etcd, `inFlight` at a time. */
export async function populateEtcd(client: EtcdClient, count: number, inFlight = 256): Promise<number> {
  const start = performance.now()
  let next = 0
  const loop = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      await client.put({ key: benchKey('pop', i), value: values[i % values.length] as Buffer }) // modulo keeps it in range
    }
  }
  await Promise.all(Array.from({ length: inFlight }, loop))
  return (count / (performance.now() - start)) * 1000
}
