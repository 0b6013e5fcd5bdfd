// GETs kubectl 1.32 makes with protobuf first in Accept (`kubectl events`, `describe`), answered
// with our encoding: lists, MicroTime, Quantity and nested status must read back through Go.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encodeProtobufObject } from '../../../src/apiserver/protobuf/index.js'
import { KubectlRecorder, kubectlAvailable, kubectlBinary } from '../../support/kubectl-recorder.js'
import { withoutNulls } from './kubectl-cases.js'

const event = (n: number): Record<string, unknown> => ({
  metadata: { name: `e${n}`, namespace: 'ns1', uid: `u${n}`, resourceVersion: `${10 + n}`, creationTimestamp: '2026-12-08T01:00:00Z' },
  involvedObject: { kind: 'Pod', namespace: 'ns1', name: 'p1', uid: 'p-uid', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec.containers{c}' },
  reason: 'Pulled', message: `pulled ${n}`, source: { component: 'kubelet', host: 'n1' },
  firstTimestamp: '2026-12-08T01:00:00Z', lastTimestamp: '2026-12-08T01:05:00Z', count: n, type: 'Normal',
  ...(n === 2 ? { eventTime: '2026-12-08T01:00:00.123456Z' } : {}), reportingComponent: 'kubelet', reportingInstance: 'n1',
})

const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p1', namespace: 'ns1', uid: 'p-uid', creationTimestamp: '2026-12-08T01:00:00Z', labels: { app: 'web' } },
  spec: {
    nodeName: 'n1',
    containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m', memory: '128Mi' } } }],
  },
  status: {
    phase: 'Running', podIP: '10.0.0.5', startTime: '2026-12-08T01:00:01Z',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-08T01:00:03Z' }],
    containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'nginx', imageID: 'sha', started: true, state: { running: { startedAt: '2026-12-08T01:00:02Z' } } }],
  },
}

describe('kubectl 1.32 reads protobuf GET answers', { skip: kubectlAvailable(32) ? false : 'kubectl 1.32 is not installed' }, () => {
  let recorder: KubectlRecorder
  before(async () => {
    recorder = new KubectlRecorder(kubectlBinary(32), () => ({ code: 405, object: {} }))
    await recorder.start()
    recorder.encodeGet = (object) => encodeProtobufObject(object as Record<string, unknown>)
    recorder.objects.set('/api/v1/namespaces/ns1/events', { apiVersion: 'v1', kind: 'EventList', metadata: { resourceVersion: '99' }, items: [event(1), event(2)] })
    recorder.objects.set('/api/v1/namespaces/ns1/pods/p1', pod)
  })
  after(async () => {
    await recorder.close()
  })

  it('kubectl events -o json: an EventList, MicroTime included', async () => {
    recorder.reads.length = 0
    const result = await recorder.run(['events', '-o', 'json'])
    assert.equal(result.code, 0, result.stderr)
    assert.ok(recorder.reads.some((r) => r.protobuf), 'answered in protobuf')
    const printed = withoutNulls(JSON.parse(result.stdout)) as { items: Array<Record<string, unknown>> }
    assert.deepEqual(printed.items, [1, 2].map((n) => ({ kind: 'Event', apiVersion: 'v1', ...event(n) })))
  })

  it('kubectl describe pod: the Pod and its events', async () => {
    recorder.reads.length = 0
    const result = await recorder.run(['describe', 'pod', 'p1'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(recorder.reads.filter((r) => r.protobuf).length, 2, 'pod and events in protobuf')
    for (const line of [/Start Time:\s+Tue, 08 Dec 2026 01:00:01 \+0000/, /Port:\s+80\/TCP/, /cpu:\s+500m/, /memory:\s+128Mi/,
      /State:\s+Running/, /Started:\s+Tue, 08 Dec 2026 01:00:02 \+0000/, /Ready\s+True/, /QoS Class:\s+Burstable/, /Pulled\s+.*\(x2 over .*\)\s+kubelet\s+pulled 2/]) {
      assert.match(result.stdout, line)
    }
  })
})
