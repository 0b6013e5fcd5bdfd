// Resource quantities: parsing, canonical text, arithmetic in thousandths; and the keyed mutex.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KeyedMutex } from '../../../src/apiserver/admission/keyed-mutex.js'
import { addQuantity, formatQuantity, milli, parseQuantity } from '../../../src/apiserver/admission/quantity.js'

test('quantities parse to base units and print canonically', () => {
  const cases: [string, number, string][] = [
    ['500m', 0.5, '500m'],
    ['1', 1, '1'],
    ['1.5', 1.5, '1500m'],
    ['1Gi', 2 ** 30, '1Gi'],
    ['1024Mi', 2 ** 30, '1Gi'],
    ['1536Mi', 1536 * 2 ** 20, '1536Mi'],
    ['2k', 2000, '2k'],
    ['1e3', 1000, '1k'],
    ['10', 10, '10'],
    ['0', 0, '0'],
  ]
  for (const [text, value, canonical] of cases) {
    const q = parseQuantity(text)
    assert.equal(q.value, value, text)
    assert.equal(formatQuantity(q), canonical, text)
  }
  assert.throws(() => parseQuantity('lots'), /quantities must match/)
  assert.throws(() => parseQuantity('1Qi'), /quantities must match/)
})

test('sums keep the binary suffix and compare in thousandths', () => {
  const sum = addQuantity(parseQuantity('512Mi'), parseQuantity('512Mi'))
  assert.equal(formatQuantity(sum), '1Gi')
  assert.equal(formatQuantity(addQuantity(parseQuantity('600m'), parseQuantity('500m'))), '1100m')
  assert.ok(milli(parseQuantity('1')) > milli(parseQuantity('999m')))
})

test('the keyed mutex runs one body per key at a time, in arrival order, and survives a throw', async () => {
  const m = new KeyedMutex()
  const order: string[] = []
  let inside = 0
  const body = (name: string) => async (): Promise<void> => {
    inside++
    assert.equal(inside, 1, 'one holder at a time')
    await new Promise((r) => setImmediate(r))
    order.push(name)
    inside--
  }
  const failing = m.run('k', async () => {
    throw new Error('boom')
  })
  await Promise.all([m.run('k', body('a')), m.run('k', body('b')), failing.catch((err: unknown) => order.push(String((err as Error).message))), m.run('k', body('c'))])
  assert.deepEqual(order, ['boom', 'a', 'b', 'c'])
})
