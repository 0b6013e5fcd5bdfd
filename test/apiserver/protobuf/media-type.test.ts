import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isProtobufContentType, prefersProtobuf } from '../../../src/apiserver/protobuf/index.js'

describe('protobuf content negotiation', () => {
  it('answers protobuf only when the client lists it first', () => {
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf,application/json'), true) // kubectl typed clients
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf, */*'), true)
    assert.equal(prefersProtobuf('application/json, application/vnd.kubernetes.protobuf'), false)
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf;q=0, application/json'), false)
    assert.equal(prefersProtobuf('*/*'), false)
    assert.equal(prefersProtobuf(undefined), false)
    assert.equal(prefersProtobuf(''), false)
  })
  it('never for Tables or watch streams, which it does not encode', () => {
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json'), false)
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf;stream=watch,application/json'), false)
  })
  it('recognises a protobuf body', () => {
    assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf'), true)
    assert.equal(isProtobufContentType('Application/Vnd.Kubernetes.Protobuf; charset=binary'), true)
    assert.equal(isProtobufContentType('application/json'), false)
    assert.equal(isProtobufContentType(undefined), false)
  })
})
