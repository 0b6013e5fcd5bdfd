// Random JSON objects for the patch property tests: no nulls (RFC 7386 cannot set one), keys
// that include the awkward ones ("", "$patch"-free, dotted, slashed).
import fc from 'fast-check'

const key = fc.constantFrom('a', 'b', 'c', 'name', 'x.y', 'a/b', '', 'spec', 'data')
const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -5, max: 5 }), fc.boolean())

export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
})).value

export const jsonObject = fc.dictionary(key, jsonValue, { maxKeys: 5, noNullPrototype: true })
