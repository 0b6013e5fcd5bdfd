// One number format for the workload's output: exact counts with separators, measured values to
// three significant digits, columns right-aligned.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatCount, formatMeasure, renderColumns } from '../../src/workload/format.js'

test('counts: exact integers with thousands separators', () => {
  assert.equal(formatCount(0), '0')
  assert.equal(formatCount(3), '3')
  assert.equal(formatCount(40277), '40,277')
  assert.equal(formatCount(1234567), '1,234,567')
})

test('measures: three significant digits, whole numbers with separators from 100 up', () => {
  // The mix the summary used to print: 0.642 / 0.86 / 1.402 and 300 / 149.6 / 3.
  assert.deepEqual([0.6423, 0.86, 1.402].map((n) => formatMeasure(n)), ['0.642', '0.860', '1.40'])
  assert.deepEqual([300, 149.6, 3].map((n) => formatMeasure(n)), ['300', '150', '3.00'])
  assert.equal(formatMeasure(0), '0')
  assert.equal(formatMeasure(12345.6), '12,346')
  assert.equal(formatMeasure(99.96), '100')
  assert.equal(formatMeasure(0.0001234), '0.000123')
  assert.equal(formatMeasure(12.34, 2), '12')
})

test('columns: names left, numbers right, every row as wide as the widest cell', () => {
  assert.deepEqual(renderColumns([
    ['category', 'ops', 'p50 ms'],
    ['node-status', '12,345', '0.642'],
    ['total', '3', '-'],
  ]), ['category        ops  p50 ms', 'node-status  12,345   0.642', 'total             3       -'])
})
