// encode -> decode is the identity on canonical JSON for every kind the module knows, with
// objects generated from the schema itself (so every one of its messages is exercised).
import assert from 'node:assert/strict'
import { describe, it, test } from 'node:test'
import fc from 'fast-check'
import { decodeProtobufObject, encodeProtobufObject, knownProtobufKinds } from '../../../src/apiserver/protobuf/index.js'
import { k8sSchema } from '../../../src/apiserver/protobuf/k8s-schema.js'
import { messageArbitrary } from '../../support/k8s-proto-arbitrary.js'

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000)
console.log(`round-trip seed ${seed}`)

describe('protobuf round trip, every kind', () => {
  it('knows the kinds of the brief, their lists, Status and DeleteOptions', () => {
    const kinds = knownProtobufKinds()
    for (const k of ['v1/ConfigMap', 'v1/ConfigMapList', 'apps/v1/Deployment', 'batch/v1/CronJob', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'authentication.k8s.io/v1/TokenRequest', 'authorization.k8s.io/v1/LocalSubjectAccessReview', 'networking.k8s.io/v1/NetworkPolicy',
      'policy/v1/Eviction', 'scheduling.k8s.io/v1/PriorityClass', 'coordination.k8s.io/v1/Lease', 'autoscaling/v1/Scale',
      'v1/Status', 'meta.k8s.io/v1/DeleteOptions', 'v1/DeleteOptions', 'v1/Node', 'v1/Event', 'v1/PersistentVolumeClaim', 'v1/Endpoints', 'v1/LimitRange']) {
      assert.ok(kinds.includes(k), `${k} missing`)
    }
  })

  for (const key of knownProtobufKinds()) {
    it(key, () => {
      const type = k8sSchema().byKind.get(key)
      assert.ok(type !== undefined)
      const slash = key.lastIndexOf('/')
      const typeMeta = { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) }
      const arb = messageArbitrary(type).map((body) => ({ ...typeMeta, ...(body as Record<string, unknown>) }))
      fc.assert(
        fc.property(arb, (object) => {
          const bytes = encodeProtobufObject(object)
          assert.ok(bytes !== undefined, 'encodable')
          assert.deepEqual(decodeProtobufObject(bytes, { unknownFields: 'fail' }), object)
        }),
        { seed, numRuns: 25 },
      )
    })
  }
})

// Regression (seed 664451): an IntOrString of -2^31, the smallest int32, was refused by the encoder.
test('an IntOrString at the int32 bounds round-trips', () => {
  for (const minAvailable of [-(2 ** 31), 2 ** 31 - 1]) {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { minAvailable } }
    const bytes = encodeProtobufObject(pdb)
    assert.ok(bytes !== undefined, `encodes ${minAvailable}`)
    assert.deepEqual(decodeProtobufObject(bytes), pdb)
  }
})
