// Every operating error maps to a Kubernetes Status with the right reason and HTTP code.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CodecError } from '../../src/codec/index.js'
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InternalObjectError,
  NotFoundError,
  TooLargeResourceVersionError,
  httpStatusOf,
  toStatus,
} from '../../src/objects/index.js'
import { CompactedError, FutureRevisionError, InvalidArgumentError, LogError, RequestTooLargeError, StoreClosedError, TooManyRequestsError, type StorageError } from '../../src/util/index.js'
import { openObjectStore, pod } from '../support/object-store.js'

test('each error has its StatusReason and HTTP status, and toStatus builds a Kubernetes Status', () => {
  const cases: Array<[StorageError, string, number]> = [
    [new NotFoundError('/k'), 'NotFound', 404],
    [new AlreadyExistsError('/k'), 'AlreadyExists', 409],
    [new ConflictError('/k', 'UID in precondition: a, UID in object meta: b'), 'Conflict', 409],
    [new ExpiredError('too old', undefined), 'Expired', 410],
    [new CompactedError(3, 5), 'Expired', 410],
    [new InvalidArgumentError('bad'), 'Invalid', 422],
    [new TooLargeResourceVersionError(9, 5), 'Timeout', 504],
    [new FutureRevisionError(9, 5), 'Timeout', 504],
    [new InternalObjectError('odd'), 'InternalError', 500],
    [CodecError.forKey('/k', 'garbage'), 'InternalError', 500],
    [new LogError('disk full', 'SQLITE_FULL'), 'InternalError', 500],
    [new LogError('busy', 'SQLITE_BUSY'), 'ServiceUnavailable', 503],
    [new StoreClosedError(), 'ServiceUnavailable', 503],
    [new TooManyRequestsError(10), 'TooManyRequests', 429],
    [new RequestTooLargeError('value', 10, 5), 'RequestEntityTooLarge', 413],
  ]
  for (const [err, reason, code] of cases) {
    assert.equal(err.code, reason, err.name)
    assert.equal(httpStatusOf(err), code, err.name)
    assert.deepEqual(toStatus(err), { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: err.message, reason, code, metadata: {} })
  }
  const expired = new ExpiredError('too old', 'token')
  assert.equal(expired.httpStatus, 410)
  assert.deepEqual(toStatus(expired).metadata, { continue: 'token' })
  assert.match(new NotFoundError('/k').message, /^objects: /)
  assert.match(new TooLargeResourceVersionError(9, 5).message, /too large resource version: 9, current: 5/)
})

test('an undecodable stored value is InternalError naming the key, in get and list', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  await store.put('/p/b', 'not an object')
  await assert.rejects(objects.get('/p/b'), (e: unknown) => e instanceof CodecError && httpStatusOf(e) === 500 && e.message.includes('/p/b'))
  await assert.rejects(objects.list('/p'), CodecError)
  await assert.rejects(objects.guaranteedUpdate('/p/b', (o) => o), CodecError)
})
