// The CEL subset of webhook matchConditions.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CelError, evaluateCondition } from '../../../src/apiserver/admission/cel-subset.js'

const vars = {
  object: { metadata: { name: 'web', labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
  oldObject: null,
  request: { operation: 'CREATE', userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:authenticated'] } },
}

test('conditions kube users write evaluate as CEL does', () => {
  const cases: [string, boolean][] = [
    ['true', true],
    ["request.operation == 'CREATE'", true],
    ['request.operation != "CREATE"', false],
    ["has(object.metadata.labels) && object.metadata.labels.app == 'web'", true],
    ["has(object.metadata.annotations) && object.metadata.annotations.x == 'y'", false],
    ["!has(object.metadata.annotations) || object.metadata.annotations.x == 'y'", true],
    ["'tier' in object.metadata.labels", true],
    ["request.userInfo.username.startsWith('system:serviceaccount:')", true],
    ["!(request.userInfo.username in ['alice', 'bob'])", true],
    ['size(object.spec.containers) > 1', true],
    ['object.spec.containers.size() <= 1', false],
    ["object.metadata['name'].endsWith('eb') && object.metadata.name.contains('w')", true],
    ['oldObject == null', true],
    ["'system:authenticated' in request.userInfo.groups", true],
  ]
  for (const [expression, want] of cases) assert.equal(evaluateCondition(expression, vars), want, expression)
})

test('errors: a missing key, a non-bool result, unsupported syntax', () => {
  for (const bad of ['object.metadata.annotations.x == "y"', "object.metadata.name", 'object.spec.containers.map(c, c.name)', 'unknownVar', '1 +', 'request.operation == ']) {
    assert.throws(() => evaluateCondition(bad, vars), CelError, bad)
  }
})
