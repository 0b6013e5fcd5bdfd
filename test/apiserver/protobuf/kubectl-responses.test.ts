// The encoder against Go's real decoder: the fake answers kubectl 1.32 in protobuf (kubectl lists
// it first in Accept), and what kubectl prints must be exactly the object we encoded.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeProtobufObject, encodeProtobufObject, prefersProtobuf } from '../../../src/apiserver/protobuf/index.js'
import { KubectlRecorder, kubectlAvailable, kubectlBinary } from '../../support/kubectl-recorder.js'
import type { RecordedWrite, Reply } from '../../support/kubectl-recorder.js'
import { binaryFileBytes, kubectlCases, withoutNulls } from './kubectl-cases.js'

const created = '2026-12-08T02:00:00Z'

/** The request object as a server would store it: system fields, managed fields, a status. */
function served(request: Record<string, unknown>): Record<string, unknown> {
  const metadata = (request['metadata'] ?? {}) as Record<string, unknown>
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : 'x'
  const managedFields = [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: request['apiVersion'], time: created,
    fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:name': {}, 'f:labels': { '.': {} } } },
  }]
  const served = { ...metadata, name, uid: '0b9e2c1a-5d47-4c36-9a0e-6c1b2b5b7f10', resourceVersion: '42', creationTimestamp: created, managedFields }
  switch (request['kind']) {
    case 'TokenRequest':
      return { ...request, metadata: {}, status: { token: 'token-from-protobuf', expirationTimestamp: '2030-01-02T03:04:05Z' } }
    case 'SelfSubjectAccessReview':
      return { ...request, status: { allowed: false, denied: true, reason: 'policy says no' } }
    case 'SelfSubjectRulesReview':
      return {
        ...request,
        status: {
          resourceRules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['p1'] }],
          nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
          incomplete: false,
        },
      }
    case 'SelfSubjectReview':
      return { ...request, status: { userInfo: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['read', 'write'] } } } }
    default:
      return { ...request, metadata: served }
  }
}

function reply(write: RecordedWrite): Reply {
  const request = decodeProtobufObject(write.body, { unknownFields: 'fail' })
  const metadata = (request['metadata'] ?? {}) as Record<string, unknown>
  if (metadata['name'] === 'exists') {
    const status = {
      apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', reason: 'AlreadyExists', code: 409,
      message: 'configmaps "exists" already exists', details: { name: 'exists', kind: 'configmaps' },
    }
    return { code: 409, object: status, protobuf: encodeProtobufObject(status) }
  }
  const object = served(request)
  const protobuf = encodeProtobufObject(object)
  assert.ok(protobuf !== undefined, `${String(request['kind'])} must be encodable`)
  assert.ok(prefersProtobuf(write.accept), `kubectl asked for ${write.accept}`)
  return { code: 201, object, protobuf }
}

describe('kubectl 1.32 reads protobuf responses', { skip: kubectlAvailable(32) ? false : 'kubectl 1.32 is not installed' }, () => {
  let recorder: KubectlRecorder
  before(async () => {
    recorder = new KubectlRecorder(kubectlBinary(32), reply)
    await recorder.start()
    recorder.writeHomeFile('binary', binaryFileBytes)
  })
  after(async () => {
    await recorder.close()
  })

  for (const c of kubectlCases.filter((k) => k.dryRun)) {
    it(`kubectl ${c.args.join(' ')} -o json`, async () => {
      recorder.writes.length = 0
      const dash = c.args.indexOf('--')
      const args = dash < 0 ? [...c.args, '-o', 'json', '--show-managed-fields'] : [...c.args.slice(0, dash), '-o', 'json', '--show-managed-fields', ...c.args.slice(dash)]
      const result = await recorder.run(args)
      assert.equal(result.code, 0, `kubectl failed: ${result.stderr}`)
      const write = recorder.writes[0] as RecordedWrite
      const expected = served(decodeProtobufObject(write.body))
      assert.deepEqual(withoutNulls(JSON.parse(result.stdout)), expected)
    })
  }

  it('create token prints the token of the protobuf TokenRequest', async () => {
    const result = await recorder.run(['create', 'token', 'sa1'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trim(), 'token-from-protobuf')
  })
  it('auth whoami prints the user, groups and extra', async () => {
    const result = await recorder.run(['auth', 'whoami', '-o', 'json'])
    assert.equal(result.code, 0, result.stderr)
    const printed = JSON.parse(result.stdout) as Record<string, unknown>
    assert.deepEqual(printed['status'], { userInfo: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['read', 'write'] } } })
  })
  it('auth can-i answers no with the reason', async () => {
    const result = await recorder.run(['auth', 'can-i', 'get', 'pods'])
    assert.equal(result.code, 1)
    assert.equal(result.stdout.trim(), 'no - policy says no')
  })
  it('auth can-i --list prints the rules', async () => {
    const result = await recorder.run(['auth', 'can-i', '--list'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /pods\s+\[\]\s+\[p1\]\s+\[get list\]/)
    assert.match(result.stdout, /\[\/healthz\]\s+\[\]\s+\[get\]/)
  })
  it('a protobuf Status is printed as the server error', async () => {
    const result = await recorder.run(['create', 'configmap', 'exists'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /already exists/)
  })
})
