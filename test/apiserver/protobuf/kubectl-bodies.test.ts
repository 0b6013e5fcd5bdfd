// Real bytes: kubectl 1.32 and 1.33 against a recording fake server. Every body must arrive as protobuf
// and decode to exactly the JSON form kubectl prints for the same command with a client dry run.
// ETCHLOG_RECORD_FIXTURES=1 also writes each 1.32 case to fixtures/ for kubectl-free unit tests.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { decodeProtobufObject, encodeProtobufObject, protobufMediaType } from '../../../src/apiserver/protobuf/index.js'
import { KubectlRecorder, kubectlAvailable, kubectlBinary } from '../../support/kubectl-recorder.js'
import type { RecordedWrite, Reply } from '../../support/kubectl-recorder.js'
import { binaryFileBytes, dryRunArgs, kubectlCases, withoutNulls } from './kubectl-cases.js'

const fixturesDir = new URL('./fixtures/', import.meta.url)
const record = process.env['ETCHLOG_RECORD_FIXTURES'] === '1'

/** Answers like an API server would, enough for kubectl to print its success line. */
function reply(write: RecordedWrite): Reply {
  const object = decodeProtobufObject(write.body, { unknownFields: 'fail' })
  const status = { token: 'token-1', expirationTimestamp: '2030-01-01T00:00:00Z', allowed: true, userInfo: { username: 'tester' } }
  return { code: 201, object: { ...object, metadata: { name: 'created', namespace: 'ns1' }, status } }
}

for (const minor of [32, 33]) {
  describe(`kubectl 1.${minor} protobuf request bodies`, { skip: kubectlAvailable(minor) ? false : `kubectl 1.${minor} is not installed` }, () => {
    let recorder: KubectlRecorder
    before(async () => {
      recorder = new KubectlRecorder(kubectlBinary(minor), reply)
      await recorder.start()
      recorder.writeHomeFile('binary', binaryFileBytes)
    })
    after(async () => {
      await recorder.close()
    })
    for (const c of kubectlCases) {
      it(`kubectl ${c.args.join(' ')}`, async () => {
        recorder.writes.length = 0
        const result = await recorder.run(c.args)
        assert.equal(result.code, 0, `kubectl failed: ${result.stderr}`)
        assert.equal(recorder.writes.length, 1, 'one write per command')
        const write = recorder.writes[0] as RecordedWrite
        assert.equal(write.contentType, protobufMediaType)
        const decoded = decodeProtobufObject(write.body, { unknownFields: 'fail' })
        let expected = c.expected
        if (c.dryRun) {
          const dry = await recorder.run(dryRunArgs(c.args))
          assert.equal(dry.code, 0, `dry run failed: ${dry.stderr}`)
          expected = withoutNulls(JSON.parse(dry.stdout)) as Record<string, unknown>
        }
        assert.deepEqual(decoded, expected)
        // The JSON form encodes back to protobuf that decodes to the same object.
        const encoded = encodeProtobufObject(decoded)
        assert.ok(encoded !== undefined, 'the decoded object must be encodable')
        assert.deepEqual(decodeProtobufObject(encoded, { unknownFields: 'fail' }), decoded)
        if (record && minor === 32) {
          const fixture = { args: c.args, method: write.method, url: write.url, body: write.body.toString('base64'), expected }
          writeFileSync(new URL(`${c.name}.json`, fixturesDir), `${JSON.stringify(fixture, null, 2)}\n`)
        }
      })
    }
  })
}
