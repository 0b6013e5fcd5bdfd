// Bodies kubectl 1.32 builds from objects it read first: a node debugging Pod (a PodSpec with
// host namespaces, a hostPath volume inlined in Volume, a privileged securityContext,
// tolerations), a Job made from a CronJob (ownerReferences with pointer bools), and drain's
// Eviction (sent as JSON, which must survive a protobuf round trip: gracePeriodSeconds 0 is a
// pointer, so it must stay).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeProtobufObject, encodeProtobufObject, protobufMediaType } from '../../../src/apiserver/protobuf/index.js'
import { KubectlRecorder, kubectlAvailable, kubectlBinary } from '../../support/kubectl-recorder.js'
import type { RecordedWrite, Reply } from '../../support/kubectl-recorder.js'
import { dryRunArgs, withoutNulls } from './kubectl-cases.js'

function reply(write: RecordedWrite): Reply {
  if (write.contentType !== protobufMediaType) return { code: 200, object: { apiVersion: 'v1', kind: 'Status', status: 'Success', metadata: {} } }
  const object = decodeProtobufObject(write.body, { unknownFields: 'fail' })
  return { code: 201, object: { ...object, metadata: { name: 'created', namespace: 'ns1' } } }
}

const cronJob = {
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj1', namespace: 'ns1', uid: 'cj-uid' },
  spec: {
    schedule: '* * * * *',
    jobTemplate: { metadata: { labels: { t: 'l' } }, spec: { backoffLimit: 0, template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } } },
  },
}
const pods = {
  apiVersion: 'v1', kind: 'PodList', metadata: {},
  items: [{
    metadata: { name: 'p1', namespace: 'ns1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
  }],
}

describe('kubectl 1.32 typed clients on objects it read', { skip: kubectlAvailable(32) ? false : 'kubectl 1.32 is not installed' }, () => {
  let recorder: KubectlRecorder
  before(async () => {
    recorder = new KubectlRecorder(kubectlBinary(32), reply)
    await recorder.start()
    recorder.objects.set('/api/v1/nodes/n1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n-uid' }, spec: {} })
    recorder.objects.set('/apis/batch/v1/namespaces/ns1/cronjobs/cj1', cronJob)
    recorder.objects.set('/api/v1/pods', pods)
  })
  after(async () => {
    await recorder.close()
  })

  it('debug node/n1 --profile=sysadmin: a host-level Pod', async () => {
    recorder.writes.length = 0
    const result = await recorder.run(['debug', 'node/n1', '--image=busybox', '--profile=sysadmin'])
    assert.equal(result.code, 0, result.stderr)
    const write = recorder.writes[0] as RecordedWrite
    assert.equal(write.contentType, protobufMediaType)
    const pod = decodeProtobufObject(write.body, { unknownFields: 'fail' })
    const metadata = pod['metadata'] as Record<string, unknown>
    assert.match(String(metadata['name']), /^node-debugger-n1-/)
    assert.deepEqual({ ...pod, metadata: {} }, {
      apiVersion: 'v1', kind: 'Pod', metadata: {},
      spec: {
        volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
        containers: [{
          name: 'debugger', image: 'busybox', resources: {}, volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
          securityContext: { privileged: true }, terminationMessagePolicy: 'File',
        }],
        restartPolicy: 'Never', nodeName: 'n1', hostNetwork: true, hostPID: true, hostIPC: true, tolerations: [{ operator: 'Exists' }],
      },
      status: {},
    })
  })

  it('create job --from=cronjob/cj1 equals its dry run', async () => {
    recorder.writes.length = 0
    const args = ['create', 'job', 'j2', '--from=cronjob/cj1']
    const result = await recorder.run(args)
    assert.equal(result.code, 0, result.stderr)
    const write = recorder.writes.find((w) => w.method === 'POST') as RecordedWrite
    assert.equal(write.contentType, protobufMediaType)
    const dry = await recorder.run(dryRunArgs(args))
    assert.equal(dry.code, 0, dry.stderr)
    assert.deepEqual(decodeProtobufObject(write.body, { unknownFields: 'fail' }), withoutNulls(JSON.parse(dry.stdout)))
  })

  it("drain's Eviction survives a protobuf round trip", async () => {
    recorder.writes.length = 0
    const result = await recorder.run(['drain', 'n1', '--grace-period=0', '--timeout=20s'])
    assert.equal(result.code, 0, result.stderr)
    const write = recorder.writes.find((w) => w.url.endsWith('/eviction')) as RecordedWrite
    const eviction = withoutNulls(JSON.parse(write.body.toString('utf8'))) as Record<string, unknown>
    assert.deepEqual(eviction['deleteOptions'], { gracePeriodSeconds: 0 })
    const bytes = encodeProtobufObject(eviction)
    assert.ok(bytes !== undefined)
    assert.deepEqual(decodeProtobufObject(bytes, { unknownFields: 'fail' }), eviction)
  })
})
