// The encryption configuration is an entry point too (issue 16): whatever shape arrives (untyped
// JSON, a confused caller), createTransformer and resolveConfigFile refuse it with a typed error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encryption, StorageError } from '../../src/index.js'

const junk = fc.anything({ withBigInt: true, withNullPrototype: true, maxDepth: 3 })
const provider = fc.oneof(
  junk,
  fc.record({ identity: fc.oneof(fc.constant({}), junk) }),
  fc.record({ aesgcm: fc.oneof(junk, fc.record({ keys: fc.oneof(junk, fc.array(fc.record({ name: fc.oneof(fc.constant('k1'), junk), secret: junk }), { maxLength: 2 })) })) }),
  fc.record({ kms: fc.oneof(junk, fc.record({ name: junk, service: junk })) }),
)
const config = fc.oneof(junk, fc.record({ resources: fc.oneof(junk, fc.array(fc.record({ prefixes: fc.oneof(junk, fc.array(fc.oneof(fc.string(), junk), { maxLength: 2 })), providers: fc.oneof(junk, fc.array(provider, { maxLength: 2 })) }), { maxLength: 2 })) }))

const typedOrOk = (run: () => unknown): void => {
  try {
    run()
  } catch (err) {
    assert.ok(err instanceof StorageError, `untyped: ${String(err)}`)
  }
}

test('encryption config: random shapes are accepted or refused typed, never a TypeError', () => {
  fc.assert(
    fc.property(config, (c) => {
      typedOrOk(() => encryption.createTransformer(c as never))
      typedOrOk(() => encryption.resolveConfigFile(c, { readKey: () => encryption.SecretKey.fromBytes(Buffer.alloc(32, 1), 'test key') }))
    }),
    { numRuns: 500 },
  )
})

test('encryption config: regressions found by the fuzz (a missing resource, a null kms)', () => {
  // Seed-independent counterexample of the first run: { resources: [undefined] } threw a TypeError.
  assert.throws(() => encryption.createTransformer({ resources: [undefined] } as never), /resources\[0\] must be an object/)
  assert.throws(() => encryption.createTransformer({ resources: [{ prefixes: ['a'], providers: [{ kms: null }] }] } as never), /kms must be an object/)
})
