// Decode and encode of real kubectl 1.32 protobuf bodies (test/apiserver/protobuf/fixtures) next
// to JSON.parse/stringify of the same object, the cost the protobuf path replaces.
// Standalone: `npx tsx bench/apiserver/protobuf-object.bench.ts [--quick]` (not wired into
// bench/run.ts, which belongs to the bench owner; runProtobufObjectBench is ready for it).
//
// Estimate: a Deployment body is ~260 bytes, ~40 fields in ~15 nested messages. The decoder visits
// each field once through protobufjs' Reader (~50-100 ns a field with the map lookups and the
// object writes), so ~3-8 us a Deployment; JSON.parse of the ~600-byte JSON form is ~2-5 us.
// Either is noise next to a request's HTTP and storage work (~100 us and up).
import { readFileSync } from 'node:fs'
import { Bench } from 'tinybench'
import { decodeProtobufObject, encodeProtobufObject } from '../../src/apiserver/protobuf/index.js'

export interface ProtobufBenchRow {
  task: string
  opsPerSecond: number
  meanUs: number
}

const fixtures = ['configmap', 'deployment', 'cronjob', 'ingress']

export async function runProtobufObjectBench(options: { timeMs: number }): Promise<ProtobufBenchRow[]> {
  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs) })
  for (const name of fixtures) {
    const file = new URL(`../../test/apiserver/protobuf/fixtures/${name}.json`, import.meta.url)
    const body = Buffer.from((JSON.parse(readFileSync(file, 'utf8')) as { body: string }).body, 'base64')
    const object = decodeProtobufObject(body)
    const json = JSON.stringify(object)
    bench.add(`protobuf/${name}/bytes=${body.length}/decode`, () => {
      decodeProtobufObject(body)
    })
    bench.add(`protobuf/${name}/bytes=${body.length}/encode`, () => {
      encodeProtobufObject(object)
    })
    bench.add(`protobuf/${name}/json-bytes=${json.length}/JSON.parse`, () => {
      JSON.parse(json)
    })
  }
  await bench.run()
  return bench.tasks.map((task) => {
    const result = task.result
    const mean = result !== undefined && 'latency' in result ? result.latency.mean : Number.NaN
    return { task: task.name, opsPerSecond: 1000 / mean, meanUs: mean * 1000 }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick')
  const rows = await runProtobufObjectBench({ timeMs: quick ? 50 : 1000 })
  for (const row of rows) {
    console.log(`${row.task.padEnd(48)} ${Math.round(row.opsPerSecond).toString().padStart(9)} ops/s ${row.meanUs.toFixed(2).padStart(8)} us`)
  }
}
